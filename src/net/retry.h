// Retry policy for remote calls: which failures are worth another try (408/409/429/5xx/529,
// timeouts, connection errors, malformed 200 bodies) and how long to wait before it
// (exponential backoff with full jitter, never earlier than the server's retry-after /
// retry-after-ms). Pure functions of their inputs: callers own the clock, RNG and sleeping.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "net/http.h"

namespace pt {

// Why a call failed, for retry decisions and the "failed by reason" summary.
enum class FailureKind {
  none,          // 2xx with a usable body
  timeout,       // per-request timeout hit
  connection,    // refused/reset/truncated/empty reply
  rate_limited,  // 429
  overloaded,    // 529 (Anthropic "overloaded_error")
  server,        // 5xx, 408, 409
  client,        // other 4xx: not retried
  malformed,     // 2xx whose body could not be parsed
};

// parse_failed: the caller could not parse a 2xx body (makes it `malformed`).
FailureKind classify(const HttpResponse& response, bool parse_failed = false);
bool is_retryable(FailureKind kind);
// Short stable label: "ok", "timeout", "connection", "http_429", "http_529", "http_503",
// "http_400", "malformed".
std::string failure_label(const HttpResponse& response, FailureKind kind);

// Server-requested wait in ms from `retry-after-ms`, else `retry-after` (delta seconds, may be
// fractional, or an HTTP date compared with now_unix_ms). Negative values clamp to 0.
std::optional<int64_t> retry_after_ms(const HttpResponse& response, int64_t now_unix_ms);

// Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") to Unix ms.
std::optional<int64_t> parse_http_date(std::string_view text);

struct RetryPolicy {
  int max_attempts = 6;                 // total tries, the first included
  int64_t base_delay_ms = 500;          // cap of the first backoff; doubles per failure
  int64_t max_delay_ms = 30000;         // cap of the exponential part
  int64_t max_retry_after_ms = 300000;  // a longer server wait is clamped to this

  // True when another try is allowed after `attempts` tries ended in `kind`.
  bool should_retry(FailureKind kind, int attempts) const { return is_retryable(kind) && attempts < max_attempts; }
  // Wait before the next try after `failures` consecutive failures (1 = first retry):
  // uniform[0, min(max_delay, base * 2^(failures-1))], raised to the server's retry-after.
  int64_t delay_ms(int failures, const HttpResponse& last, std::mt19937_64& rng, int64_t now_unix_ms) const;
};

// Current wall-clock Unix time in ms (for retry-after dates).
int64_t unix_now_ms();

// A blocking call with retries, for one-off requests (token exchange, batch create/poll, job
// polling). `acceptable` (optional) says whether a 2xx body parses; a false answer counts as
// malformed. `sleep_ms` is injectable for tests (default: std::this_thread::sleep_for).
HttpResponse http_call_with_retry(const HttpRequest& request, const RetryPolicy& policy,
                                  const std::function<bool(const HttpResponse&)>& acceptable = nullptr,
                                  const std::function<void(int64_t)>& sleep_ms = nullptr);

}  // namespace pt
