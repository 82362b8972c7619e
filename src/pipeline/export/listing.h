// `traces` and `relabels`: the newest rows as data for a terminal table (time, type or model,
// agent step, request kind, a one-line request preview, the picked files; report/listing_table.h
// lays them out) or, with --json, written as JSONL rows exactly as stored (docs/formats.md#rows columns).
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "core/row.h"
#include "store/store.h"
#include "util/result.h"

namespace pt {

struct ListOptions {
  Table table = Table::traces;
  RowFilter filter;  // the caller sets limit (CLI default 10; unset = all)
  bool json = false;
};

// One table line's parts.
struct ListedRow {
  std::string time;  // "2025-05-01 12:00:00" (UTC)
  std::string kind;  // type (traces) or model (relabels)
  std::string step;  // agent step id, shortened
  RequestKind request_kind = RequestKind::absent;
  std::string request;  // one-line preview of the user's request ("" when the payload has none)
  std::string picked;   // "a.ts, b.ts (+3)"
};
ListedRow describe_row(Table table, const Row& row);

struct Listing {
  Table table = Table::traces;
  std::string store;            // the store's description, for "no traces in STORE match"
  std::vector<ListedRow> rows;  // newest first
  int64_t total = 0;            // rows matching the filter without its limit (0 when none match)
};

// The rows for the table (json is ignored).
Result<Listing> list_rows(Store& store, const ListOptions& options);
// --json: the rows exactly as stored, one JSON object per line, streamed to `out`.
Result<void> write_listing_jsonl(Store& store, const ListOptions& options, std::FILE* out);

}  // namespace pt
