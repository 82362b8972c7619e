// Tests for providers/openai: Chat Completions request shape (system message, folded roles,
// reasoning-model parameters), usage incl. cached tokens, errors and a fake round trip.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "net/http.h"
#include "providers/model.h"
#include "providers/provider_fixture.h"

namespace pt {
namespace {

using nlohmann::json;
using namespace pt::testing;

TEST(OpenAi, BuildsTheChatCompletionsRequest) {
  ScopedEnv env({{"OPENAI_API_KEY", kOpenAiKey}, {"OPENAI_BASE_URL", "http://self-hosted:8000/v1/"}});
  auto m = make_remote_model("openai:gpt-4.1", ModelOptions{});
  ASSERT_TRUE(m.ok()) << m.error().message;
  PickerCall call = sample_call();
  auto req = (*m)->build_request(TeacherInput{&call, "CTX"});
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->url, "http://self-hosted:8000/v1/chat/completions");
  std::map<std::string, std::string> h(req->headers.begin(), req->headers.end());
  EXPECT_EQ(h["authorization"], std::string("Bearer ") + kOpenAiKey);
  json body = json::parse(req->body);
  EXPECT_EQ(body["model"], "gpt-4.1");
  EXPECT_EQ(body["max_tokens"], 1024);
  EXPECT_EQ(body["temperature"], 0.0);
  ASSERT_EQ(body["messages"].size(), 4u);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  EXPECT_EQ(body["messages"][0]["content"], call.system_blocks[0] + "\n\n" + call.system_blocks[1] + "\n\nCTX");
  EXPECT_EQ(body["messages"][1], json({{"role", "user"}, {"content", "Please fix the router bug."}}));
  EXPECT_EQ(body["messages"][2], json({{"role", "assistant"}, {"content", "Looking at it."}}));
  EXPECT_EQ(body["messages"][3]["role"], "user");
  EXPECT_EQ(body["messages"][3]["content"].get<std::string>().substr(0, 13), "tool output\n\n");
}

TEST(OpenAi, ReasoningModelsUseMaxCompletionTokens) {
  ScopedEnv env({{"OPENAI_API_KEY", kOpenAiKey}});
  auto m = make_remote_model("openai:o3", ModelOptions{});
  ASSERT_TRUE(m.ok()) << m.error().message;
  PickerCall call = sample_call();
  json body = json::parse((*m)->build_request(TeacherInput{&call, ""})->body);
  EXPECT_EQ(body["max_completion_tokens"], 1024);
  EXPECT_FALSE(body.contains("temperature"));
  EXPECT_FALSE(body.contains("max_tokens"));
  EXPECT_EQ((*m)->build_request(TeacherInput{&call, ""})->url, "https://api.openai.com/v1/chat/completions");
}

TEST(OpenAi, ParsesUsageWithCachedTokens) {
  ScopedEnv env({{"OPENAI_API_KEY", kOpenAiKey}});
  auto m = make_remote_model("openai:gpt-4o-2024-08-06", ModelOptions{});
  ASSERT_TRUE(m.ok()) << m.error().message;
  HttpResponse r;
  r.status = 200;
  r.body = R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-2024-08-06",
    "choices":[{"index":0,"message":{"role":"assistant","content":"a.js\nb.js"},"finish_reason":"stop"}],
    "usage":{"prompt_tokens":3000,"completion_tokens":12,"total_tokens":3012,
             "prompt_tokens_details":{"cached_tokens":2048,"audio_tokens":0}}})";
  auto c = (*m)->parse_response(r);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->text, "a.js\nb.js");
  EXPECT_EQ(c->usage.input_tokens, 3000);
  EXPECT_EQ(c->usage.cached_input_tokens, 2048);
  EXPECT_EQ(c->usage.output_tokens, 12);
  EXPECT_NEAR((*m)->cost_usd(c->usage), (952 * 2.5 + 2048 * 1.25 + 12 * 10.0) / 1e6, 1e-12);
  r.body = R"({"choices":[]})";
  EXPECT_FALSE((*m)->parse_response(r).ok());
}

TEST(OpenAi, ErrorMessageIsSurfacedAndKeyRedacted) {
  ScopedEnv env({{"OPENAI_API_KEY", kOpenAiKey}});
  auto m = make_remote_model("openai:gpt-4o", ModelOptions{});
  ASSERT_TRUE(m.ok());
  HttpResponse r;
  r.status = 401;
  r.body = std::string(R"({"error":{"message":"Incorrect API key provided: )") + kOpenAiKey +
           R"(.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})";
  auto c = (*m)->parse_response(r);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "openai: HTTP 401 invalid_request_error: Incorrect API key provided: [redacted].");
}

TEST(OpenAi, UnknownModelNeedsAPriceUnlessPricedAsFree) {
  ScopedEnv env({{"OPENAI_API_KEY", kOpenAiKey}});
  auto m = make_remote_model("openai:my-llama", ModelOptions{});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().kind, ErrorKind::usage);
  EXPECT_NE(m.error().message.find("no price for model 'my-llama'"), std::string::npos);
  EXPECT_NE(m.error().message.find("--price-as"), std::string::npos);
  ModelOptions o;
  o.price_as = "free";
  auto free = make_remote_model("openai:my-llama", o);
  ASSERT_TRUE(free.ok()) << free.error().message;
  EXPECT_EQ((*free)->cost_usd(Usage{1000000, 1000000, 0, 0}), 0.0);
}

TEST(OpenAi, RoundTripAgainstTheFake) {
  fake::FakeLlmConfig cfg;
  cfg.expect_key = kOpenAiKey;
  fake::FakeLlm server(cfg);
  ScopedEnv env({{"OPENAI_API_KEY", kOpenAiKey}, {"OPENAI_BASE_URL", server.base_url() + "/v1"}});
  auto m = make_remote_model("openai:gpt-4o", ModelOptions{});
  ASSERT_TRUE(m.ok());
  PickerCall call = sample_call();
  HttpResponse r = http_call(*(*m)->build_request(TeacherInput{&call, ""}));
  auto c = (*m)->parse_response(r);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_NE(c->text.find("\n"), std::string::npos);
  EXPECT_GT(c->usage.input_tokens, 50);
  ASSERT_EQ(server.calls().size(), 1u);
  EXPECT_EQ(server.calls()[0].path, "/v1/chat/completions");
}

}  // namespace
}  // namespace pt
