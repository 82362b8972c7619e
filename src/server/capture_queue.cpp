// CaptureQueue: the request threads append under one mutex (spool write + in-memory queue, in the
// same order); the writer rotates the spool segment, commits that segment's rows in one group
// (both tables) and unlinks the segment only after the commit succeeded.
#include "server/capture_queue.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

namespace pt::server {

Result<std::unique_ptr<CaptureQueue>> CaptureQueue::start(Store& store, CaptureQueueOptions options) {
  PT_ASSIGN_OR_RETURN(Spool spool, Spool::open(options.spool_dir));
  PT_ASSIGN_OR_RETURN(auto leftovers, spool.leftovers());
  std::unique_ptr<CaptureQueue> q(new CaptureQueue(store, std::move(options), std::move(spool)));
  for (auto& [path, rows] : leftovers) {
    Batch b;
    b.segment = path;
    b.rows = std::move(rows);
    std::error_code ec;
    b.bytes = static_cast<int64_t>(std::filesystem::file_size(path, ec));
    q->uncommitted_bytes_ += b.bytes;
    q->replayed_ += static_cast<int64_t>(b.rows.size());
    q->uncommitted_.push_back(std::move(b));
  }
  q->writer_ = std::thread([p = q.get()] { p->run(); });
  return q;
}

CaptureQueue::CaptureQueue(Store& store, CaptureQueueOptions options, Spool spool)
    : store_(store), opt_(std::move(options)), spool_(std::move(spool)) {}

CaptureQueue::~CaptureQueue() { drain(); }

Result<void> CaptureQueue::push(SpooledRow row) {
  std::string line = spool_line(row);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return runtime_error("capture queue is shutting down");
    PT_TRY(spool_.append(line));
    pending_.push_back(std::move(row));
  }
  cv_.notify_one();
  return ok();
}

int64_t CaptureQueue::depth() const {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t n = static_cast<int64_t>(pending_.size());
  for (const auto& b : uncommitted_) n += static_cast<int64_t>(b.rows.size());
  return n;
}

int64_t CaptureQueue::spool_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return uncommitted_bytes_ + spool_.current_bytes();
}

bool CaptureQueue::commit(const std::vector<SpooledRow>& rows) {
  std::vector<Row> traces, relabels;
  for (const auto& r : rows) (r.table == Table::traces ? traces : relabels).push_back(r.row);
  bool grouped = store_.groups_upserts();
  if (grouped && !store_.begin_group().ok()) return false;
  bool ok_all = true;
  for (int i = 0; i < 2 && ok_all; ++i) {
    auto& part = i == 0 ? traces : relabels;
    if (part.empty()) continue;
    auto r = store_.upsert(i == 0 ? Table::traces : Table::relabels, part);
    if (!r.ok()) {
      ok_all = false;
      std::fprintf(stderr, "picktune serve: store write failed (rows kept in the spool): %s\n",
                   r.error().message.c_str());
    }
  }
  if (grouped) {
    if (ok_all && !store_.commit_group().ok()) ok_all = false;
    if (!ok_all) store_.rollback_group();
  }
  return ok_all;
}

void CaptureQueue::run() {
  using clock = std::chrono::steady_clock;
  while (true) {
    Batch batch;
    bool have = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(opt_.flush_interval_ms),
                   [&] { return stopping_ || static_cast<int64_t>(pending_.size()) >= opt_.max_batch; });
      if (!pending_.empty()) {  // the current segment becomes a batch; new rows go to a new segment
        Batch b;
        b.bytes = spool_.current_bytes();
        b.segment = spool_.rotate();
        b.rows = std::move(pending_);
        pending_.clear();
        uncommitted_bytes_ += b.bytes;
        uncommitted_.push_back(std::move(b));
      }
      if (!uncommitted_.empty()) {
        batch.segment = uncommitted_.front().segment;
        batch.rows = uncommitted_.front().rows;  // copied: stays queued until committed
        batch.bytes = uncommitted_.front().bytes;
        have = true;
      } else if (stopping_) {
        return;
      }
    }
    if (!have) continue;
    if (commit(batch.rows)) {
      if (!batch.segment.empty()) ::unlink(batch.segment.c_str());
      std::lock_guard<std::mutex> lock(mu_);
      uncommitted_bytes_ -= batch.bytes;
      uncommitted_.pop_front();
      written_ += static_cast<int64_t>(batch.rows.size());
    } else {
      ++failed_commits_;
      std::unique_lock<std::mutex> lock(mu_);
      if (stopping_ && clock::now() >= give_up_at_) return;  // rows stay in the spool for the next run
      cv_.wait_for(lock, std::chrono::milliseconds(opt_.retry_interval_ms));
    }
  }
}

void CaptureQueue::drain(int timeout_ms) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) give_up_at_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    stopping_ = true;
  }
  cv_.notify_all();
  std::lock_guard<std::mutex> lock(join_mu_);
  if (writer_.joinable()) writer_.join();
}

}  // namespace pt::server
