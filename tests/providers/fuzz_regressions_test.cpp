// Regression tests for inputs found by the libFuzzer target tests/fuzz/provider_response.cpp
// (each input is also kept in tests/fuzz/corpus/provider_response/).
#include <gtest/gtest.h>

#include "net/http.h"
#include "providers/model.h"
#include "providers/provider_fixture.h"

namespace pt {
namespace {

using namespace pt::testing;

// A choices[0].message without "content" used const operator[] on a missing key (an assertion
// failure, undefined behaviour without assertions). It now reads as an empty answer, like null.
TEST(ProviderFuzzRegressions, OpenAiMessageWithoutContent) {
  ScopedEnv env({{"OPENAI_API_KEY", kOpenAiKey}});
  auto m = make_remote_model("openai:gpt-4o-2024-08-06", ModelOptions{});
  ASSERT_TRUE(m.ok()) << m.error().message;
  HttpResponse r;
  r.status = 200;
  r.body = R"({"choices":[{"index":0,"message":{"role":"assistant","refusal":"no"}}],
    "usage":{"prompt_tokens":30,"completion_tokens":2}})";
  auto c = (*m)->parse_response(r);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->text, "");
  EXPECT_EQ(c->usage.input_tokens, 30);
  r.body = R"({"choices":[{"message":{"content":7}}],"usage":{}})";
  auto bad = (*m)->parse_response(r);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "openai: malformed response body (choices[0].message.content: expected a string)");
}

// A 200 reply's promptFeedback.blockReason was echoed raw: server text holding the key (or line
// breaks) reached the error message. Only an enum-like reason is shown now.
TEST(ProviderFuzzRegressions, GeminiBlockReasonIsNeverEchoedRaw) {
  ScopedEnv env({{"GEMINI_API_KEY", kGeminiKey}});
  auto m = make_remote_model("gemini:gemini-2.0-flash-001", ModelOptions{});
  ASSERT_TRUE(m.ok()) << m.error().message;
  HttpResponse r;
  r.status = 200;
  r.body = std::string(R"({"promptFeedback":{"blockReason":"S)") + kGeminiKey + R"(\nFETY"},"usageMetadata":{}})";
  auto c = (*m)->parse_response(r);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "gemini: prompt blocked (unknown reason)");
  r.body = R"({"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"}})";
  c = (*m)->parse_response(r);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "gemini: prompt blocked (PROHIBITED_CONTENT)");
}

// Negative token counts were taken as is (a negative cost); huge ones overflowed int64 when the
// cache counts were added. A count must be a non-negative integer up to 2^40, else it reads as 0.
TEST(ProviderFuzzRegressions, TokenCountsAreNeverNegativeOrOverflowing) {
  ScopedEnv env({{"ANTHROPIC_API_KEY", "sk-ant-test-0123456789"}});
  auto m = make_remote_model("anthropic:claude-opus-4-20250514", ModelOptions{});
  ASSERT_TRUE(m.ok()) << m.error().message;
  HttpResponse r;
  r.status = 200;
  r.body = R"({"content":[{"type":"text","text":"a.js"}],"usage":{"input_tokens":-100,"output_tokens":20,
    "cache_read_input_tokens":9223372036854775807,"cache_creation_input_tokens":7}})";
  auto c = (*m)->parse_response(r);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->usage.input_tokens, 7);
  EXPECT_EQ(c->usage.cached_input_tokens, 0);
  EXPECT_EQ(c->usage.cache_write_input_tokens, 7);
  EXPECT_EQ(c->usage.output_tokens, 20);
  EXPECT_GE((*m)->cost_usd(c->usage), 0.0);
}

}  // namespace
}  // namespace pt
