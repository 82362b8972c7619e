// Trace and relabel writes off the request's path: push() appends the row to the spool (durable
// against a crash when it returns) and queues it; one writer thread commits queued rows in
// batched transactions and then deletes their spool segment. Memory is bounded: rows are held in
// memory only up to `memory_cap_bytes`; beyond it (a slow or failing store) a segment's rows are
// kept only in the spool and read back from it in order, in bounded chunks, when their turn comes.
// If the store fails, rows are retried; rows spooled by an earlier run are replayed first.
// Rows are upserted by id, so a replayed row lands exactly once.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/spool.h"
#include "store/store.h"

namespace pt::server {

struct CaptureQueueOptions {
  std::string spool_dir;
  int64_t max_batch = 2000;               // rows per transaction at most
  int flush_interval_ms = 20;             // the writer waits this long to gather a batch
  int retry_interval_ms = 500;            // after a failed commit
  int64_t memory_cap_bytes = 16ll << 20;  // spool-line bytes of rows held in memory at most
};

class CaptureQueue {
 public:
  // Opens the spool and starts the writer (which first replays leftover segments).
  static Result<std::unique_ptr<CaptureQueue>> start(Store& store, CaptureQueueOptions options);
  ~CaptureQueue();  // drain()s

  // Durable on return (in the spool); committed to the store later.
  Result<void> push(SpooledRow row);
  // Commits everything queued (retrying a failing store until `timeout_ms`), stops the writer.
  void drain(int timeout_ms = 30000);

  int64_t depth() const;        // rows queued, not yet committed
  int64_t spool_bytes() const;  // bytes in spool segments not yet deleted
  int64_t written() const { return written_.load(); }
  int64_t failed_commits() const { return failed_commits_.load(); }
  int64_t replayed() const { return replayed_.load(); }
  int64_t memory_bytes() const;      // spool-line bytes of the rows held in memory
  int64_t spilled_segments() const;  // segments whose rows were left to the spool (memory cap), so far

 private:
  CaptureQueue(Store& store, CaptureQueueOptions options, Spool spool);
  void run();
  bool commit(std::vector<SpooledRow>& rows);

  struct Batch {
    std::string segment;           // spool file holding exactly these rows
    std::vector<SpooledRow> rows;  // in memory, unless on_disk
    bool on_disk = false;          // the rows are read back from `segment` when committed
    int64_t count = 0;             // rows in the segment
    int64_t bytes = 0;             // of the segment file
    int64_t memory = 0;            // of `rows`
  };
  bool commit_batch(Batch& b);

  Store& store_;
  CaptureQueueOptions opt_;
  mutable std::mutex mu_;
  std::mutex join_mu_;  // drain() may be called from two threads
  std::condition_variable cv_;
  Spool spool_;
  Batch pending_;                  // the current segment's rows (its path set when rotated)
  std::deque<Batch> uncommitted_;  // rotated segments waiting for a commit; only the writer pops
  int64_t uncommitted_bytes_ = 0, memory_bytes_ = 0, spilled_segments_ = 0;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point give_up_at_{};
  std::atomic<int64_t> written_{0}, failed_commits_{0}, replayed_{0};
  std::thread writer_;
};

}  // namespace pt::server
