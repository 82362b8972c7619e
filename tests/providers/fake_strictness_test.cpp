// Issue 17: the fakes reject what the real services reject, so a client bug cannot pass the tests.
// The fake Messages API refuses a request without the anthropic-version header or max_tokens, and
// the fake OpenAI tuning API refuses the deprecated top-level `hyperparameters`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "net/http.h"
#include "support/fakes/fake_llm.h"
#include "support/fakes/fake_tuning.h"

namespace pt {
namespace {

using json = nlohmann::json;

HttpResponse post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                  const json& body) {
  HttpRequest r;
  r.url = url;
  r.headers = headers;
  r.headers.emplace_back("content-type", "application/json");
  r.body = body.dump();
  r.timeout_ms = 10000;
  return http_call(r);
}

TEST(FakeStrictness, AnthropicNeedsVersionHeaderAndMaxTokens) {
  fake::FakeLlm fake;
  const std::string url = fake.base_url() + "/v1/messages";
  json body = {{"model", "claude-x"},
               {"max_tokens", 64},
               {"system", "pick files"},
               {"messages", {{{"role", "user"}, {"content", "hello"}}}}};
  auto ok = post(url, {{"x-api-key", "k"}, {"anthropic-version", "2023-06-01"}}, body);
  EXPECT_EQ(ok.status, 200) << ok.body;

  auto no_version = post(url, {{"x-api-key", "k"}}, body);
  EXPECT_EQ(no_version.status, 400);
  EXPECT_NE(no_version.body.find("anthropic-version"), std::string::npos) << no_version.body;

  json no_max = body;
  no_max.erase("max_tokens");
  auto r = post(url, {{"x-api-key", "k"}, {"anthropic-version", "2023-06-01"}}, no_max);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("max_tokens"), std::string::npos) << r.body;
  no_max["max_tokens"] = 0;
  EXPECT_EQ(post(url, {{"x-api-key", "k"}, {"anthropic-version", "2023-06-01"}}, no_max).status, 400);
}

TEST(FakeStrictness, OpenAiTuningRefusesTopLevelHyperparameters) {
  fake::FakeTuning fake;
  const std::string url = fake.base_url() + "/v1/fine_tuning/jobs";
  std::vector<std::pair<std::string, std::string>> auth = {{"authorization", "Bearer sk-test"}};
  json old_shape = {{"model", "gpt-4.1-mini"}, {"training_file", "file-1"}, {"hyperparameters", {{"n_epochs", 2}}}};
  auto r = post(url, auth, old_shape);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("method.supervised.hyperparameters"), std::string::npos) << r.body;
  json current = {{"model", "gpt-4.1-mini"},
                  {"training_file", "file-1"},
                  {"method", {{"type", "supervised"}, {"supervised", {{"hyperparameters", {{"n_epochs", 2}}}}}}}};
  r = post(url, auth, current);
  EXPECT_EQ(r.status, 200) << r.body;
}

}  // namespace
}  // namespace pt
