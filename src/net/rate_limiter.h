// Client-side request and token budgets per minute (token buckets), so a relabel run stays
// under a provider's RPM / TPM limits instead of living on 429s. Time is passed in by the
// caller (steady-clock ms), which keeps the math testable; not thread-safe (one event loop).
#pragma once
#include <cstdint>

namespace pt {

class RateLimiter {
 public:
  // 0 (or less) disables a limit. Buckets start full: a minute's worth may go at once.
  RateLimiter(double requests_per_minute, double tokens_per_minute, int64_t now_ms);

  // Milliseconds until a request of `tokens` tokens may be sent (0 = now). A request larger than
  // the whole per-minute token budget waits for a full bucket, then goes.
  int64_t wait_ms(int64_t tokens, int64_t now_ms);
  // Takes one request and `tokens` tokens if allowed now; false (and nothing taken) otherwise.
  bool try_acquire(int64_t tokens, int64_t now_ms);
  // Corrects the token bucket once the real usage is known (positive = used more than
  // estimated). The bucket may go negative, which delays later requests.
  void adjust_tokens(int64_t delta, int64_t now_ms);

  bool limits_requests() const { return rpm_ > 0; }
  bool limits_tokens() const { return tpm_ > 0; }

  // Steady-clock milliseconds, the time base callers should use.
  static int64_t now_ms();

 private:
  void refill(int64_t now_ms);
  double rpm_, tpm_;
  double requests_, tokens_;  // current bucket levels
  int64_t last_ms_;
};

}  // namespace pt
