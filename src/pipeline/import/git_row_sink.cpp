// Implementation of pipeline/import/git_row_sink.h. Each full batch gets one task that reads its
// file contents (on its own thread, so two batches may be read at once, each with its own git
// runs) and one that writes it after the previous batch's write (the store is only ever used by
// one thread at a time). Neither task keeps the batch, its contents or the previous write alive
// once it is done: a std::async state keeps its callable until the state itself goes, and a chain
// of captured futures would otherwise keep every batch of the history in memory.
#include "pipeline/import/git_row_sink.h"

#include <algorithm>

namespace pt {

struct GitRowSink::Batch {
  explicit Batch(std::atomic<size_t>& held) : held(held) {}
  ~Batch() { held -= traces.size(); }
  std::atomic<size_t>& held;
  std::vector<Row> traces, truths;
  std::vector<std::vector<std::string>> candidates;
};

GitRowSink::GitRowSink(Store& store, size_t batch, GitFileContext* context)
    : store_(store), batch_(std::max<size_t>(batch, 1)), context_(context), pending_(std::make_unique<Batch>(held_)) {}

GitRowSink::~GitRowSink() {
  if (written_.valid()) written_.wait();
  rollback();  // rows not flushed are not committed
}

Result<void> GitRowSink::add(GitTraceRows&& rows) {
  pending_->traces.push_back(std::move(rows.trace));
  pending_->truths.push_back(std::move(rows.truth));
  pending_->candidates.push_back(std::move(rows.context_candidates));
  ++held_;
  if (pending_->traces.size() < batch_) return ok();
  // At most two batches in flight: the one before last must be written (so read) before this one
  // starts; the last one may still be read while this one is.
  if (older_.valid()) PT_TRY(older_.get());
  older_ = {};
  std::shared_ptr<Batch> batch(std::move(pending_));
  pending_ = std::make_unique<Batch>(held_);
  std::future<Result<std::vector<Row>>> contents =
      std::async(std::launch::async, [this, batch] { return read(*batch); });
  older_ = written_;
  written_ = std::async(std::launch::async,
                        [this, batch = std::move(batch), before = written_,
                         contents = std::move(contents)]() mutable -> Result<void> {
                          // Locals, so all three are released when this returns.
                          std::shared_ptr<Batch> mine = std::move(batch);
                          std::shared_future<Result<void>> previous = std::move(before);
                          Result<std::vector<Row>> blobs = std::move(contents).get();
                          if (previous.valid()) {
                            Result<void> r = previous.get();
                            previous = {};
                            if (!r.ok()) return r;
                          }
                          if (!blobs.ok()) return blobs.error();
                          return write(*mine, *blobs);
                        })
                 .share();
  return ok();
}

Result<void> GitRowSink::flush() {
  if (written_.valid()) PT_TRY(written_.get());
  older_ = {};
  if (pending_->traces.empty()) return commit();
  PT_ASSIGN_OR_RETURN(std::vector<Row> blobs, read(*pending_));
  PT_TRY(write(*pending_, blobs));
  pending_ = std::make_unique<Batch>(held_);
  return commit();
}

// The batch's blob traces (none without file context).
Result<std::vector<Row>> GitRowSink::read(Batch& batch) {
  if (!context_) return std::vector<Row>();
  std::vector<FileContextRequest> requests;
  requests.reserve(batch.traces.size());
  for (size_t i = 0; i < batch.traces.size(); ++i) {
    std::string_view step = batch.traces[i].agent_step_id;  // "git:HASH"
    requests.push_back(
        FileContextRequest{&batch.traces[i], std::string(step.substr(4)) + "^", std::move(batch.candidates[i])});
  }
  return context_->rows(requests);
}

// With a store that groups upserts (SQLite), batches share one transaction until it holds
// kCommitRows traces: a commit rewrites every index page the transaction touched (and, in bulk
// mode, journals its old content), and a history's random ids touch most of them in every batch,
// so committing each 500-trace batch wrote 49 MB for express's 18 MB store (now 18.8 MB). A store
// that does not group commits each upsert. The counts are credited when their rows are committed.
Result<void> GitRowSink::write(const Batch& batch, const std::vector<Row>& blobs) {
  const bool grouped = store_.groups_upserts();
  if (grouped && !group_open_) {
    PT_TRY(store_.begin_group());
    group_open_ = true;
  }
  Result<UpsertStats> t = store_.upsert(Table::traces, batch.traces);
  if (t.ok() && !blobs.empty()) {
    Result<UpsertStats> b = store_.upsert(Table::traces, blobs);
    if (!b.ok()) t = b.error();
  }
  Result<UpsertStats> r = t.ok() ? store_.upsert(Table::relabels, batch.truths) : Result<UpsertStats>(t.error());
  if (!r.ok()) {
    rollback();
    return r.error();
  }
  uncommitted_traces_ += *t;
  uncommitted_relabels_ += *r;
  uncommitted_rows_ += batch.traces.size();
  if (!grouped || uncommitted_rows_ >= kCommitRows) return commit();
  return ok();
}

Result<void> GitRowSink::commit() {
  if (group_open_) {
    if (Result<void> r = store_.commit_group(); !r.ok()) {
      rollback();
      return r;
    }
    group_open_ = false;
  }
  traces += uncommitted_traces_;
  relabels += uncommitted_relabels_;
  uncommitted_traces_ = uncommitted_relabels_ = {};
  uncommitted_rows_ = 0;
  return ok();
}

void GitRowSink::rollback() {
  if (group_open_) store_.rollback_group();
  group_open_ = false;
  uncommitted_traces_ = uncommitted_relabels_ = {};
  uncommitted_rows_ = 0;
}

}  // namespace pt
