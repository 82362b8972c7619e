// Tests for providers/anthropic: exact request (headers, system blocks with cache_control, file
// context, folded roles), response parsing incl. cache usage, errors (message surfaced, key never
// leaked), missing key, pricing, and a round trip through HttpMulti against the fake.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "net/http.h"
#include "net/retry.h"
#include "providers/model.h"
#include "providers/provider_fixture.h"

namespace pt {
namespace {

using nlohmann::json;
using namespace pt::testing;

std::unique_ptr<RemoteModel> anthropic(const std::string& base = "http://127.0.0.1:9") {
  ModelOptions o;
  o.base_url = base;
  auto m = make_remote_model("anthropic:claude-opus-4-20250514", o);
  EXPECT_TRUE(m.ok()) << m.error().message;
  return m.ok() ? std::move(*m) : nullptr;
}

TEST(Anthropic, BuildsTheMessagesRequest) {
  ScopedEnv env({{"ANTHROPIC_API_KEY", kAnthropicKey}});
  auto model = anthropic("http://h:1/");
  PickerCall call = sample_call();
  TeacherInput in{&call, "## Partial file context\n<partial-file-context>\nX\n</partial-file-context>"};
  auto req = model->build_request(in);
  ASSERT_TRUE(req.ok()) << req.error().message;
  EXPECT_EQ(req->method, "POST");
  EXPECT_EQ(req->url, "http://h:1/v1/messages");
  std::map<std::string, std::string> h(req->headers.begin(), req->headers.end());
  EXPECT_EQ(h["x-api-key"], kAnthropicKey);
  EXPECT_EQ(h["anthropic-version"], "2023-06-01");
  EXPECT_EQ(h["content-type"], "application/json");
  json body = json::parse(req->body);
  EXPECT_EQ(body["model"], "claude-opus-4-20250514");
  EXPECT_EQ(body["max_tokens"], 1024);
  EXPECT_EQ(body["temperature"], 0.0);
  ASSERT_EQ(body["system"].size(), 2u);
  EXPECT_FALSE(body["system"][0].contains("cache_control"));
  EXPECT_EQ(body["system"][1]["cache_control"], json({{"type", "ephemeral"}}));
  EXPECT_EQ(body["system"][1]["text"], call.system_blocks[1] + "\n\n" + in.file_context);
  json expected_messages = json::parse(R"([
    {"role": "user", "content": [{"type": "text", "text": "Please fix the router bug."}]},
    {"role": "assistant", "content": [{"type": "text", "text": "Looking at it."}]},
    {"role": "user", "content": [{"type": "text", "text": "tool output"},
      {"type": "text", "text": "Pick the files. Remember to focus on the most important files and limit your selection to 5 files."}]}
  ])");
  EXPECT_EQ(body["messages"], expected_messages);
}

TEST(Anthropic, ParsesTextAndUsageIncludingCache) {
  ScopedEnv env({{"ANTHROPIC_API_KEY", kAnthropicKey}});
  auto model = anthropic();
  HttpResponse r;
  r.status = 200;
  r.body = R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-opus-4-20250514",
    "content":[{"type":"text","text":"lib/router/index.js\n"},{"type":"text","text":"lib/express.js"}],
    "stop_reason":"end_turn","stop_sequence":null,
    "usage":{"input_tokens":100,"output_tokens":20,"cache_creation_input_tokens":0,"cache_read_input_tokens":2000}})";
  auto c = model->parse_response(r);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->text, "lib/router/index.js\nlib/express.js");
  EXPECT_EQ(c->usage.input_tokens, 2100);
  EXPECT_EQ(c->usage.cached_input_tokens, 2000);
  EXPECT_EQ(c->usage.cache_write_input_tokens, 0);
  EXPECT_EQ(c->usage.output_tokens, 20);
  // opus 4: $15 in, $1.50 cache read, $75 out per 1M
  EXPECT_NEAR(model->cost_usd(c->usage), (100 * 15.0 + 2000 * 1.5 + 20 * 75.0) / 1e6, 1e-12);
  Usage write{3000, 10, 0, 3000};
  EXPECT_NEAR(model->cost_usd(write), (3000 * 18.75 + 10 * 75.0) / 1e6, 1e-12);
}

TEST(Anthropic, MalformedBodiesAreErrors) {
  ScopedEnv env({{"ANTHROPIC_API_KEY", kAnthropicKey}});
  auto model = anthropic();
  for (const char* body : {"{\"id\": \"broken\", \"content\": [", "[]", R"({"content":"x","usage":{}})",
                           R"({"content":[{"type":"text","text":"a"}]})"}) {
    HttpResponse r;
    r.status = 200;
    r.body = body;
    auto c = model->parse_response(r);
    ASSERT_FALSE(c.ok()) << body;
    EXPECT_NE(c.error().message.find("anthropic: malformed response body"), std::string::npos) << c.error().message;
    EXPECT_EQ(classify(r, true), FailureKind::malformed);
  }
}

