// CaptureQueue: the request threads append under one mutex (spool write + in-memory queue, in the
// same order); the writer rotates the spool segment, commits that segment's rows in one group
// (both tables) and unlinks the segment only after the commit succeeded. A segment that went
// over the memory cap holds its rows only on disk; the writer reads it back in chunks of at most
// max_batch rows and memory_cap_bytes / 4 bytes, committing each, and unlinks it after the last.
#include "server/capture_queue.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <utility>

namespace pt::server {

Result<std::unique_ptr<CaptureQueue>> CaptureQueue::start(Store& store, CaptureQueueOptions options) {
  PT_ASSIGN_OR_RETURN(Spool spool, Spool::open(options.spool_dir));
  PT_ASSIGN_OR_RETURN(auto leftovers, spool.leftovers());
  std::unique_ptr<CaptureQueue> q(new CaptureQueue(store, std::move(options), std::move(spool)));
  for (auto& path : leftovers) {  // replayed from disk, like a segment that went over the memory cap
    Batch b;
    b.segment = path;
    b.on_disk = true;
    PT_TRY(read_spool_segment(path, q->opt_.max_batch, q->opt_.memory_cap_bytes, [&](std::vector<SpooledRow>& rows) {
      b.count += static_cast<int64_t>(rows.size());
      return true;
    }));
    std::error_code ec;
    b.bytes = static_cast<int64_t>(std::filesystem::file_size(path, ec));
    q->uncommitted_bytes_ += b.bytes;
    q->replayed_ += b.count;
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
  const auto size = static_cast<int64_t>(line.size());
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return runtime_error("capture queue is shutting down");
    PT_TRY(spool_.append(line));
    ++pending_.count;
    if (!pending_.on_disk && memory_bytes_ + size <= opt_.memory_cap_bytes) {
      pending_.rows.push_back(std::move(row));
      pending_.memory += size;
      memory_bytes_ += size;
    } else if (!pending_.on_disk) {  // over the cap: this segment's rows are read back from the spool
      pending_.on_disk = true;
      memory_bytes_ -= pending_.memory;
      pending_.memory = 0;
      std::vector<SpooledRow>().swap(pending_.rows);
      ++spilled_segments_;
    }
  }
  cv_.notify_one();
  return ok();
}

int64_t CaptureQueue::depth() const {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t n = pending_.count;
  for (const auto& b : uncommitted_) n += b.count;
  return n;
}

int64_t CaptureQueue::spool_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return uncommitted_bytes_ + spool_.current_bytes();
}

int64_t CaptureQueue::memory_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return memory_bytes_;
}

int64_t CaptureQueue::spilled_segments() const {
  std::lock_guard<std::mutex> lock(mu_);
  return spilled_segments_;
}

// The rows are moved into the store's call and back, so a batch is never copied.
bool CaptureQueue::commit(std::vector<SpooledRow>& rows) {
  std::vector<Row> parts[2];
  for (auto& r : rows) parts[r.table == Table::traces ? 0 : 1].push_back(std::move(r.row));
  bool grouped = store_.groups_upserts();
  bool ok_all = !grouped || store_.begin_group().ok();
  for (int i = 0; i < 2 && ok_all; ++i) {
    if (parts[i].empty()) continue;
    auto r = store_.upsert(i == 0 ? Table::traces : Table::relabels, parts[i]);
    if (!r.ok()) {
      ok_all = false;
      std::fprintf(stderr, "picktune serve: store write failed (rows kept in the spool): %s\n",
                   r.error().message.c_str());
    }
  }
  if (grouped && ok_all && !store_.commit_group().ok()) ok_all = false;
  if (grouped && !ok_all) store_.rollback_group();
  size_t next[2] = {0, 0};
  for (auto& r : rows) {
    int i = r.table == Table::traces ? 0 : 1;
    r.row = std::move(parts[i][next[i]++]);
  }
  return ok_all;
}

// Commits a whole batch: its rows in memory, or its segment read back in chunks (a chunk already
// committed when a later one fails is upserted again on the retry, which changes nothing).
bool CaptureQueue::commit_batch(Batch& b) {
  if (!b.on_disk) return commit(b.rows);
  auto done = read_spool_segment(b.segment, static_cast<size_t>(opt_.max_batch),
                                 std::max<int64_t>(1, opt_.memory_cap_bytes / 4),
                                 [&](std::vector<SpooledRow>& rows) { return commit(rows); });
  if (!done.ok()) std::fprintf(stderr, "picktune serve: %s\n", done.error().message.c_str());
  return done.ok() && *done;
}

void CaptureQueue::run() {
  using clock = std::chrono::steady_clock;
  while (true) {
    Batch* batch = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(opt_.flush_interval_ms),
                   [&] { return stopping_ || pending_.count >= opt_.max_batch; });
      if (pending_.count > 0) {  // the current segment becomes a batch; new rows go to a new segment
        pending_.bytes = spool_.current_bytes();
        pending_.segment = spool_.rotate();
        uncommitted_bytes_ += pending_.bytes;
        uncommitted_.push_back(std::exchange(pending_, Batch()));
      }
      if (!uncommitted_.empty())
        batch = &uncommitted_.front();  // stays queued until committed; push_back keeps it in place
      else if (stopping_)
        return;
    }
    if (!batch) continue;
    if (commit_batch(*batch)) {
      if (!batch->segment.empty()) ::unlink(batch->segment.c_str());
      std::lock_guard<std::mutex> lock(mu_);
      uncommitted_bytes_ -= batch->bytes;
      memory_bytes_ -= batch->memory;
      written_ += batch->count;
      uncommitted_.pop_front();
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
