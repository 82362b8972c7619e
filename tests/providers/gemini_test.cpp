// Tests for providers/gemini: AI Studio (x-goog-api-key) and Vertex (publisher model, tuned
// endpoint by full name or numeric id, Bearer token from a service account via the fake /token).
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "net/http.h"
#include "providers/model.h"
#include "providers/provider_fixture.h"
#include "support/fakes/test_keys.h"

namespace pt {
namespace {

using nlohmann::json;
using namespace pt::testing;

TEST(Gemini, BuildsGenerateContentWithApiKeyHeader) {
  ScopedEnv env({{"GEMINI_API_KEY", kGeminiKey}, {"GEMINI_BASE_URL", std::nullopt}});
  auto m = make_remote_model("gemini:gemini-2.5-flash", ModelOptions{});
  ASSERT_TRUE(m.ok()) << m.error().message;
  PickerCall call = sample_call();
  auto req = (*m)->build_request(TeacherInput{&call, "CTX"});
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->url, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent");
  EXPECT_EQ(req->url.find(kGeminiKey), std::string::npos);
  std::map<std::string, std::string> h(req->headers.begin(), req->headers.end());
  EXPECT_EQ(h["x-goog-api-key"], kGeminiKey);
  json body = json::parse(req->body);
  ASSERT_EQ(body["systemInstruction"]["parts"].size(), 2u);
  EXPECT_EQ(body["systemInstruction"]["parts"][1]["text"], call.system_blocks[1] + "\n\nCTX");
  ASSERT_EQ(body["contents"].size(), 3u);
  EXPECT_EQ(body["contents"][1], json::parse(R"({"role":"model","parts":[{"text":"Looking at it."}]})"));
  EXPECT_EQ(body["contents"][2]["role"], "user");
  EXPECT_EQ(body["contents"][2]["parts"].size(), 2u);
  EXPECT_EQ(body["generationConfig"], json::parse(R"({"temperature":0.0,"maxOutputTokens":1024})"));
}

TEST(Gemini, ParsesCandidatesAndUsageMetadata) {
  ScopedEnv env({{"GEMINI_API_KEY", kGeminiKey}});
  auto m = make_remote_model("gemini:gemini-2.0-flash-001", ModelOptions{});
  ASSERT_TRUE(m.ok());
  HttpResponse r;
  r.status = 200;
  r.body =
      R"({"candidates":[{"content":{"role":"model","parts":[{"text":"thinking","thought":true},{"text":"a.js\n"},{"text":"b.js"}]},
    "finishReason":"STOP","index":0}],
    "usageMetadata":{"promptTokenCount":5000,"candidatesTokenCount":8,"thoughtsTokenCount":2,"cachedContentTokenCount":4096,"totalTokenCount":5010},
    "modelVersion":"gemini-2.0-flash-001"})";
  auto c = (*m)->parse_response(r);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->text, "a.js\nb.js");
  EXPECT_EQ(c->usage.input_tokens, 5000);
  EXPECT_EQ(c->usage.output_tokens, 10);
  EXPECT_EQ(c->usage.cached_input_tokens, 4096);
  EXPECT_NEAR((*m)->cost_usd(c->usage), (904 * 0.1 + 4096 * 0.025 + 10 * 0.4) / 1e6, 1e-12);
  r.body = R"({"promptFeedback":{"blockReason":"SAFETY"}})";
  auto blocked = (*m)->parse_response(r);
  ASSERT_FALSE(blocked.ok());
  EXPECT_NE(blocked.error().message.find("prompt blocked"), std::string::npos);
  r.status = 429;
  r.body = std::string(R"({"error":{"code":429,"message":"Resource exhausted for )") + kGeminiKey +
           R"(","status":"RESOURCE_EXHAUSTED"}})";
  auto limited = (*m)->parse_response(r);
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().message, "gemini: HTTP 429 RESOURCE_EXHAUSTED: Resource exhausted for [redacted]");
}

class VertexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/vertex-sa-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json";
    std::ofstream(path_) << json{{"type", "service_account"},
                                 {"project_id", "sa-project"},
                                 {"private_key", pt::fake::test_private_key_pem()},
                                 {"client_email", "sa@sa-project.iam.gserviceaccount.com"},
                                 {"token_uri", server_.base_url() + "/token"}}
                                .dump();
  }
  void TearDown() override { std::remove(path_.c_str()); }
  fake::FakeLlm server_;
  std::string path_;
};

