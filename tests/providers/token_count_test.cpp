// providers/token_count against the fake's token-count routes, which check credentials as the real
// services do: the key goes in the right header (x-api-key / x-goog-api-key) and never in the URL;
// a missing key fails before any call, naming the variable; a wrong key comes back as one clear line
// with the provider's error (401 authentication_error; Gemini 400 API_KEY_INVALID) and no secret.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "net/http.h"
#include "providers/provider_fixture.h"
#include "providers/token_count.h"

namespace pt {
namespace {

using namespace pt::testing;

TEST(TokenCount, AnthropicSendsTheKeyAndCountsTheCallAsSent) {
  fake::FakeLlmConfig cfg;
  cfg.expect_key = kAnthropicKey;
  fake::FakeLlm server(cfg);
  ScopedEnv env({{"ANTHROPIC_API_KEY", kAnthropicKey}, {"ANTHROPIC_BASE_URL", server.base_url()}});
  PickerCall call = sample_call();
  auto n = count_input_tokens_remote("anthropic:claude-opus-4-20250514", TeacherInput{&call, ""}, ModelOptions{});
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_GT(*n, 10);
  auto calls = server.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].path, "/v1/messages/count_tokens");
  auto body = nlohmann::json::parse(calls[0].body);
  EXPECT_EQ(body["model"], "claude-opus-4-20250514");
  EXPECT_FALSE(body.contains("max_tokens"));
  EXPECT_TRUE(body["messages"].is_array());
  // More context, more tokens.
  auto bigger = count_input_tokens_remote("anthropic:claude-opus-4-20250514",
                                          TeacherInput{&call, std::string(4000, 'x')}, ModelOptions{});
  ASSERT_TRUE(bigger.ok()) << bigger.error().message;
  EXPECT_GT(*bigger, *n + 500);
}

TEST(TokenCount, AnthropicWrongOrMissingKeyIsAClearError) {
  fake::FakeLlmConfig cfg;
  cfg.expect_key = kAnthropicKey;
  fake::FakeLlm server(cfg);
  PickerCall call = sample_call();
  {
    ScopedEnv env({{"ANTHROPIC_API_KEY", "sk-ant-WRONG-key-999"}, {"ANTHROPIC_BASE_URL", server.base_url()}});
    auto n = count_input_tokens_remote("anthropic:claude-opus-4-20250514", TeacherInput{&call, ""}, ModelOptions{});
    ASSERT_FALSE(n.ok());
    EXPECT_EQ(n.error().message, "anthropic count_tokens: HTTP 401 authentication_error: invalid x-api-key");
    EXPECT_EQ(n.error().message.find("WRONG"), std::string::npos);
  }
  {
    ScopedEnv env({{"ANTHROPIC_BASE_URL", server.base_url()}});
    unsetenv("ANTHROPIC_API_KEY");
    size_t before = server.calls().size();
    auto n = count_input_tokens_remote("anthropic:claude-opus-4-20250514", TeacherInput{&call, ""}, ModelOptions{});
    ASSERT_FALSE(n.ok());
    EXPECT_NE(n.error().message.find("ANTHROPIC_API_KEY"), std::string::npos) << n.error().message;
    EXPECT_EQ(server.calls().size(), before) << "no call without a key";
  }
}

TEST(TokenCount, FakeAnthropicRouteIsAsStrictAsTheService) {
  fake::FakeLlmConfig cfg;
  cfg.expect_key = kAnthropicKey;
  fake::FakeLlm server(cfg);
  auto call = [&](std::vector<std::pair<std::string, std::string>> headers, std::string body) {
    HttpRequest r;
    r.url = server.base_url() + "/v1/messages/count_tokens";
    r.headers = std::move(headers);
    r.headers.emplace_back("content-type", "application/json");
    r.body = std::move(body);
    return http_call(r);
  };
  const std::string ok_body = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
  auto r = call({{"anthropic-version", "2023-06-01"}}, ok_body);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["message"], "x-api-key header is required");
  EXPECT_EQ(nlohmann::json::parse(r.body)["type"], "error");
  r = call({{"x-api-key", "nope"}, {"anthropic-version", "2023-06-01"}}, ok_body);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["type"], "authentication_error");
  r = call({{"x-api-key", kAnthropicKey}}, ok_body);
  EXPECT_EQ(r.status, 400) << "anthropic-version is required";
  r = call({{"x-api-key", kAnthropicKey}, {"anthropic-version", "2023-06-01"}},
           R"({"model":"m","max_tokens":5,"messages":[]})");
  EXPECT_EQ(r.status, 400) << "max_tokens is not a count_tokens field";
  r = call({{"x-api-key", kAnthropicKey}, {"anthropic-version", "2023-06-01"}}, ok_body);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(nlohmann::json::parse(r.body)["input_tokens"].is_number_unsigned());
}

