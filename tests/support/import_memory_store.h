// An in-memory Store for the git-import tests: rows by id per table, upsert counts inserts vs
// replacements like the real stores; filters on type/model/user/agent step only.
#pragma once
#include <map>

#include "store/store.h"

namespace pt::testing {

class MemStore : public Store {
 public:
  std::string describe() const override { return "mem:"; }
  Result<void> init() override { return ok(); }
  Result<UpsertStats> upsert(Table table, std::span<const Row> rows) override {
    UpsertStats s;
    ++transactions;
    for (const Row& r : rows) {
      auto [it, inserted] = tables_[table].insert_or_assign(r.id, r);
      (inserted ? s.inserted : s.updated)++;
    }
    return s;
  }
  Result<void> scan(Table table, const RowFilter& f, const std::function<bool(Row&&)>& visit) override {
    for (const Row& r : rows(table, f))
      if (!visit(Row(r))) break;
    return ok();
  }
  Result<int64_t> count(Table table, const RowFilter& f) override {
    return static_cast<int64_t>(rows(table, f).size());
  }
  Result<std::optional<Row>> get(Table table, const std::string& id) override {
    auto it = tables_[table].find(id);
    if (it == tables_[table].end()) return std::optional<Row>();
    return std::optional<Row>(it->second);
  }
  Result<std::vector<RelabelKey>> relabeled_keys(const std::string&) override { return std::vector<RelabelKey>{}; }

  // Matching rows, oldest first.
  std::vector<Row> rows(Table table, const RowFilter& f = {}) {
    std::vector<Row> out;
    for (const auto& [id, r] : tables_[table]) {
      if (f.type && r.type != *f.type) continue;
      if (f.model && r.model != *f.model) continue;
      if (f.user_id && r.user_id != *f.user_id) continue;
      if (f.agent_step_id && r.agent_step_id != *f.agent_step_id) continue;
      out.push_back(r);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Row& a, const Row& b) { return a.created_at_us < b.created_at_us; });
    return out;
  }
  int transactions = 0;

 private:
  std::map<Table, std::map<std::string, Row>> tables_;
};

}  // namespace pt::testing
