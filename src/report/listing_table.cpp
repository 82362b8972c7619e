// Implementation of report/listing_table.h: column widths from the rows, one line per row.
#include "report/listing_table.h"

#include <fmt/format.h>

#include <algorithm>

namespace pt {

std::string render_listing_table(const Listing& l) {
  if (l.rows.empty()) return fmt::format("no {} in {} match\n", table_name(l.table), l.store);
  const bool traces = l.table == Table::traces;
  size_t kind_w = traces ? 4 : 5;
  for (const ListedRow& r : l.rows) kind_w = std::max(kind_w, r.kind.size());
  std::string buf = fmt::format("{:<19}  {:<{}}  {:<12}  {:<11}  {}\n", "TIME", traces ? "TYPE" : "MODEL", kind_w,
                                "STEP", "KIND", traces ? "REQUEST  ->  PICKED" : "FILES");
  for (const ListedRow& r : l.rows) {
    std::string tail = traces ? (r.picked.empty() ? r.request : r.request + "  ->  " + r.picked) : r.picked;
    buf += fmt::format("{:<19}  {:<{}}  {:<12}  {:<11}  {}\n", r.time, r.kind, kind_w, r.step,
                       r.request_kind == RequestKind::absent ? std::string_view("-") : to_string(r.request_kind), tail);
  }
  buf += fmt::format("{} of {} {} (newest first)\n", l.rows.size(), l.total, table_name(l.table));
  return buf;
}

}  // namespace pt