TEST(TokenCount, GeminiSendsTheKeyInTheHeaderAndReportsRejections) {
  fake::FakeLlmConfig cfg;
  cfg.expect_key = kGeminiKey;
  fake::FakeLlm server(cfg);
  PickerCall call = sample_call();
  {
    ScopedEnv env({{"GEMINI_API_KEY", kGeminiKey}, {"GEMINI_BASE_URL", server.base_url()}});
    auto n = count_input_tokens_remote("gemini:gemini-2.5-flash", TeacherInput{&call, ""}, ModelOptions{});
    ASSERT_TRUE(n.ok()) << n.error().message;
    EXPECT_GT(*n, 10);
    auto calls = server.calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].path, "/v1beta/models/gemini-2.5-flash:countTokens") << "the key is not in the URL";
    auto body = nlohmann::json::parse(calls[0].body);
    EXPECT_EQ(body["generateContentRequest"]["model"], "models/gemini-2.5-flash");
    EXPECT_TRUE(body["generateContentRequest"]["contents"].is_array());
  }
  {
    ScopedEnv env({{"GEMINI_API_KEY", "AIza-WRONG-777"}, {"GEMINI_BASE_URL", server.base_url()}});
    auto n = count_input_tokens_remote("gemini:gemini-2.5-flash", TeacherInput{&call, ""}, ModelOptions{});
    ASSERT_FALSE(n.ok());
    EXPECT_NE(n.error().message.find("gemini countTokens: HTTP 400"), std::string::npos) << n.error().message;
    EXPECT_NE(n.error().message.find("API key not valid"), std::string::npos) << n.error().message;
    EXPECT_EQ(n.error().message.find("WRONG"), std::string::npos);
  }
  // The route itself: no key at all is 403 PERMISSION_DENIED, as the service answers.
  HttpRequest r;
  r.url = server.base_url() + "/v1beta/models/gemini-2.5-flash:countTokens";
  r.headers = {{"content-type", "application/json"}};
  r.body = R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})";
  auto resp = http_call(r);
  EXPECT_EQ(resp.status, 403);
  EXPECT_EQ(nlohmann::json::parse(resp.body)["error"]["status"], "PERMISSION_DENIED");
  r.url += std::string("?key=") + kGeminiKey;  // the service also takes ?key=
  EXPECT_EQ(http_call(r).status, 200);
}

TEST(TokenCount, OtherProvidersAreAUsageError) {
  PickerCall call = sample_call();
  auto n = count_input_tokens_remote("openai:gpt-4o", TeacherInput{&call, ""}, ModelOptions{});
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().kind, ErrorKind::usage);
  auto checked = check_remote_token_count("openai:gpt-4o", ModelOptions{});
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().kind, ErrorKind::usage);
}

TEST(TokenCount, CheckNeedsTheKeyEvenOfflineAndCallsNothing) {
  fake::FakeLlm server;
  ScopedEnv env({{"GEMINI_BASE_URL", server.base_url()}, {"GEMINI_API_KEY", std::nullopt}});
  ModelOptions offline;
  offline.offline = true;  // a dry run's options: the count is a call all the same
  auto checked = check_remote_token_count("gemini:gemini-2.5-flash", offline);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().message, "GEMINI_API_KEY is not set (needed for gemini:gemini-2.5-flash)");
  ScopedEnv with_key({{"GEMINI_API_KEY", kGeminiKey}});
  EXPECT_TRUE(check_remote_token_count("gemini:gemini-2.5-flash", offline).ok());
  EXPECT_TRUE(server.calls().empty());
}

TEST(TokenCount, RateLimitedCountsAreRetriedUpToThePolicy) {
  fake::FakeLlmConfig cfg;
  cfg.expect_key = kAnthropicKey;
  cfg.faults = {fake::Fault::rate_limit};
  cfg.fail_first_n = 2;
  fake::FakeLlm server(cfg);
  ScopedEnv env({{"ANTHROPIC_API_KEY", kAnthropicKey}, {"ANTHROPIC_BASE_URL", server.base_url()}});
  PickerCall call = sample_call();
  RetryPolicy once;
  once.max_attempts = 2;
  once.base_delay_ms = 1;
  auto gave_up =
      count_input_tokens_remote("anthropic:claude-opus-4-20250514", TeacherInput{&call, ""}, ModelOptions{}, once);
  ASSERT_FALSE(gave_up.ok());
  EXPECT_NE(gave_up.error().message.find("HTTP 429 rate_limit_error"), std::string::npos) << gave_up.error().message;
  server.fail_next(2);
  RetryPolicy three = once;
  three.max_attempts = 3;
  auto n =
      count_input_tokens_remote("anthropic:claude-opus-4-20250514", TeacherInput{&call, ""}, ModelOptions{}, three);
  ASSERT_TRUE(n.ok()) << n.error().message;
  std::vector<int> statuses;
  for (const auto& c : server.calls()) statuses.push_back(c.status);
  EXPECT_EQ(statuses, (std::vector<int>{429, 429, 429, 429, 200}));
}

}  // namespace
}  // namespace pt
