// Streaming (SSE) faults through the proxy, for each wire format: the upstream dies mid-stream
// (half the events, then a reset: the caller's stream breaks too, never a clean end, and the trace
// keeps the partial answer with the error), a 429 with retry-after answered to a streamed request
// (passed through unchanged), and an upstream timeout before the stream starts (504).
#include <gtest/gtest.h>

#include "serve_fixture.h"

namespace {

using nlohmann::json;
using pt_test::ServeFixture;

struct StreamCall {
  std::string path, body;
  httplib::Headers headers;
};

StreamCall stream_call(const std::string& provider) {
  StreamCall c;
  if (provider == "anthropic") {
    c.path = "/anthropic/v1/messages";
    c.body = json{{"model", "claude-x"},
                  {"max_tokens", 256},
                  {"stream", true},
                  {"system", pt_test::kSystem},
                  {"messages", json::array({{{"role", "user"}, {"content", pt_test::kPrompt}}})}}
                 .dump();
    c.headers = {{"x-api-key", "sk-test-secret-key"}, {"anthropic-version", "2023-06-01"}};
  } else if (provider == "openai") {
    c.path = "/openai/v1/chat/completions";
    c.body = json{{"model", "gpt-x"},
                  {"stream", true},
                  {"messages", json::array({{{"role", "system"}, {"content", pt_test::kSystem}},
                                            {{"role", "user"}, {"content", pt_test::kPrompt}}})}}
                 .dump();
    c.headers = {{"Authorization", "Bearer sk-test-secret-key"}};
  } else {
    c.path = "/gemini/v1beta/models/gemini-x:streamGenerateContent?alt=sse";
    c.body =
        json{{"systemInstruction", {{"parts", json::array({{{"text", pt_test::kSystem}}})}}},
             {"contents", json::array({{{"role", "user"}, {"parts", json::array({{{"text", pt_test::kPrompt}}})}}})}}
            .dump();
    c.headers = {{"x-goog-api-key", "sk-test-secret-key"}};
  }
  return c;
}

struct Received {
  bool completed = false;  // the HTTP exchange ended cleanly
  int status = 0;
  std::string body, trace_id, retry_after;
};

Received send_stream(ServeFixture& f, const StreamCall& c) {
  Received out;
  auto cl = f.client();
  httplib::Request req;
  req.method = "POST";
  req.path = c.path;
  req.headers = c.headers;
  req.body = c.body;
  req.set_header("Content-Type", "application/json");
  req.response_handler = [&](const httplib::Response& r) {
    out.status = r.status;
    out.trace_id = r.get_header_value("X-Picktune-Trace-Id");
    out.retry_after = r.get_header_value("retry-after");
    return true;
  };
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    out.body.append(data, n);
    return true;
  };
  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  out.completed = cl.send(req, res, err) && err == httplib::Error::Success;
  if (out.status == 0) out.status = res.status;
  if (out.body.empty()) out.body = res.body;  // cpp-httplib keeps error bodies off the content receiver
  if (out.trace_id.empty()) out.trace_id = res.get_header_value("X-Picktune-Trace-Id");
  if (out.retry_after.empty()) out.retry_after = res.get_header_value("retry-after");
  return out;
}

class StreamFaults : public ::testing::TestWithParam<const char*> {};

TEST_P(StreamFaults, UpstreamDyingMidStreamBreaksTheCallersStreamAndKeepsThePartialAnswer) {
  pt::fake::FakeLlmConfig fc;
  fc.faults = {pt::fake::Fault::truncated};
  fc.fail_first_n = 1;
  ServeFixture f(fc);
  auto r = send_stream(f, stream_call(GetParam()));
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.completed) << "a cut upstream stream must not reach the caller as a clean end: " << r.body;
  EXPECT_NE(r.body.find("data: "), std::string::npos) << "the events before the cut were passed through";
  ASSERT_FALSE(r.trace_id.empty());
  f.stop();
  json t = f.trace(r.trace_id);
  ASSERT_FALSE(t.is_null());
  EXPECT_EQ(t["status"], 502);
  EXPECT_NE(t.value("error", "").find("upstream"), std::string::npos) << t.dump();
  EXPECT_EQ(t["stream"], true);
  // The partial answer is kept: what the caller received before the cut, no more.
  std::string partial = t["output"];
  EXPECT_FALSE(partial.empty()) << t.dump();
  EXPECT_NE(r.body.find(partial.substr(0, partial.find('\n'))), std::string::npos) << r.body;
}

TEST_P(StreamFaults, RateLimitWithRetryAfterOnAStreamedRequestIsPassedThrough) {
  pt::fake::FakeLlmConfig fc;
  fc.faults = {pt::fake::Fault::rate_limit};
  fc.fail_first_n = 1;
  fc.retry_after = "11";
  ServeFixture f(fc);
  auto r = send_stream(f, stream_call(GetParam()));
  EXPECT_TRUE(r.completed);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.retry_after, "11");
  json e = json::parse(r.body, nullptr, false);
  EXPECT_FALSE(e.is_discarded()) << r.body;
  EXPECT_NE(r.body.find("rate limited"), std::string::npos) << r.body;
  // Nothing retried by picktune: the fake saw exactly one call.
  EXPECT_EQ(f.fake->calls().size(), 1u);
  f.stop();
  json t = f.trace(r.trace_id);
  ASSERT_FALSE(t.is_null());
  EXPECT_EQ(t["status"], 429);
  EXPECT_EQ(t["output"], "");
  EXPECT_EQ(t["error"], "upstream status 429");
}

TEST_P(StreamFaults, UpstreamTimeoutBeforeTheStreamStartsIs504) {
  pt::fake::FakeLlmConfig fc;
  fc.faults = {pt::fake::Fault::timeout};
  fc.fail_first_n = 1;
  fc.timeout_ms = 3000;
  pt::server::ServeOptions so;
  so.upstream_timeout_ms = 300;
  ServeFixture f(fc, so);
  auto r = send_stream(f, stream_call(GetParam()));
  EXPECT_EQ(r.status, 504) << r.body;
  f.stop();
  json t = f.trace(r.trace_id);
  ASSERT_FALSE(t.is_null());
  EXPECT_EQ(t["status"], 504);
  EXPECT_TRUE(t.contains("error"));
}

INSTANTIATE_TEST_SUITE_P(All, StreamFaults, ::testing::Values("anthropic", "openai", "gemini"));

}  // namespace
