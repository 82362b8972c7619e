// Implementation of pipeline/import_jsonl.h: one reused parser and two reused row batches (one
// per table); each flush is one upsert (one transaction) per table.
#include "pipeline/import_jsonl.h"

#include <fmt/format.h>

#include "core/jsonl_row.h"

namespace pt {
namespace {

constexpr size_t kSkipExamples = 5;
constexpr int64_t kProgressEvery = 100000;

bool blank(std::string_view line) {
  for (char c : line)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

class Importer {
 public:
  Importer(Store& store, const ImportJsonlOptions& o, std::FILE* progress)
      : store_(store), opts_(o), parser_(o.table), progress_(progress) {}

  Result<void> run_file(const std::string& path) {
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
        Result<Table> parsed = parse(line);
        if (parsed.ok()) {
          if (pending() >= opts_.batch_size) PT_TRY(flush());
          continue;
        }
        reason = parsed.error().message;
      }
      std::string where = fmt::format("{}:{}: {}", name, reader->line_number(), reason);
      if (!opts_.skip_bad) return stopped(where);
      ++report_.skipped;
      if (report_.skip_examples.size() < kSkipExamples) report_.skip_examples.push_back(std::move(where));
    }
  }

  Result<void> flush() {
    for (Table t : {Table::traces, Table::relabels}) {
      Batch& b = batch(t);
      if (b.used == 0) continue;
      auto stats = store_.upsert(t, std::span<const Row>(b.rows.data(), b.used));
      if (!stats.ok()) return stats.error();
      UpsertStats& total = t == Table::traces ? report_.traces : report_.relabels;
      total.inserted += stats->inserted;
      total.updated += stats->updated;
      total.unchanged += stats->unchanged;
      report_.rows += static_cast<int64_t>(b.used);
      b.used = 0;
    }
    if (progress_ && report_.rows / kProgressEvery != last_progress_ / kProgressEvery) {
      std::fprintf(progress_, "picktune: %lld rows imported so far\n", static_cast<long long>(report_.rows));
      std::fflush(progress_);
    }
    last_progress_ = report_.rows;
    return ok();
  }

  ImportJsonlReport& report() { return report_; }

 private:
  struct Batch {
    std::vector<Row> rows;
    size_t used = 0;
  };
  Batch& batch(Table t) { return t == Table::traces ? traces_ : relabels_; }
  size_t pending() const { return traces_.used + relabels_.used; }

  // Parses into a scratch row, then swaps it into the table's batch (buffers are reused).
  Result<Table> parse(std::string_view line) {
    Result<Table> t = parser_.parse(line, scratch_);
    if (!t.ok()) return t;
    Batch& b = batch(*t);
    if (b.used == b.rows.size()) b.rows.emplace_back();
    std::swap(b.rows[b.used++], scratch_);
    return t;
  }

  Error stopped(const std::string& where) const {
    if (report_.rows == 0) return runtime_error(where + " (import stopped; nothing was stored)");
    return runtime_error(fmt::format(
        "{} (import stopped; {} rows from earlier batches were kept, none of this batch; fix the line and re-run: "
        "rows already stored are not added twice)",
        where, report_.rows));
  }

  Store& store_;
  const ImportJsonlOptions& opts_;
  JsonlRowParser parser_;
  std::FILE* progress_;
  Row scratch_;
  Batch traces_, relabels_;
  ImportJsonlReport report_;
  int64_t last_progress_ = 0;
};

}  // namespace

Result<ImportJsonlReport> import_jsonl(Store& store, const ImportJsonlOptions& options, std::FILE* progress) {
  if (options.files.empty()) return usage_error("import jsonl: give at least one FILE (or - for stdin)");
  if (options.batch_size == 0) return usage_error("--batch-size must be at least 1");
  Importer importer(store, options, progress);
  for (const std::string& path : options.files) PT_TRY(importer.run_file(path));
  PT_TRY(importer.flush());
  return std::move(importer.report());
}

std::string import_summary(const ImportJsonlReport& r, const std::string& store_name) {
  auto part = [](const UpsertStats& s) { return fmt::format("{} new, {} updated, {} unchanged", s.inserted, s.updated, s.unchanged); };
  std::string out = fmt::format("imported {} rows into {}: traces {}; relabels {}", r.rows, store_name, part(r.traces), part(r.relabels));
  if (r.skipped > 0) {
    out += fmt::format("\nskipped {} bad line{}:", r.skipped, r.skipped == 1 ? "" : "s");
    for (const std::string& e : r.skip_examples) out += "\n  " + e;
    if (r.skipped > static_cast<int64_t>(r.skip_examples.size())) out += "\n  ...";
  }
  return out;
}

}  // namespace pt