TEST_F(VertexTest, PublisherModelUsesServiceAccountProjectAndBearerToken) {
  ScopedEnv env({{"GOOGLE_APPLICATION_CREDENTIALS", path_},
                 {"VERTEX_BASE_URL", server_.base_url()},
                 {"VERTEX_PROJECT", std::nullopt},
                 {"VERTEX_LOCATION", std::nullopt}});
  auto m = make_remote_model("vertex:gemini-2.0-flash-001", ModelOptions{});
  ASSERT_TRUE(m.ok()) << m.error().message;
  PickerCall call = sample_call();
  auto req = (*m)->build_request(TeacherInput{&call, ""});
  ASSERT_TRUE(req.ok()) << req.error().message;
  EXPECT_EQ(req->url, server_.base_url() +
                          "/v1/projects/sa-project/locations/us-central1/publishers/google/models/"
                          "gemini-2.0-flash-001:generateContent");
  std::map<std::string, std::string> h(req->headers.begin(), req->headers.end());
  EXPECT_EQ(h["authorization"], "Bearer ya29.fake-1");
  auto c = (*m)->parse_response(http_call(*req));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->text.empty());
  (void)(*m)->build_request(TeacherInput{&call, ""});
  EXPECT_EQ(server_.tokens_issued(), 1);  // cached across requests
}

TEST_F(VertexTest, TunedEndpointsByNameOrNumericId) {
  ScopedEnv env({{"GOOGLE_APPLICATION_CREDENTIALS", path_},
                 {"VERTEX_BASE_URL", server_.base_url()},
                 {"VERTEX_PROJECT", "env-project"},
                 {"VERTEX_LOCATION", "europe-west4"}});
  PickerCall call = sample_call();
  auto numeric = make_remote_model("vertex:1234567890", ModelOptions{});
  ASSERT_TRUE(numeric.ok()) << numeric.error().message;
  EXPECT_EQ(
      (*numeric)->build_request(TeacherInput{&call, ""})->url,
      server_.base_url() + "/v1/projects/env-project/locations/europe-west4/endpoints/1234567890:generateContent");
  auto full = make_remote_model("vertex:projects/p9/locations/us-east1/endpoints/42", ModelOptions{});
  ASSERT_TRUE(full.ok()) << full.error().message;
  auto req = (*full)->build_request(TeacherInput{&call, ""});
  EXPECT_EQ(req->url, server_.base_url() + "/v1/projects/p9/locations/us-east1/endpoints/42:generateContent");
  EXPECT_TRUE((*full)->parse_response(http_call(*req)).ok());
  // Tuned endpoints are priced as the tuned base (gemini-2.0-flash-001) by default.
  EXPECT_NEAR((*full)->cost_usd(Usage{1000000, 1000000, 0, 0}), 0.5, 1e-12);
  auto bad = make_remote_model("vertex:projects/p9/endpoints/x", ModelOptions{});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::usage);
}

TEST_F(VertexTest, WithoutATokenTheFakeRefusesAndTheMessageSaysSo) {
  ScopedEnv env({{"GOOGLE_APPLICATION_CREDENTIALS", path_}, {"VERTEX_BASE_URL", server_.base_url()}});
  auto m = make_remote_model("vertex:gemini-2.0-flash-001", ModelOptions{});
  ASSERT_TRUE(m.ok());
  PickerCall call = sample_call();
  HttpRequest req = *(*m)->build_request(TeacherInput{&call, ""});
  for (auto& [k, v] : req.headers)
    if (k == "authorization") v = "Bearer forged";
  auto c = (*m)->parse_response(http_call(req));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("vertex: HTTP 401 UNAUTHENTICATED"), std::string::npos) << c.error().message;
}

TEST(Vertex, MissingCredentialsNameTheVariable) {
  ScopedEnv env({{"GOOGLE_APPLICATION_CREDENTIALS", std::nullopt}});
  auto m = make_remote_model("vertex:gemini-2.0-flash-001", ModelOptions{});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("GOOGLE_APPLICATION_CREDENTIALS is not set"), std::string::npos);
}

}  // namespace
}  // namespace pt