TEST(Anthropic, ErrorBodiesAreSurfacedWithoutTheKey) {
  ScopedEnv env({{"ANTHROPIC_API_KEY", kAnthropicKey}});
  auto model = anthropic();
  HttpResponse r;
  r.status = 400;
  r.body =
      std::string(R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long; key )") +
      kAnthropicKey + R"("}})";
  auto c = model->parse_response(r);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("HTTP 400 invalid_request_error: prompt is too long"), std::string::npos)
      << c.error().message;
  EXPECT_EQ(c.error().message.find(kAnthropicKey), std::string::npos);
}

TEST(Anthropic, MissingKeyNamesTheVariable) {
  ScopedEnv env({{"ANTHROPIC_API_KEY", std::nullopt}});
  auto m = make_remote_model("anthropic:claude-opus-4-20250514", ModelOptions{});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message, "ANTHROPIC_API_KEY is not set (needed for anthropic:claude-opus-4-20250514)");
}

TEST(Anthropic, BaseUrlComesFromTheEnvironment) {
  ScopedEnv env({{"ANTHROPIC_API_KEY", kAnthropicKey}, {"ANTHROPIC_BASE_URL", "http://env-host:5"}});
  auto m = make_remote_model("anthropic:claude-3-7-sonnet-20250219", ModelOptions{});
  ASSERT_TRUE(m.ok()) << m.error().message;
  PickerCall call = sample_call();
  EXPECT_EQ((*m)->build_request(TeacherInput{&call, ""})->url, "http://env-host:5/v1/messages");
}

TEST(Anthropic, RoundTripAgainstTheFakeWithFaultsNeverLeaksTheKey) {
  fake::FakeLlmConfig cfg;
  cfg.expect_key = kAnthropicKey;
  cfg.fail_first_n = 3;
  cfg.faults = {fake::Fault::rate_limit, fake::Fault::server_error, fake::Fault::overloaded};
  cfg.echo_key_in_errors = true;
  fake::FakeLlm server(cfg);
  ScopedEnv env({{"ANTHROPIC_API_KEY", kAnthropicKey}});
  auto model = anthropic(server.base_url());
  PickerCall call = sample_call();
  auto req = model->build_request(TeacherInput{&call, ""});
  ASSERT_TRUE(req.ok());
  HttpMulti multi(4);
  std::vector<std::string> errors;
  std::optional<Completion> answer;
  std::function<void(HttpResponse &&)> on_done = [&](HttpResponse&& r) {
    auto c = model->parse_response(r);
    if (c.ok()) return answer.emplace(std::move(*c)), void();
    errors.push_back(c.error().message);
    if (is_retryable(classify(r))) multi.submit(*req, on_done);
  };
  multi.submit(*req, on_done);
  while (multi.pending()) multi.run_once(100);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(errors.size(), 3u);
  for (const auto& e : errors) {
    EXPECT_EQ(e.find(kAnthropicKey), std::string::npos) << e;
    EXPECT_NE(e.find("[redacted]"), std::string::npos) << e;  // the fake did echo it
  }
  EXPECT_EQ(answer->text, fake::FakeLlm::answer_for(system_text(call) + "\n",
                                                    "tool output\nPick the files. Remember to focus on the most "
                                                    "important files and limit your selection to 5 files.\n"));
  EXPECT_GT(answer->usage.input_tokens, 0);
  for (const auto& c : server.calls())
    for (const auto& [k, v] : c.headers) EXPECT_EQ(v.find(kAnthropicKey), std::string::npos);
}

TEST(Anthropic, WrongKeyIs401WithoutTheKeyInTheMessage) {
  fake::FakeLlmConfig cfg;
  cfg.expect_key = "the-right-key";
  fake::FakeLlm server(cfg);
  ScopedEnv env({{"ANTHROPIC_API_KEY", kAnthropicKey}});
  auto model = anthropic(server.base_url());
  PickerCall call = sample_call();
  HttpResponse r = http_call(*model->build_request(TeacherInput{&call, ""}));
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find(kAnthropicKey), std::string::npos);  // the server echoed it…
  auto c = model->parse_response(r);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message.find(kAnthropicKey), std::string::npos);  // …we did not
  EXPECT_NE(c.error().message.find("HTTP 401 authentication_error"), std::string::npos) << c.error().message;
  EXPECT_EQ(classify(r), FailureKind::client);
}

}  // namespace
}  // namespace pt
