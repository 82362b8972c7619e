// GitRowSink: writes `import git`'s rows to the store in batches while the caller builds the next
// batch. With SQLite, batches share a transaction until it holds kCommitRows traces, and flush()
// commits the rest (a sink destroyed unflushed, after an error, rolls its open transaction back).
// A full batch goes through two background stages: reading its file contents (with
// --with-file-context; git cat-file) and writing it. At most two batches are in flight and a
// batch's rows are freed as soon as it is written, so memory stays at about three batches whatever
// the history's length (rows_held()).
#pragma once
#include <atomic>
#include <future>
#include <memory>
#include <vector>

#include "pipeline/import/git_file_context.h"
#include "pipeline/import/git_trace.h"
#include "store/store.h"
#include "util/result.h"

namespace pt {

class GitRowSink {
 public:
  // `context` (may be null) reads each batch's file contents; it must outlive the sink.
  GitRowSink(Store& store, size_t batch, GitFileContext* context);
  ~GitRowSink();  // waits for the batches in flight
  GitRowSink(const GitRowSink&) = delete;
  GitRowSink& operator=(const GitRowSink&) = delete;

  // Queues a step's rows; a full batch starts its background stages. Returns the error of an
  // earlier batch's write (a failed write fails every later batch with its error).
  Result<void> add(GitTraceRows&& rows);
  // Waits for the batches in flight, writes the rest and commits.
  Result<void> flush();

  // Traces (with their truths) built and not yet freed: the queued batch and those in flight.
  size_t rows_held() const { return held_.load(); }

  UpsertStats traces, relabels;  // of the rows committed so far
  static constexpr size_t kCommitRows = 10000;

 private:
  struct Batch;
  Result<std::vector<Row>> read(Batch& batch);
  Result<void> write(const Batch& batch, const std::vector<Row>& blobs);
  Result<void> commit();
  void rollback();

  Store& store_;
  size_t batch_;
  GitFileContext* context_;
  std::atomic<size_t> held_{0};
  std::unique_ptr<Batch> pending_;
  std::shared_future<Result<void>> written_, older_;  // the last batch's write, the one before
  // Used by write tasks, one at a time (each waits for the one before), then by flush().
  bool group_open_ = false;
  size_t uncommitted_rows_ = 0;
  UpsertStats uncommitted_traces_, uncommitted_relabels_;
};

}  // namespace pt
