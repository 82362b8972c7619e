// An in-memory Store for collect's tests: rows held in two vectors, scan() honouring the
// filter fields collect uses (type, model, user, step, request_type, time range, order, limit).
// Also a generated trace source (GeneratedStore) that never holds its rows, for memory tests.
#pragma once
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "store/store.h"

namespace pt::testing {

inline bool row_matches(const Row& r, const RowFilter& f) {
  if (f.type && r.type != *f.type) return false;
  if (f.model && r.model != *f.model) return false;
  if (f.user_id && r.user_id != *f.user_id) return false;
  if (f.agent_step_id && r.agent_step_id != *f.agent_step_id) return false;
  if (f.request_type && r.payload.find("\"request_type\":\"" + *f.request_type + "\"") == std::string::npos)
    return false;
  if (f.since_us && r.created_at_us < *f.since_us) return false;
  if (f.until_us && r.created_at_us >= *f.until_us) return false;
  return true;
}

class MemoryStore : public Store {
 public:
  std::vector<Row> traces, relabels;
  std::string describe() const override { return "memory:"; }
  Result<void> init() override { return ok(); }
  Result<UpsertStats> upsert(Table table, std::span<const Row> rows) override {
    auto& v = table == Table::traces ? traces : relabels;
    v.insert(v.end(), rows.begin(), rows.end());
    return UpsertStats{static_cast<int64_t>(rows.size()), 0};
  }
  Result<void> scan(Table table, const RowFilter& f, const std::function<bool(Row&&)>& visit) override {
    std::vector<Row> rows;
    for (const auto& r : table == Table::traces ? traces : relabels)
      if (row_matches(r, f)) rows.push_back(r);
    std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
      return f.order == RowFilter::Order::oldest_first ? a.created_at_us < b.created_at_us
                                                       : a.created_at_us > b.created_at_us;
    });
    int64_t n = 0;
    for (auto& r : rows) {
      if (f.limit && n++ >= *f.limit) break;
      if (!visit(std::move(r))) break;
    }
    return ok();
  }
  Result<int64_t> count(Table table, const RowFilter& f) override {
    int64_t n = 0;
    for (const auto& r : table == Table::traces ? traces : relabels) n += row_matches(r, f);
    return n;
  }
  Result<std::optional<Row>> get(Table table, const std::string& id) override {
    for (const auto& r : table == Table::traces ? traces : relabels)
      if (r.id == id) return std::optional<Row>(r);
    return std::optional<Row>();
  }
  Result<std::vector<RelabelKey>> relabeled_keys(const std::string&) override { return std::vector<RelabelKey>{}; }
};

// Traces produced on the fly by make_trace(i) for i in [0, n), relabels held in memory.
class GeneratedStore : public MemoryStore {
 public:
  int64_t n = 0;
  std::function<Row(int64_t)> make_trace;
  Result<void> scan(Table table, const RowFilter& f, const std::function<bool(Row&&)>& visit) override {
    if (table == Table::relabels) return MemoryStore::scan(table, f, visit);
    for (int64_t i = 0; i < n; ++i) {
      Row r = make_trace(i);
      if (row_matches(r, f) && !visit(std::move(r))) break;
    }
    return ok();
  }
};

}  // namespace pt::testing
