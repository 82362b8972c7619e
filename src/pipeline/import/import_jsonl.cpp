// Implementation of pipeline/import/import_jsonl.h as a two-stage pipeline: a reader thread reads and
// parses lines into row batches of ≤ 10,000 rows while the calling thread upserts the previous
// one. Stores that can group upserts (SQLite) get one transaction per --batch-size rows, the
// others one per batch. Batches are recycled between the threads, so buffers are reused.
#include "pipeline/import/import_jsonl.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "core/jsonl_row.h"

namespace pt {
namespace {

constexpr size_t kSkipExamples = 5;
constexpr int64_t kProgressEvery = 100000;
constexpr size_t kBatchesInFlight = 3;  // one being parsed, one queued, one being written
constexpr size_t kParseBatchRows = 10000;

bool blank(std::string_view line) {
  for (char c : line)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

struct Batch {
  std::vector<Row> traces, relabels;
  size_t n_traces = 0, n_relabels = 0;
  size_t size() const { return n_traces + n_relabels; }
};

// A blocking hand-over queue of batches; close() ends it once drained, cancel() at once.
class BatchQueue {
 public:
  void push(std::unique_ptr<Batch> b) {
    std::lock_guard lock(mu_);
    if (cancelled_) return;
    items_.push_back(std::move(b));
    cv_.notify_all();
  }
  std::unique_ptr<Batch> pop() {  // null once closed and drained
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return nullptr;
    auto b = std::move(items_.front());
    items_.pop_front();
    return b;
  }
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  // Closes and drops what is queued: pop() returns null from now on.
  void cancel() {
    std::lock_guard lock(mu_);
    closed_ = cancelled_ = true;
    items_.clear();
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Batch>> items_;
  bool closed_ = false, cancelled_ = false;
};

// Reads every input file and hands full batches to `full`; takes empty ones from `free`.
class BatchReader {
 public:
  BatchReader(const ImportJsonlOptions& o, BatchQueue& full, BatchQueue& free)
      : opts_(o), parser_(o.table), full_(full), free_(free) {}

  // Runs to the end of input, the first bad line (unless skip_bad) or until free_ is cancelled.
  void run() {
    result_ = read_all();
    if (result_.ok() && cur_ && cur_->size() > 0) full_.push(std::move(cur_));
    full_.close();
  }
  const Result<void>& result() const { return result_; }
  bool stopped_at_bad_line() const { return bad_line_; }
  int64_t skipped() const { return skipped_; }
  std::vector<std::string>& skip_examples() { return skip_examples_; }

 private:
  Result<void> read_all() {
    for (const std::string& path : opts_.files) PT_TRY(read_file(path));
    return ok();
  }

  Result<void> read_file(const std::string& path) {
    const std::string name = path == "-" ? "stdin" : path;
    PT_ASSIGN_OR_RETURN(auto reader, LineReader::open(path, opts_.max_line_bytes));
    std::string_view line;
    for (;;) {
      Result<bool> got = reader->next(line);
      std::string reason;
      if (!got.ok()) {
        if (reader->failed()) return got.error();  // I/O or decompression: not about one line
        reason = got.error().message;
      } else if (!*got) {
        return ok();
      } else if (blank(line)) {
        continue;
      } else {
        if (!cur_ && !(cur_ = free_.pop())) return runtime_error("import cancelled");
        Result<Table> parsed = parse(line);
        if (parsed.ok()) {
          if (cur_->size() >= std::min(opts_.batch_size, kParseBatchRows)) full_.push(std::move(cur_));
          continue;
        }
        reason = parsed.error().message;
      }
      std::string where = fmt::format("{}:{}: {}", name, reader->line_number(), reason);
      if (!opts_.skip_bad) {
        bad_line_ = true;
        return runtime_error(where);
      }
      ++skipped_;
      if (skip_examples_.size() < kSkipExamples) skip_examples_.push_back(std::move(where));
    }
  }

  // Parses into a scratch row, then swaps it into the batch (buffers are reused).
  Result<Table> parse(std::string_view line) {
    Result<Table> t = parser_.parse(line, scratch_);
    if (!t.ok()) return t;
    std::vector<Row>& rows = *t == Table::traces ? cur_->traces : cur_->relabels;
    size_t& used = *t == Table::traces ? cur_->n_traces : cur_->n_relabels;
    if (used == rows.size()) rows.emplace_back();
    std::swap(rows[used++], scratch_);
    return t;
  }

  const ImportJsonlOptions& opts_;
  JsonlRowParser parser_;
  BatchQueue& full_;
  BatchQueue& free_;
  std::unique_ptr<Batch> cur_;
  Row scratch_;
  Result<void> result_ = ok();
  bool bad_line_ = false;
  int64_t skipped_ = 0;
  std::vector<std::string> skip_examples_;
};

// Writes batches, one transaction per `transaction_rows` rows where the store can group upserts.
class Importer {
 public:
  Importer(Store& store, size_t transaction_rows, const std::function<void(int64_t)>& progress)
      : store_(store),
        grouping_(store.groups_upserts() && transaction_rows > kParseBatchRows),
        transaction_rows_(transaction_rows),
        progress_(progress) {}
  ~Importer() {
    if (group_rows_ > 0) store_.rollback_group();
  }

  Result<void> write(Batch& b) {
    if (grouping_ && group_rows_ == 0) PT_TRY(store_.begin_group());
    group_rows_ += b.size();
    Result<void> r = write_rows(Table::traces, b.traces, b.n_traces, report_.traces);
    if (r.ok()) r = write_rows(Table::relabels, b.relabels, b.n_relabels, report_.relabels);
    b.n_traces = b.n_relabels = 0;
    if (!r.ok()) group_rows_ = 0;  // the failed upsert rolled the group back
    if (r.ok() && (!grouping_ || group_rows_ >= transaction_rows_)) r = commit();
    return r;
  }

  // Commits the open group (if any); the rows written so far are then kept.
  Result<void> commit() {
    if (grouping_ && group_rows_ > 0) PT_TRY(store_.commit_group());
    group_rows_ = 0;
    committed_ = report_.rows;
    if (progress_ && committed_ / kProgressEvery != last_progress_ / kProgressEvery) progress_(committed_);
    last_progress_ = committed_;
    return ok();
  }

  Error stopped(const std::string& where) {
    if (group_rows_ > 0) store_.rollback_group();
    group_rows_ = 0;
    if (committed_ == 0) return runtime_error(where + " (import stopped; nothing was stored)");
    return runtime_error(fmt::format(
        "{} (import stopped; {} rows from earlier batches were kept, none of this batch; fix the line and re-run: "
        "rows already stored are not added twice)",
        where, committed_));
  }

  ImportJsonlReport& report() { return report_; }

 private:
  Result<void> write_rows(Table t, const std::vector<Row>& rows, size_t n, UpsertStats& total) {
    if (n == 0) return ok();
    PT_ASSIGN_OR_RETURN(UpsertStats stats, store_.upsert(t, std::span<const Row>(rows.data(), n)));
    total += stats;
    report_.rows += static_cast<int64_t>(n);
    return ok();
  }

  Store& store_;
  const bool grouping_;
  const size_t transaction_rows_;
  const std::function<void(int64_t)>& progress_;
  ImportJsonlReport report_;
  size_t group_rows_ = 0;  // rows written in the open group
  int64_t committed_ = 0;  // rows in committed transactions
  int64_t last_progress_ = 0;
};

}  // namespace

Result<ImportJsonlReport> import_jsonl(Store& store, const ImportJsonlOptions& options) {
  if (options.files.empty()) return usage_error("import jsonl: give at least one FILE (or - for stdin)");
  if (options.batch_size == 0) return usage_error("--batch-size must be at least 1");
  BatchQueue full, free;
  for (size_t i = 0; i < kBatchesInFlight; ++i) free.push(std::make_unique<Batch>());
  BatchReader reader(options, full, free);
  std::thread reading([&] { reader.run(); });
  Importer importer(store, options.batch_size, options.on_progress);
  Result<void> written = ok();
  while (auto batch = full.pop()) {
    if (written.ok()) written = importer.write(*batch);
    if (!written.ok()) free.cancel();  // stops the reader; the loop drains what it queued
    free.push(std::move(batch));
  }
  reading.join();
  if (written.ok() && reader.result().ok()) written = importer.commit();
  if (!written.ok()) return written.error();
  if (!reader.result().ok()) {
    if (reader.stopped_at_bad_line()) return importer.stopped(reader.result().error().message);
    return reader.result().error();
  }
  importer.report().skipped = reader.skipped();
  importer.report().skip_examples = std::move(reader.skip_examples());
  return std::move(importer.report());
}

}  // namespace pt
