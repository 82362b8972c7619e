// Tests for net/http: HttpMulti against the loopback fake (256 in flight, callbacks that
// resubmit, timeouts, truncated bodies, refused connections), http_call and http_stream.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "net/http.h"
#include "net/http_stream.h"
#include "net/retry.h"
#include "support/fakes/fake_llm.h"

namespace pt {
namespace {

HttpRequest chat_request(const std::string& base, int i) {
  HttpRequest r;
  r.url = base + "/v1/chat/completions";
  r.headers = {{"authorization", "Bearer k"}, {"content-type", "application/json"}};
  r.body = nlohmann::json{{"model", "gpt-4o"},
                          {"messages", {{{"role", "user"}, {"content", "request " + std::to_string(i)}}}}}
               .dump();
  return r;
}

TEST(HttpMulti, RunsManyRequestsWith256InFlight) {
  fake::FakeLlmConfig cfg;
  cfg.latency_ms = 100;  // long enough that transfers overlap
  fake::FakeLlm server(cfg);
  HttpMulti multi(256);
  const int n = 768;
  int done = 0, ok = 0;
  size_t max_in_flight = 0;
  for (int i = 0; i < n; ++i)
    multi.submit(chat_request(server.base_url(), i), [&](HttpResponse&& r) {
      ++done;
      if (r.status == 200 && r.header("content-type") == "application/json; charset=utf-8" &&
          r.body.find("chat.completion") != std::string::npos)
        ++ok;
    });
  while (multi.pending() > 0) {
    max_in_flight = std::max(max_in_flight, multi.in_flight());
    multi.run_once(100);
  }
  EXPECT_EQ(done, n);
  EXPECT_EQ(ok, n);
  EXPECT_EQ(max_in_flight, 256u);
  EXPECT_LE(server.max_concurrent(), 256);
  EXPECT_GE(server.max_concurrent(), 128);  // really concurrent, not serialised
  EXPECT_EQ(server.answered(), static_cast<size_t>(n));
}

TEST(HttpMulti, CallbacksMaySubmitFollowUps) {
  fake::FakeLlm server;
  HttpMulti multi(4);
  int chain = 0;
  std::function<void(HttpResponse &&)> next = [&](HttpResponse&& r) {
    ASSERT_EQ(r.status, 200);
    if (++chain < 5) multi.submit(chat_request(server.base_url(), chain), next);
  };
  multi.submit(chat_request(server.base_url(), 0), next);
  while (multi.pending() > 0) multi.run_once(100);
  EXPECT_EQ(chain, 5);
}

TEST(HttpMulti, PerRequestTimeoutIsReported) {
  fake::FakeLlmConfig cfg;
  cfg.fail_first_n = 1;
  cfg.faults = {fake::Fault::timeout};
  cfg.timeout_ms = 3000;
  fake::FakeLlm server(cfg);
  HttpMulti multi(2);
  HttpRequest r = chat_request(server.base_url(), 1);
  r.timeout_ms = 200;
  HttpResponse got;
  multi.submit(r, [&](HttpResponse&& resp) { got = std::move(resp); });
  while (multi.pending() > 0) multi.run_once(50);
  EXPECT_EQ(got.status, 0);
  EXPECT_TRUE(got.timed_out);
  EXPECT_EQ(got.transport_error, "timeout");
  EXPECT_LT(got.elapsed_ms, 2000);
  EXPECT_EQ(classify(got), FailureKind::timeout);
}

TEST(HttpMulti, TruncatedBodyIsATransportError) {
  fake::FakeLlmConfig cfg;
  cfg.fail_first_n = 1;
  cfg.faults = {fake::Fault::truncated};
  fake::FakeLlm server(cfg);
  HttpResponse got = http_call(chat_request(server.base_url(), 1));
  EXPECT_EQ(got.status, 0);
  EXPECT_FALSE(got.transport_error.empty());
  EXPECT_EQ(classify(got), FailureKind::connection);
  HttpResponse second = http_call(chat_request(server.base_url(), 1));
  EXPECT_EQ(second.status, 200);
}

TEST(HttpMulti, RefusedConnectionIsReported) {
  int port;
  {
    fake::FakeLlm server;  // take a free port, then close it
    port = server.port();
  }
  HttpRequest r;
  r.method = "GET";
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/nothing";
  r.timeout_ms = 2000;
  HttpMulti multi(1);
  HttpResponse got;
  multi.submit(r, [&](HttpResponse&& resp) { got = std::move(resp); });
  while (multi.pending() > 0) multi.run_once(50);
  EXPECT_EQ(got.status, 0);
  EXPECT_EQ(got.transport_error, "connection refused");
  EXPECT_EQ(classify(got), FailureKind::connection);
}

TEST(HttpMulti, RunOnceWithNothingPendingReturns) {
  HttpMulti multi(1);
  multi.run_once(0);
  EXPECT_EQ(multi.pending(), 0u);
}

TEST(HttpCall, CapturesStatusHeadersAndErrorBodies) {
  fake::FakeLlmConfig cfg;
  cfg.fail_first_n = 1;
  cfg.faults = {fake::Fault::rate_limit};
  cfg.retry_after = "7";
  fake::FakeLlm server(cfg);
  HttpResponse r = http_call(chat_request(server.base_url(), 1));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.header("retry-after"), "7");
  EXPECT_NE(r.body.find("rate limited"), std::string::npos);
  EXPECT_EQ(r.header("no-such-header"), std::nullopt);
}

TEST(HttpStream, DeliversLinesOfALargeBody) {
  std::vector<std::string> got;
  LineSplitter split([&](std::string_view line) {
    got.emplace_back(line);
    return true;
  });
  EXPECT_TRUE(split.feed("ab"));
  EXPECT_TRUE(split.feed("c\r\nde\n"));
  EXPECT_TRUE(split.feed("f"));
  EXPECT_TRUE(split.finish());
  EXPECT_EQ(got, (std::vector<std::string>{"abc", "de", "f"}));
}

}  // namespace
}  // namespace pt
