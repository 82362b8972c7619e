// The in-memory Store: both tables held as rows by id, behind the same contract as the sqlite,
// postgres and bigquery backends (tests/store/conformance runs it): upsert by id replaces the row
// and counts inserted / updated / unchanged, batches are all-or-nothing, payloads must be JSON
// objects, scans filter and order by (created_at, id bytewise). Used by tests instead of a backend.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.h"

namespace pt {

class MemoryStore : public Store {
 public:
  // The tables; several stores made from one Tables share (and re-open) the same rows.
  struct Tables;
  MemoryStore();
  explicit MemoryStore(std::shared_ptr<Tables> tables);
  ~MemoryStore() override;
  std::shared_ptr<Tables> tables() const { return tables_; }

  std::string describe() const override { return "memory:"; }
  Result<void> init() override { return ok(); }
  Result<UpsertStats> upsert(Table table, std::span<const Row> rows) override;
  Result<void> scan(Table table, const RowFilter& filter, const std::function<bool(Row&&)>& visit) override;
  Result<int64_t> count(Table table, const RowFilter& filter) override;
  Result<std::optional<Row>> get(Table table, const std::string& id) override;
  bool groups_upserts() const override { return true; }
  Result<void> begin_group() override;
  Result<void> commit_group() override;
  void rollback_group() override;
  Result<Pruned> delete_before(int64_t before_us) override;
  Result<void> save_eval_run(const EvalRunRow& run) override;
  Result<std::vector<EvalRunRow>> list_eval_runs() override;
  Result<std::optional<EvalRunRow>> get_eval_run(const std::string& id) override;
  bool locks_leases() const override { return true; }
  Result<std::vector<std::string>> claim_leases(std::span<const std::string> keys, const std::string& owner,
                                                int64_t now_us, int64_t expires_us) override;
  Result<void> release_leases(std::span<const std::string> keys, const std::string& owner) override;
  Result<void> set_lease_batch(std::span<const std::string> keys, const std::string& owner,
                               const std::string& batch_id) override;
  Result<std::vector<BatchLease>> adopt_batch_leases(std::span<const std::string> keys, const std::string& owner,
                                                     int64_t now_us, int64_t expires_us) override;
  Result<std::vector<std::string>> lease_owners() override;
  Result<void> drop_leases_of(const std::string& owner) override;

  // Conveniences for tests: upsert that must succeed (aborts otherwise), the matching rows in
  // scan order (oldest first unless the filter says otherwise), and removing a row by id.
  void add(Table table, std::vector<Row> rows);
  std::vector<Row> rows(Table table, RowFilter filter = oldest_first());
  bool remove(Table table, const std::string& id);
  static RowFilter oldest_first() {
    RowFilter f;
    f.order = RowFilter::Order::oldest_first;
    return f;
  }

 private:
  Result<std::vector<Row>> matching(Table table, const RowFilter& filter) const;
  std::shared_ptr<Tables> tables_;
};

}  // namespace pt
