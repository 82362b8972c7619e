// `import jsonl FILE…`: streams JSONL rows (files, `-` for stdin, zstd) into a Store in batched
// transactions, upserting by id so a re-import adds nothing twice. A bad line stops the import
// with `FILE:LINE: reason` (the current transaction is not written; earlier ones stay, and a re-run
// after fixing the line only adds what is missing) unless skip_bad, which skips and counts it.
#pragma once
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/row.h"
#include "store/store.h"
#include "util/line_reader.h"
#include "util/result.h"

namespace pt {

struct ImportJsonlOptions {
  std::vector<std::string> files;  // "-" = stdin
  std::optional<Table> table;      // forced table; otherwise told by the columns
  bool skip_bad = false;
  size_t batch_size = 100000;  // rows per transaction (stores that cannot group upserts:
                               // at most 10,000)
  size_t max_line_bytes = kDefaultMaxLineBytes;
  // Called with the rows committed so far, every 100,000 rows on long imports; empty: silent.
  std::function<void(int64_t rows)> on_progress;
};

struct ImportJsonlReport {
  int64_t rows = 0;  // rows read and stored
  UpsertStats traces, relabels;
  int64_t skipped = 0;                     // bad lines skipped (skip_bad)
  std::vector<std::string> skip_examples;  // the first few "FILE:LINE: reason"
};

// Runs the import.
Result<ImportJsonlReport> import_jsonl(Store& store, const ImportJsonlOptions& options);

}  // namespace pt
