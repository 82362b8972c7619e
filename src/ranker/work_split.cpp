// Implementation of ranker/work_split.h: workers wait for a new generation (spinning briefly, as
// runs come back to back, then sleeping), join the run if it is still open, and take blocks from a
// shared atomic cursor. The caller takes blocks as well, closes the run when none are left and
// waits only for workers that joined it (seq_cst on open_/active_: a worker either is counted by
// the caller or sees the run closed).
#include "ranker/work_split.h"

#include <algorithm>
#include <chrono>

namespace pt::ranker {

namespace {

// Polls `done` for about 500 microseconds; true once it holds. A learner's runs come every few
// hundred microseconds, so a worker that spins this long is awake for the next run instead of
// paying a futex wake-up (tens of microseconds on a VM) and arriving after the caller took its share.
template <typename Pred>
bool spin_until(Pred done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(500);
  for (int i = 0;; ++i) {
    if (done()) return true;
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > until) return false;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
}

}  // namespace

WorkSplit::WorkSplit(unsigned threads) {
  for (unsigned i = 1; i < std::max(threads, 1u); ++i) workers_.emplace_back([this, i] { loop(i); });
}

WorkSplit::~WorkSplit() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  start_.notify_all();
  for (auto& t : workers_) t.join();
}

void WorkSplit::drain(unsigned id) {
  for (;;) {
    size_t b = next_.fetch_add(block_);
    if (b >= n_) return;
    (*fn_)(b, std::min(n_, b + block_), id);
  }
}

void WorkSplit::loop(unsigned id) {
  uint64_t seen = 0;
  auto ready = [&] { return stop_.load() || generation_.load() != seen; };
  for (;;) {
    if (!spin_until(ready)) {
      std::unique_lock lock(mu_);
      start_.wait(lock, ready);
    }
    if (stop_) return;
    seen = generation_.load();
    active_.fetch_add(1);
    if (open_.load()) drain(id);
    if (active_.fetch_sub(1) == 1) {
      std::lock_guard lock(mu_);
      done_.notify_one();
    }
  }
}

void WorkSplit::run(size_t n, size_t block, const std::function<void(size_t, size_t, unsigned)>& fn) {
  if (n == 0) return;
  block = std::max<size_t>(block, 1);
  if (workers_.empty() || n <= block) {
    for (size_t b = 0; b < n; b += block) fn(b, std::min(n, b + block), 0);
    return;
  }
  fn_ = &fn;
  n_ = n;
  block_ = block;
  next_.store(0);
  open_.store(true);
  {
    std::lock_guard lock(mu_);
    generation_.fetch_add(1);
  }
  start_.notify_all();
  drain(0);
  open_.store(false);
  auto idle = [&] { return active_.load() == 0; };
  if (!spin_until(idle)) {
    std::unique_lock lock(mu_);
    done_.wait(lock, idle);
  }
}

}  // namespace pt::ranker
