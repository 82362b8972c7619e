// A few persistent threads that split an index range [0, n) for the learner's inner loops
// (lambda gradients per group, histograms and split search per feature, score updates per row).
// Work items are handed out in blocks to whichever thread is free; callers keep results
// deterministic by writing each item's result to its own slot (never by racing on shared sums).
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pt::ranker {

class WorkSplit {
 public:
  // `threads` counts the caller: 1 runs everything on the caller's thread.
  explicit WorkSplit(unsigned threads);
  ~WorkSplit();
  WorkSplit(const WorkSplit&) = delete;
  WorkSplit& operator=(const WorkSplit&) = delete;

  unsigned threads() const { return static_cast<unsigned>(workers_.size()) + 1; }

  // Calls fn(begin, end, thread) on the blocks [k * block, (k + 1) * block) ∩ [0, n) (the same
  // blocks for any thread count); returns when all are done. `thread` is 0..threads()-1 (for
  // per-thread scratch space). The caller takes blocks too and never waits for a worker that
  // has not started: a worker that wakes after every block is taken skips the run, so a busy
  // machine that is slow to schedule a worker costs that worker's share, not a stall.
  void run(size_t n, size_t block, const std::function<void(size_t, size_t, unsigned)>& fn);

 private:
  void loop(unsigned id);
  void drain(unsigned id);

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable start_, done_;
  std::atomic<uint64_t> generation_{0};  // bumped by each run()
  std::atomic<bool> open_{false};        // a run's blocks may be joined
  std::atomic<unsigned> active_{0};      // workers that may be inside a run's blocks
  std::atomic<bool> stop_{false};
  const std::function<void(size_t, size_t, unsigned)>* fn_ = nullptr;
  size_t n_ = 0, block_ = 1;
  std::atomic<size_t> next_{0};
};

}  // namespace pt::ranker
