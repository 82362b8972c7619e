// The in-memory store plus rows no real store would accept (a payload that is not JSON), as a
// corrupt export or a foreign table might hand them out: tests of collect and eval use it to
// check that such rows are named, not fatal. Scans merge both in the filter's order.
#pragma once
#include <algorithm>
#include <functional>
#include <vector>

#include "store/memory/memory_store.h"

namespace pt::testing {

class UncheckedRows : public MemoryStore {
 public:
  UncheckedRows() = default;
  explicit UncheckedRows(const MemoryStore& base) : MemoryStore(base.tables()) {}
  std::vector<Row> traces, relabels;  // the unchecked rows, beside the store's own

  Result<void> scan(Table table, const RowFilter& f, const std::function<bool(Row&&)>& visit) override {
    RowFilter all = f;
    all.limit.reset();
    std::vector<Row> rows;
    PT_TRY(MemoryStore::scan(table, all, [&](Row&& r) {
      rows.push_back(std::move(r));
      return true;
    }));
    for (const Row& r : table == Table::traces ? traces : relabels)
      if ((!f.type || r.type == *f.type) && (!f.model || r.model == *f.model) &&
          (!f.since_us || r.created_at_us >= *f.since_us) && (!f.until_us || r.created_at_us < *f.until_us))
        rows.push_back(r);
    const bool newest = f.order == RowFilter::Order::newest_first;
    std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
      if (a.created_at_us != b.created_at_us)
        return newest ? a.created_at_us > b.created_at_us : a.created_at_us < b.created_at_us;
      return newest ? a.id > b.id : a.id < b.id;
    });
    if (f.limit && static_cast<int64_t>(rows.size()) > *f.limit) rows.resize(static_cast<size_t>(*f.limit));
    for (Row& r : rows)
      if (!visit(std::move(r))) break;
    return ok();
  }
};

}  // namespace pt::testing
