// A trace source for collect's memory tests: traces made on the fly by make_trace(i) for i in
// [0, n) and never held, relabels held by the in-memory store of src/store/memory.
#pragma once
#include <functional>
#include <string>

#include "store/memory/memory_store.h"

namespace pt::testing {

// The filter fields collect uses on traces (type, user, step, time range).
inline bool trace_matches(const Row& r, const RowFilter& f) {
  if (f.type && r.type != *f.type) return false;
  if (f.user_id && r.user_id != *f.user_id) return false;
  if (f.agent_step_id && r.agent_step_id != *f.agent_step_id) return false;
  if (f.since_us && r.created_at_us < *f.since_us) return false;
  if (f.until_us && r.created_at_us >= *f.until_us) return false;
  return true;
}

// Traces produced on the fly by make_trace(i) for i in [0, n), relabels held in memory.
class GeneratedStore : public MemoryStore {
 public:
  int64_t n = 0;
  std::function<Row(int64_t)> make_trace;
  Result<void> scan(Table table, const RowFilter& f, const std::function<bool(Row&&)>& visit) override {
    if (table == Table::relabels) return MemoryStore::scan(table, f, visit);
    for (int64_t i = 0; i < n; ++i) {
      Row r = make_trace(i);
      if (trace_matches(r, f) && !visit(std::move(r))) break;
    }
    return ok();
  }
};

}  // namespace pt::testing
