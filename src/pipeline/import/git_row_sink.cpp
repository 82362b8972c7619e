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
  if (pending_->traces.empty()) return ok();
  PT_ASSIGN_OR_RETURN(std::vector<Row> blobs, read(*pending_));
  PT_TRY(write(*pending_, blobs));
  pending_ = std::make_unique<Batch>(held_);
  return ok();
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

// One transaction for a batch's traces, blob traces and truths when the store can group upserts
// (SQLite: one commit instead of several, and its bulk mode), else one per upsert.
Result<void> GitRowSink::write(const Batch& batch, const std::vector<Row>& blobs) {
  const bool grouped = store_.groups_upserts();
  if (grouped) PT_TRY(store_.begin_group());
  Result<UpsertStats> t = store_.upsert(Table::traces, batch.traces);
  if (t.ok() && !blobs.empty()) {
    Result<UpsertStats> b = store_.upsert(Table::traces, blobs);
    if (!b.ok()) t = b.error();
  }
  Result<UpsertStats> r = t.ok() ? store_.upsert(Table::relabels, batch.truths) : Result<UpsertStats>(t.error());
  if (grouped) {
    if (r.ok()) {
      Result<void> committed = store_.commit_group();
      if (!committed.ok()) r = committed.error();
    }
    if (!r.ok()) store_.rollback_group();
  }
  if (!r.ok()) return r.error();
  traces.inserted += t->inserted;
  traces.updated += t->updated;
  traces.unchanged += t->unchanged;
  relabels.inserted += r->inserted;
  relabels.updated += r->updated;
  relabels.unchanged += r->unchanged;
  return ok();
}

}  // namespace pt
