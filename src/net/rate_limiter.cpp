// Implementation of net/rate_limiter.h: two continuous token buckets refilled at
// limit/60000 per ms, capped at one minute's worth.
#include "net/rate_limiter.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace pt {

RateLimiter::RateLimiter(double rpm, double tpm, int64_t now_ms)
    : rpm_(rpm > 0 ? rpm : 0), tpm_(tpm > 0 ? tpm : 0), requests_(rpm_), tokens_(tpm_), last_ms_(now_ms) {}

int64_t RateLimiter::now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

void RateLimiter::refill(int64_t now_ms) {
  if (now_ms <= last_ms_) return;
  double dt = static_cast<double>(now_ms - last_ms_);
  if (rpm_ > 0) requests_ = std::min(rpm_, requests_ + dt * rpm_ / 60000.0);
  if (tpm_ > 0) tokens_ = std::min(tpm_, tokens_ + dt * tpm_ / 60000.0);
  last_ms_ = now_ms;
}

int64_t RateLimiter::wait_ms(int64_t tokens, int64_t now_ms) {
  refill(now_ms);
  double wait = 0;
  if (rpm_ > 0 && requests_ < 1.0 - 1e-9) wait = std::max(wait, (1.0 - requests_) * 60000.0 / rpm_);
  if (tpm_ > 0) {
    double need = std::min(static_cast<double>(std::max<int64_t>(tokens, 0)), tpm_);
    if (tokens_ < need - 1e-6) wait = std::max(wait, (need - tokens_) * 60000.0 / tpm_);
  }
  return static_cast<int64_t>(std::ceil(wait));
}

bool RateLimiter::try_acquire(int64_t tokens, int64_t now_ms) {
  if (wait_ms(tokens, now_ms) > 0) return false;
  if (rpm_ > 0) requests_ -= 1.0;
  if (tpm_ > 0) tokens_ -= std::min(static_cast<double>(std::max<int64_t>(tokens, 0)), tpm_);
  return true;
}

void RateLimiter::adjust_tokens(int64_t delta, int64_t now_ms) {
  refill(now_ms);
  if (tpm_ > 0) tokens_ = std::min(tpm_, tokens_ - static_cast<double>(delta));
}

}  // namespace pt
