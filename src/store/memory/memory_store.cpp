// Implementation of store/memory/memory_store.h. One mutex guards the tables; a scan copies the
// matching rows first, so the visitor may call the store (as with the other backends).
#include "store/memory/memory_store.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "store/payload/payload_keys.h"

namespace pt {

struct MemoryStore::Tables {
  struct Stored {
    Row row;
    std::string request_type;  // payload.request_type ("" when absent or not a string)
  };
  using Rows = std::map<std::string, Stored>;
  std::mutex mutex;
  Rows traces, relabels;
  std::optional<std::pair<Rows, Rows>> group_snapshot;  // the tables as begin_group() found them
  std::map<std::string, EvalRunRow> eval_runs;          // by id
  struct Lease {
    std::string owner;
    int64_t expires_at_us = 0;
    std::string batch_id;  // "" when not submitted in a batch
  };
  std::map<std::string, Lease> leases;  // by key
  Rows& of(Table t) { return t == Table::traces ? traces : relabels; }
};

MemoryStore::MemoryStore() : tables_(std::make_shared<Tables>()) {}
MemoryStore::MemoryStore(std::shared_ptr<Tables> tables) : tables_(std::move(tables)) {}
MemoryStore::~MemoryStore() = default;

namespace {

bool same_row(const Row& a, const Row& b) {
  return a.agent_step_id == b.agent_step_id && a.user_id == b.user_id && a.created_at_us == b.created_at_us &&
         a.type == b.type && a.model == b.model && a.payload == b.payload;
}

Result<void> check_filter(Table table, const RowFilter& f) {
  if (f.type && table != Table::traces) return usage_error("a type filter applies to traces only");
  if (f.model && table != Table::relabels) return usage_error("a model filter applies to relabels only");
  return ok();
}

}  // namespace

Result<UpsertStats> MemoryStore::upsert(Table table, std::span<const Row> rows) {
  // Validate the whole batch first: it lands completely or not at all.
  std::vector<std::string> kinds;
  kinds.reserve(rows.size());
  PayloadKeyReader reader;
  PayloadKeys keys;
  for (const Row& r : rows) {
    std::optional<Error> bad;
    if (r.id.empty())
      bad = runtime_error(fmt::format("{}: a row has an empty id", describe()));
    else if (!reader.read(r.payload, keys).ok())
      bad = runtime_error(fmt::format("{}: row {}: payload is not a JSON object", describe(), r.id));
    if (bad) {
      rollback_group();  // a failed upsert inside a group undoes the group, as in the SQL stores
      return *bad;
    }
    kinds.push_back(keys.request_type);
  }
  std::lock_guard lock(tables_->mutex);
  auto& stored = tables_->of(table);
  UpsertStats stats;
  for (size_t i = 0; i < rows.size(); ++i) {
    Row row = rows[i];
    if (table == Table::traces)
      row.model.clear();
    else
      row.type.clear();
    auto it = stored.find(row.id);
    if (it == stored.end()) {
      ++stats.inserted;
      std::string id = row.id;
      stored.emplace(std::move(id), Tables::Stored{std::move(row), std::move(kinds[i])});
    } else if (same_row(it->second.row, row)) {
      ++stats.unchanged;
    } else {
      ++stats.updated;
      it->second = Tables::Stored{std::move(row), std::move(kinds[i])};
    }
  }
  return stats;
}

Result<std::vector<Row>> MemoryStore::matching(Table table, const RowFilter& f) const {
  PT_TRY(check_filter(table, f));
  PT_ASSIGN_OR_RETURN(const std::optional<std::string_view> request_type, request_type_column_value(f));
  std::vector<Row> out;
  {
    std::lock_guard lock(tables_->mutex);
    for (const auto& [id, s] : tables_->of(table)) {
      const Row& r = s.row;
      if (f.type && r.type != *f.type) continue;
      if (f.model && r.model != *f.model) continue;
      if (f.user_id && r.user_id != *f.user_id) continue;
      if (f.agent_step_id && r.agent_step_id != *f.agent_step_id) continue;
      if (request_type && s.request_type != *request_type) continue;
      if (f.since_us && r.created_at_us < *f.since_us) continue;
      if (f.until_us && r.created_at_us >= *f.until_us) continue;
      if (f.after) {
        const bool newest = f.order == RowFilter::Order::newest_first;
        auto key = std::tie(r.created_at_us, r.id);
        auto after = std::tie(f.after->created_at_us, f.after->id);
        if (newest ? !(key < after) : !(after < key)) continue;
      }
      out.push_back(r);
    }
  }
  const bool newest = f.order == RowFilter::Order::newest_first;
  std::sort(out.begin(), out.end(), [&](const Row& a, const Row& b) {
    if (a.created_at_us != b.created_at_us)
      return newest ? a.created_at_us > b.created_at_us : a.created_at_us < b.created_at_us;
    return newest ? a.id > b.id : a.id < b.id;  // std::string compares bytes as unsigned char
  });
  if (f.limit && static_cast<int64_t>(out.size()) > std::max<int64_t>(0, *f.limit))
    out.resize(static_cast<size_t>(std::max<int64_t>(0, *f.limit)));
  return out;
}

Result<void> MemoryStore::scan(Table table, const RowFilter& filter, const std::function<bool(Row&&)>& visit) {
  PT_ASSIGN_OR_RETURN(auto rows, matching(table, filter));
  for (Row& r : rows)
    if (!visit(std::move(r))) break;
  return ok();
}

Result<int64_t> MemoryStore::count(Table table, const RowFilter& filter) {
  PT_ASSIGN_OR_RETURN(auto rows, matching(table, filter));
  return static_cast<int64_t>(rows.size());
}

Result<std::optional<Row>> MemoryStore::get(Table table, const std::string& id) {
  std::lock_guard lock(tables_->mutex);
  const auto& stored = tables_->of(table);
  auto it = stored.find(id);
  if (it == stored.end()) return std::optional<Row>();
  return std::optional<Row>(it->second.row);
}

Result<void> MemoryStore::begin_group() {
  std::lock_guard lock(tables_->mutex);
  if (tables_->group_snapshot) return usage_error("begin_group: a group is already open");
  tables_->group_snapshot.emplace(tables_->traces, tables_->relabels);
  return ok();
}

Result<void> MemoryStore::commit_group() {
  std::lock_guard lock(tables_->mutex);
  if (!tables_->group_snapshot) return usage_error("commit_group: no group is open");
  tables_->group_snapshot.reset();
  return ok();
}

void MemoryStore::rollback_group() {
  std::lock_guard lock(tables_->mutex);
  if (!tables_->group_snapshot) return;
  tables_->traces = std::move(tables_->group_snapshot->first);
  tables_->relabels = std::move(tables_->group_snapshot->second);
  tables_->group_snapshot.reset();
}

Result<Store::Pruned> MemoryStore::delete_before(int64_t before_us) {
  std::lock_guard lock(tables_->mutex);
  Pruned pruned;
  for (Table t : {Table::traces, Table::relabels}) {
    int64_t& n = t == Table::traces ? pruned.traces : pruned.relabels;
    n = static_cast<int64_t>(
        std::erase_if(tables_->of(t), [&](const auto& kv) { return kv.second.row.created_at_us < before_us; }));
  }
  return pruned;
}

void MemoryStore::add(Table table, std::vector<Row> rows) {
  auto r = upsert(table, rows);
  if (!r.ok()) {
    std::fprintf(stderr, "MemoryStore::add: %s\n", r.error().message.c_str());
    std::abort();
  }
}

std::vector<Row> MemoryStore::rows(Table table, RowFilter filter) {
  auto r = matching(table, filter);
  return r.ok() ? std::move(r).value() : std::vector<Row>{};
}

bool MemoryStore::remove(Table table, const std::string& id) {
  std::lock_guard lock(tables_->mutex);
  return tables_->of(table).erase(id) > 0;
}

Result<void> MemoryStore::save_eval_run(const EvalRunRow& run) {
  if (run.id.empty()) return runtime_error(fmt::format("{}: an evaluation run has an empty id", describe()));
  std::lock_guard<std::mutex> lock(tables_->mutex);
  if (!tables_->eval_runs.emplace(run.id, run).second)
    return runtime_error(fmt::format("{}: evaluation run {} is already stored", describe(), run.id));
  return ok();
}

Result<std::vector<EvalRunRow>> MemoryStore::list_eval_runs() {
  std::lock_guard<std::mutex> lock(tables_->mutex);
  std::vector<EvalRunRow> runs;
  for (const auto& [id, run] : tables_->eval_runs) runs.push_back(run);
  std::stable_sort(runs.begin(), runs.end(),
                   [](const EvalRunRow& a, const EvalRunRow& b) { return a.created_at_us < b.created_at_us; });
  return runs;
}

Result<std::optional<EvalRunRow>> MemoryStore::get_eval_run(const std::string& id) {
  std::lock_guard<std::mutex> lock(tables_->mutex);
  auto it = tables_->eval_runs.find(id);
  if (it == tables_->eval_runs.end()) return std::optional<EvalRunRow>();
  return std::optional<EvalRunRow>(it->second);
}

Result<std::vector<std::string>> MemoryStore::claim_leases(std::span<const std::string> keys, const std::string& owner,
                                                           int64_t now_us, int64_t expires_us) {
  std::lock_guard<std::mutex> lock(tables_->mutex);
  std::vector<std::string> held;
  for (const auto& key : keys) {
    auto it = tables_->leases.find(key);
    if (it == tables_->leases.end()) {
      tables_->leases[key] = {owner, expires_us, ""};
    } else {
      auto& l = it->second;
      if (l.owner != owner && (l.expires_at_us > now_us || !l.batch_id.empty())) continue;
      l.owner = owner;
      l.expires_at_us = expires_us;
    }
    held.push_back(key);
  }
  return held;
}

Result<void> MemoryStore::release_leases(std::span<const std::string> keys, const std::string& owner) {
  std::lock_guard<std::mutex> lock(tables_->mutex);
  for (const auto& key : keys) {
    auto it = tables_->leases.find(key);
    if (it != tables_->leases.end() && it->second.owner == owner) tables_->leases.erase(it);
  }
  return ok();
}

Result<void> MemoryStore::set_lease_batch(std::span<const std::string> keys, const std::string& owner,
                                          const std::string& batch_id) {
  std::lock_guard<std::mutex> lock(tables_->mutex);
  for (const auto& key : keys) {
    auto it = tables_->leases.find(key);
    if (it != tables_->leases.end() && it->second.owner == owner) it->second.batch_id = batch_id;
  }
  return ok();
}

Result<std::vector<Store::BatchLease>> MemoryStore::adopt_batch_leases(std::span<const std::string> keys,
                                                                       const std::string& owner, int64_t now_us,
                                                                       int64_t expires_us) {
  std::lock_guard<std::mutex> lock(tables_->mutex);
  std::vector<BatchLease> adopted;
  for (const auto& key : keys) {
    auto it = tables_->leases.find(key);
    if (it == tables_->leases.end() || it->second.batch_id.empty() || it->second.expires_at_us > now_us) continue;
    it->second.owner = owner;
    it->second.expires_at_us = expires_us;
    adopted.push_back({key, it->second.batch_id});
  }
  return adopted;
}

Result<std::vector<std::string>> MemoryStore::lease_owners() {
  std::lock_guard<std::mutex> lock(tables_->mutex);
  std::set<std::string> owners;
  for (const auto& [key, lease] : tables_->leases) owners.insert(lease.owner);
  return std::vector<std::string>(owners.begin(), owners.end());
}

Result<void> MemoryStore::drop_leases_of(const std::string& owner) {
  std::lock_guard<std::mutex> lock(tables_->mutex);
  std::erase_if(tables_->leases,
                [&](const auto& kv) { return kv.second.owner == owner && kv.second.batch_id.empty(); });
  for (auto& [key, lease] : tables_->leases)
    if (lease.owner == owner) lease.expires_at_us = 0;
  return ok();
}

}  // namespace pt
