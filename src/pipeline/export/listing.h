// `traces` and `relabels`: the newest rows as a terminal table (time, type or model, agent step,
// request kind, a one-line request preview, the picked files) or, with --json, as JSONL rows
// exactly as stored (docs/formats.md#rows columns).
#pragma once
#include <cstdio>
#include <string>

#include "core/row.h"
#include "store/store.h"
#include "util/result.h"

namespace pt {

struct ListOptions {
  Table table = Table::traces;
  RowFilter filter;  // the caller sets limit (CLI default 10; unset = all)
  bool json = false;
};

Result<void> list_rows(Store& store, const ListOptions& options, std::FILE* out);

// One table line's parts, exposed for tests.
struct ListedRow {
  std::string time;  // "2025-05-01 12:00:00" (UTC)
  std::string kind;  // type (traces) or model (relabels)
  std::string step;  // agent step id, shortened
  std::string request_type;
  std::string request;  // one-line preview of the user's request ("" when the payload has none)
  std::string picked;   // "a.ts, b.ts (+3)"
};
ListedRow describe_row(Table table, const Row& row);

}  // namespace pt
