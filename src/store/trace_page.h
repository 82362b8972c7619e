// One page of the trace table for the browser of `picktune serve`: newest first, the store's
// filters (type, kind, user, agent step, time range) in SQL through RowFilter, keyset pagination
// on (created_at, id) so page 1000 costs what page 1 does, and an optional free-text filter on
// the request, applied here after reading (payloads may be compressed) within a row budget.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace pt {

struct TracePageQuery {
  RowFilter filter;  // limit and order are set here; `after` is the cursor (none: the newest rows)
  std::string text;  // case-insensitive substring of the request ("" = no text filter)
  int64_t page_size = 50;
  int64_t scan_budget = 20000;  // with text: rows read at most before a partial page is returned
};

struct TracePage {
  std::vector<Row> rows;
  std::optional<RowFilter::Keyset> next;  // cursor of the following page; none when this is the last
  int64_t examined = 0;                   // rows read
  bool budget_hit = false;                // text search stopped at scan_budget (page may be short)
};

Result<TracePage> trace_page(Store& store, const TracePageQuery& query);

// The request text of a trace for listing and searching: the picker request of a
// get-relevant-files trace, else "" (other types carry no request).
std::string trace_request_text(const Row& trace);

// "CREATEDUS_ID" <-> cursor (the `after` query parameter of /traces).
std::string format_cursor(const RowFilter::Keyset& k);
std::optional<RowFilter::Keyset> parse_cursor(std::string_view text);

}  // namespace pt
