// Implementation of ranker/work_split.h: workers sleep on a generation counter, wake for each
// run(), take blocks from a shared atomic cursor, and the caller waits until every worker is idle.
#include "ranker/work_split.h"

#include <algorithm>

namespace pt::ranker {

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
  for (;;) {
    {
      std::unique_lock lock(mu_);
      start_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    drain(id);
    {
      std::lock_guard lock(mu_);
      --busy_;
    }
    done_.notify_one();
  }
}

void WorkSplit::run(size_t n, size_t block, const std::function<void(size_t, size_t, unsigned)>& fn) {
  if (n == 0) return;
  block = std::max<size_t>(block, 1);
  if (workers_.empty() || n <= block) {
    for (size_t b = 0; b < n; b += block) fn(b, std::min(n, b + block), 0);
    return;
  }
  {
    std::lock_guard lock(mu_);
    fn_ = &fn;
    n_ = n;
    block_ = block;
    next_.store(0);
    busy_ = static_cast<unsigned>(workers_.size());
    ++generation_;
  }
  start_.notify_all();
  drain(0);
  std::unique_lock lock(mu_);
  done_.wait(lock, [&] { return busy_ == 0; });
}

}  // namespace pt::ranker
