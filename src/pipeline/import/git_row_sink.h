// GitRowSink: writes `import git`'s rows to the store in batches, one upsert transaction per batch,
// while the caller builds the next batch. A full batch goes through two background stages: reading
// its file contents (with --with-file-context; git cat-file) and writing it. At most two batches
// are in flight and a batch's rows are freed as soon as it is written, so memory stays at about
// three batches whatever the history's length (rows_held()).
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
  // Waits for the batches in flight and writes the rest.
  Result<void> flush();

  // Traces (with their truths) built and not yet freed: the queued batch and those in flight.
  size_t rows_held() const { return held_.load(); }

  UpsertStats traces, relabels;

 private:
  struct Batch;
  Result<std::vector<Row>> read(Batch& batch);
  Result<void> write(const Batch& batch, const std::vector<Row>& blobs);

  Store& store_;
  size_t batch_;
  GitFileContext* context_;
  std::atomic<size_t> held_{0};
  std::unique_ptr<Batch> pending_;
  std::shared_future<Result<void>> written_, older_;  // the last batch's write, the one before
};

}  // namespace pt
