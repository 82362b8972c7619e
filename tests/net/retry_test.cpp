// Tests for net/retry: classification, retry-after parsing (ms, seconds, HTTP date), full-jitter
// backoff bounds and the blocking retrying call against the fake (with an injected sleep).
#include <gtest/gtest.h>

#include "net/retry.h"
#include "support/fakes/fake_llm.h"

namespace pt {
namespace {

HttpResponse status(int code, std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = code;
  r.headers = std::move(headers);
  return r;
}

TEST(Retry, ClassifiesResponses) {
  EXPECT_EQ(classify(status(200)), FailureKind::none);
  EXPECT_EQ(classify(status(200), true), FailureKind::malformed);
  EXPECT_EQ(classify(status(429)), FailureKind::rate_limited);
  EXPECT_EQ(classify(status(529)), FailureKind::overloaded);
  EXPECT_EQ(classify(status(503)), FailureKind::server);
  EXPECT_EQ(classify(status(408)), FailureKind::server);
  EXPECT_EQ(classify(status(409)), FailureKind::server);
  EXPECT_EQ(classify(status(400)), FailureKind::client);
  EXPECT_EQ(classify(status(401)), FailureKind::client);
  HttpResponse t;
  t.timed_out = true;
  EXPECT_EQ(classify(t), FailureKind::timeout);
  EXPECT_EQ(classify(HttpResponse{}), FailureKind::connection);
  EXPECT_TRUE(is_retryable(FailureKind::malformed));
  EXPECT_TRUE(is_retryable(FailureKind::overloaded));
  EXPECT_FALSE(is_retryable(FailureKind::client));
  EXPECT_FALSE(is_retryable(FailureKind::none));
  EXPECT_EQ(failure_label(status(529), FailureKind::overloaded), "http_529");
  EXPECT_EQ(failure_label(t, FailureKind::timeout), "timeout");
}

TEST(Retry, ParsesRetryAfterForms) {
  EXPECT_EQ(retry_after_ms(status(429, {{"retry-after", "3"}}), 0), 3000);
  EXPECT_EQ(retry_after_ms(status(429, {{"retry-after", "0.25"}}), 0), 250);
  EXPECT_EQ(retry_after_ms(status(429, {{"retry-after", "2"}, {"retry-after-ms", "120"}}), 0), 120);
  EXPECT_EQ(retry_after_ms(status(429, {{"retry-after", "-5"}}), 0), 0);
  EXPECT_EQ(retry_after_ms(status(429), 0), std::nullopt);
  EXPECT_EQ(retry_after_ms(status(429, {{"retry-after", "soon"}}), 0), std::nullopt);
  // 784111777 = Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777000LL);
  EXPECT_EQ(retry_after_ms(status(503, {{"retry-after", "Sun, 06 Nov 1994 08:49:37 GMT"}}), 784111770000LL), 7000);
  EXPECT_EQ(retry_after_ms(status(503, {{"retry-after", "Sun, 06 Nov 1994 08:49:37 GMT"}}), 784111790000LL), 0);
  EXPECT_EQ(parse_http_date("06 Nov 1994"), std::nullopt);
}

TEST(Retry, FullJitterStaysWithinTheExponentialCap) {
  RetryPolicy p;
  p.base_delay_ms = 100;
  p.max_delay_ms = 1000;
  std::mt19937_64 rng(42);
  for (int failures = 1; failures <= 8; ++failures) {
    int64_t cap = std::min<int64_t>(1000, 100LL << (failures - 1));
    int64_t lo = cap, hi = 0;
    for (int i = 0; i < 500; ++i) {
      int64_t d = p.delay_ms(failures, status(500), rng, 0);
      ASSERT_GE(d, 0);
      ASSERT_LE(d, cap);
      lo = std::min(lo, d), hi = std::max(hi, d);
    }
    EXPECT_LT(lo, cap / 4);  // jitter really spreads over [0, cap]
    EXPECT_GT(hi, cap * 3 / 4);
  }
}

TEST(Retry, NeverWaitsLessThanRetryAfterButClampsIt) {
  RetryPolicy p;
  p.base_delay_ms = 10;
  p.max_retry_after_ms = 5000;
  std::mt19937_64 rng(1);
  for (int i = 0; i < 100; ++i) EXPECT_GE(p.delay_ms(1, status(429, {{"retry-after", "2"}}), rng, 0), 2000);
  EXPECT_EQ(p.delay_ms(1, status(429, {{"retry-after", "3600"}}), rng, 0), 5000);
  EXPECT_TRUE(p.should_retry(FailureKind::rate_limited, 5));
  EXPECT_FALSE(p.should_retry(FailureKind::rate_limited, 6));
  EXPECT_FALSE(p.should_retry(FailureKind::client, 1));
}

HttpRequest chat(const std::string& base) {
  HttpRequest r;
  r.url = base + "/v1/chat/completions";
  r.body = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
  return r;
}

TEST(Retry, BlockingCallHonoursRetryAfterFromTheServer) {
  fake::FakeLlmConfig cfg;
  cfg.fail_first_n = 2;
  cfg.faults = {fake::Fault::rate_limit};
  cfg.retry_after = "1";
  fake::FakeLlm server(cfg);
  std::vector<int64_t> waits;
  RetryPolicy p;
  p.base_delay_ms = 10;
  HttpResponse r = http_call_with_retry(chat(server.base_url()), p, nullptr, [&](int64_t ms) { waits.push_back(ms); });
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(server.call_count(), 3u);
  ASSERT_EQ(waits.size(), 2u);
  EXPECT_GE(waits[0], 1000);
  EXPECT_GE(waits[1], 1000);
}

TEST(Retry, BlockingCallRetriesMalformedBodiesThenGivesUp) {
  fake::FakeLlmConfig cfg;
  cfg.fail_rate = 1.0;
  cfg.faults = {fake::Fault::invalid_json};
  fake::FakeLlm server(cfg);
  RetryPolicy p;
  p.max_attempts = 3;
  int sleeps = 0;
  auto parses = [](const HttpResponse& r) { return r.body.find("choices") != std::string::npos; };
  HttpResponse r = http_call_with_retry(chat(server.base_url()), p, parses, [&](int64_t) { ++sleeps; });
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(server.call_count(), 3u);
  EXPECT_EQ(sleeps, 2);
}

TEST(Retry, BlockingCallDoesNotRetryClientErrors) {
  fake::FakeLlmConfig cfg;
  cfg.expect_key = "right";
  fake::FakeLlm server(cfg);
  HttpRequest req = chat(server.base_url());
  req.headers = {{"authorization", "Bearer wrong"}};
  int sleeps = 0;
  HttpResponse r = http_call_with_retry(req, RetryPolicy{}, nullptr, [&](int64_t) { ++sleeps; });
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(sleeps, 0);
}

}  // namespace
}  // namespace pt
