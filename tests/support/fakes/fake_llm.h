// Loopback fake of the LLM APIs picktune calls, for tests and benchmarks: Anthropic Messages and
// Message Batches, OpenAI Chat Completions, Gemini (AI Studio) and Vertex generateContent, and
// Google's OAuth token endpoint (streamed SSE answers when asked). One cpp-httplib server on 127.0.0.1 (random port) in
// a background thread; plausible deterministic answers (paths from the request's <project_file_tree>); every call
// recorded (secrets redacted); faults injected on demand.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace pt::fake {

// Header the relabel engine may send so fakes (and logs) can tell which trace a call answers.
inline constexpr const char* kTraceHeader = "x-picktune-trace-id";

enum class Fault { rate_limit, server_error, overloaded, timeout, truncated, invalid_json, slow };
const char* fault_name(Fault f);

struct FakeLlmConfig {
  double fail_rate = 0;  // fraction of calls that fail (decided per request body + attempt)
  uint64_t seed = 1;
  int fail_first_n = 0;  // the first N calls fail regardless of fail_rate
  std::vector<Fault> faults = {Fault::rate_limit, Fault::server_error, Fault::overloaded,
                               Fault::timeout,    Fault::truncated,    Fault::invalid_json};
  int latency_ms = 0;               // added to every answer
  int slow_ms = 1500;               // Fault::slow: delay, then a normal answer
  int timeout_ms = 5000;            // Fault::timeout: sleep this long (beyond the client's timeout)
  std::string retry_after = "0";    // 429: value of `retry-after` ("" = no header)
  std::string retry_after_ms;       // 429: value of `retry-after-ms` ("" = no header)
  std::string expect_key;           // when set: a different API key gets 401 (the message echoes it)
  bool echo_key_in_errors = false;  // injected faults' error messages echo the caller's key
  bool record_calls = true;         // keep calls() at all (long benchmarks turn this off)
  bool record_bodies = true;        // keep request bodies and headers in calls()
  std::string log_path;             // one line per call: "STATUS METHOD PATH TRACE_ID|- FAULT|-", flushed
  bool log_times = false;           // append " RECEIVED_US ANSWERED_US" (system clock, µs since the epoch)
  int threads = 320;                // server worker threads (>= client concurrency + a few)
  int batch_polls_before_end = 1;   // batch GETs answered "in_progress" before "ended"
  // Per batch: its first N requests end "canceled", the next M "expired" (never processed, not
  // billed: result lines {"custom_id", "result": {"type": "canceled" | "expired"}}).
  int batch_canceled = 0, batch_expired = 0;
  std::string jwt_public_key_pem;  // when set, /token verifies the RS256 signature with it
  int token_expires_in = 3600;
  bool require_vertex_token = true;  // Vertex calls need a Bearer token issued by /token
};

struct FakeCall {
  std::string method, path;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-cased; secrets "[redacted]"
  std::string body;
  int status = 0;     // 0 for a truncated response
  std::string fault;  // "" or fault_name()
  std::string trace_id;
  int64_t received_us = 0;  // when the request arrived (generation calls; 0 = not recorded)
};

class FakeLlm {
 public:
  explicit FakeLlm(FakeLlmConfig config = {});
  ~FakeLlm();
  FakeLlm(const FakeLlm&) = delete;
  FakeLlm& operator=(const FakeLlm&) = delete;

  int port() const { return port_; }
  std::string base_url() const;  // "http://127.0.0.1:PORT"

  std::vector<FakeCall> calls() const;
  size_t call_count() const;
  size_t calls_to(const std::string& path_prefix) const;
  size_t answered() const;                                         // 200 answers with a completion
  std::map<std::string, int> answers_by_trace() const;             // trace id header -> 200 answers
  std::map<std::string, int> batch_requests_by_custom_id() const;  // custom_id -> accepted batch requests
  size_t batches_created() const;                                  // Message Batches accepted
  int64_t tokens_issued() const;                                   // /token successes
  int max_concurrent() const { return max_active_.load(); }        // most generation calls at once

  void set_fail_rate(double rate);
  void set_batch_outcomes(int canceled, int expired);  // batch_canceled / batch_expired of later batches
  void set_batch_polls_before_end(int polls);          // batch_polls_before_end, for every batch from now on
  void fail_next(int n);                               // the next n calls fail (with the configured faults)
  void stop();                                         // also done by the destructor; wakes sleeping handlers

  // The deterministic answer for a prompt (paths of its file tree chosen by a hash).
  static std::string answer_for(const std::string& system_text, const std::string& user_text);

 private:
  struct Batch;
  struct Request;
  void install_routes();
  void install_token_count_routes();                                             // fake_token_count.cpp
  bool count_rate_limited(const httplib::Request& req, httplib::Response& res);  // fake_token_count.cpp
  void log_call(FakeCall call, bool answered);
  bool sleep_ms(int ms);  // false when stopping
  std::optional<Fault> pick_fault(const std::string& body);
  std::string redact_secrets(std::vector<std::pair<std::string, std::string>>& headers) const;

  FakeLlmConfig cfg_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;

  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::vector<FakeCall> calls_;
  size_t call_count_ = 0, answered_ = 0;
  int fail_next_ = 0;
  std::unordered_map<uint64_t, int> attempts_by_body_;
  std::set<uint64_t> seen_systems_;
  std::map<std::string, int> answers_by_trace_;
  std::set<std::string> tokens_;
  int64_t tokens_issued_ = 0;
  std::map<std::string, std::shared_ptr<Batch>> batches_;
  std::map<std::string, int> batch_requests_;  // custom_id -> accepted batch requests carrying it
  int64_t next_id_ = 1;
  std::FILE* log_ = nullptr;
  std::atomic<int> active_{0}, max_active_{0};
};

}  // namespace pt::fake
