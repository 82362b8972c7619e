// `export traces|relabels`: streams the rows matching a filter as JSONL (docs/formats.md#rows columns) to
// stdout or, with an output path, to a file that appears whole or not at all.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

#include "core/row.h"
#include "store/store.h"
#include "util/result.h"

namespace pt {

struct ExportOptions {
  Table table = Table::traces;
  RowFilter filter;    // newest first unless set otherwise; no limit by default
  std::string output;  // "" or "-" -> `out`
};

// Returns the number of rows written.
Result<int64_t> export_rows(Store& store, const ExportOptions& options, std::FILE* out);

}  // namespace pt
