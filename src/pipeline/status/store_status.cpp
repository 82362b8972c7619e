// Implementation of pipeline/status/store_status.h. Status reads every relabel once (join keys
// only, by model) and every trace once; coverage asks each model's RelabelJoin about each
// get-relevant-files trace, exactly as collect and eval would pair them.
#include "pipeline/status/store_status.h"

#include <algorithm>
#include <memory>

#include "core/relabel_join.h"
#include "pipeline/join/relabel_source.h"

namespace pt {

bool is_student_model(std::string_view model) { return model.substr(0, 13) == "local:student"; }

Result<StoreStatus> store_status(Store& store) {
  StoreStatus s;
  s.store = store.describe();
  PT_ASSIGN_OR_RETURN(s.bytes, store.bytes_on_disk());
  auto note_time = [&](int64_t us) {
    s.oldest_us = std::min(s.oldest_us.value_or(us), us);
    s.newest_us = std::max(s.newest_us.value_or(us), us);
  };

  struct ModelJoin {
    RelabelJoin join;
    ModelCoverage coverage;
  };
  std::map<std::string, std::unique_ptr<ModelJoin>> models;
  RowFilter oldest_first;
  oldest_first.order = RowFilter::Order::oldest_first;
  PT_TRY(store.scan(Table::relabels, oldest_first, [&](Row&& row) {
    ++s.relabels;
    note_time(row.created_at_us);
    auto& mj = models[row.model];
    if (!mj) {
      mj = std::make_unique<ModelJoin>();
      mj->coverage.model = row.model;
    }
    ++mj->coverage.relabels;
    mj->join.add(read_relabel(std::move(row)).key);
    return true;
  }));
  std::vector<RelabelJoin*> joins;
  for (auto& [m, mj] : models) joins.push_back(&mj->join);
  PT_TRY(note_trace_kinds(store, joins));

  PT_TRY(store.scan(Table::traces, oldest_first, [&](Row&& row) {
    ++s.traces;
    note_time(row.created_at_us);
    ++s.traces_by_type[row.type];
    if (row.type != kGetRelevantFiles) return true;
    ++s.picker_traces;
    TraceKeyFields f = read_trace_key_fields(row.payload);
    std::string kind = f.request_kind == RequestKind::absent ? "(none)" : std::string(to_string(f.request_kind));
    if (!is_known(f.request_kind) && f.request_kind != RequestKind::absent) kind = "(unknown)";
    ++s.picker_by_kind[kind];
    TraceKey key{row.id, row.agent_step_id, row.user_id, f.user_input_id, f.request_kind};
    for (auto& [m, mj] : models)
      if (mj->join.find(key, std::nullopt).outcome == JoinOutcome::matched) ++mj->coverage.answered;
    return true;
  }));
  for (auto& [m, mj] : models) (is_student_model(m) ? s.students : s.teachers).push_back(mj->coverage);
  return s;
}

Result<PruneReport> prune_store(Store& store, int64_t before_us, bool dry_run) {
  PruneReport r;
  r.store = store.describe();
  r.before_us = before_us;
  r.dry_run = dry_run;
  if (!dry_run) {
    PT_ASSIGN_OR_RETURN(r.rows, store.delete_before(before_us));
    return r;
  }
  RowFilter older;
  older.until_us = before_us;
  PT_ASSIGN_OR_RETURN(r.rows.traces, store.count(Table::traces, older));
  PT_ASSIGN_OR_RETURN(r.rows.relabels, store.count(Table::relabels, older));
  return r;
}

}  // namespace pt
