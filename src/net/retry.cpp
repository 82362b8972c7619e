// Implementation of net/retry.h: failure classification, retry-after parsing (seconds,
// milliseconds, HTTP dates), full-jitter exponential backoff and a blocking retrying call.
#include "net/retry.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "util/time.h"

namespace pt {

FailureKind classify(const HttpResponse& r, bool parse_failed) {
  if (r.status == 0) return r.timed_out ? FailureKind::timeout : FailureKind::connection;
  if (r.status >= 200 && r.status < 300) return parse_failed ? FailureKind::malformed : FailureKind::none;
  if (r.status == 429) return FailureKind::rate_limited;
  if (r.status == 529) return FailureKind::overloaded;
  if (r.status >= 500 || r.status == 408 || r.status == 409) return FailureKind::server;
  return FailureKind::client;
}

bool is_retryable(FailureKind kind) { return kind != FailureKind::none && kind != FailureKind::client; }

std::string failure_label(const HttpResponse& r, FailureKind kind) {
  switch (kind) {
    case FailureKind::none: return "ok";
    case FailureKind::timeout: return "timeout";
    case FailureKind::connection: return "connection";
    case FailureKind::malformed: return "malformed";
    default: return "http_" + std::to_string(r.status);
  }
}

namespace {

std::optional<double> parse_number(std::string_view s) {
  std::string text(s);
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

int month_index(std::string_view m) {
  static const char* names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i)
    if (m == names[i]) return i + 1;
  return 0;
}

}  // namespace

std::optional<int64_t> parse_http_date(std::string_view t) {
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  auto comma = t.find(", ");
  if (comma == std::string_view::npos) return std::nullopt;
  t.remove_prefix(comma + 2);
  if (t.size() < 24) return std::nullopt;
  auto num = [&](size_t pos, size_t len) -> int {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (t[i] < '0' || t[i] > '9') return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  int day = num(0, 2), mon = month_index(t.substr(3, 3)), year = num(7, 4);
  int hh = num(12, 2), mm = num(15, 2), ss = num(18, 2);
  if (day < 1 || mon == 0 || year < 1970 || hh < 0 || mm < 0 || ss < 0 || t.substr(21, 3) != "GMT") return std::nullopt;
  int64_t days = days_from_civil(year, static_cast<unsigned>(mon), static_cast<unsigned>(day));
  return ((days * 24 + hh) * 60 + mm) * 60000LL + ss * 1000LL;
}

std::optional<int64_t> retry_after_ms(const HttpResponse& r, int64_t now_unix_ms) {
  if (auto ms = r.header("retry-after-ms")) {
    if (auto v = parse_number(*ms)) return std::max<int64_t>(0, static_cast<int64_t>(std::ceil(*v)));
  }
  if (auto ra = r.header("retry-after")) {
    if (auto v = parse_number(*ra)) return std::max<int64_t>(0, static_cast<int64_t>(std::ceil(*v * 1000)));
    if (auto when = parse_http_date(*ra)) return std::max<int64_t>(0, *when - now_unix_ms);
  }
  return std::nullopt;
}

int64_t RetryPolicy::delay_ms(int failures, const HttpResponse& last, std::mt19937_64& rng, int64_t now_unix_ms) const {
  int shift = std::clamp(failures - 1, 0, 30);
  double cap =
      std::min<double>(static_cast<double>(max_delay_ms), static_cast<double>(base_delay_ms) * std::ldexp(1.0, shift));
  std::uniform_real_distribution<double> dist(0.0, std::max(0.0, cap));
  int64_t delay = static_cast<int64_t>(dist(rng));
  if (auto server = retry_after_ms(last, now_unix_ms)) delay = std::max(delay, std::min(*server, max_retry_after_ms));
  return delay;
}

int64_t unix_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

HttpResponse http_call_with_retry(const HttpRequest& request, const RetryPolicy& policy,
                                  const std::function<bool(const HttpResponse&)>& acceptable,
                                  const std::function<void(int64_t)>& sleep_ms) {
  std::mt19937_64 rng(std::random_device{}());
  for (int attempt = 1;; ++attempt) {
    HttpResponse r = http_call(request);
    bool parse_failed = r.status >= 200 && r.status < 300 && acceptable && !acceptable(r);
    FailureKind kind = classify(r, parse_failed);
    if (!policy.should_retry(kind, attempt)) return r;
    int64_t wait = policy.delay_ms(attempt, r, rng, unix_now_ms());
    if (sleep_ms)
      sleep_ms(wait);
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(wait));
  }
}

}  // namespace pt
