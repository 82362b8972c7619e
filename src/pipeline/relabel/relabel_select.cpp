// Implementation of pipeline/relabel/relabel_select.h (and relabel_row_id of pipeline/relabel/relabel.h).
#include "pipeline/relabel/relabel_select.h"
#include "pipeline/join/relabel_source.h"
#include "util/sha256.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

namespace pt {
namespace {

bool in_users(const RelabelOptions& o, const std::string& user) {
  return o.users.empty() || std::find(o.users.begin(), o.users.end(), user) != o.users.end();
}

// The filters a row from an explicit id list must still pass.
bool passes_filters(const Row& row, RequestKind kind, const RelabelOptions& o) {
  if (row.type != kGetRelevantFiles) return false;
  if (o.since_us && row.created_at_us < *o.since_us) return false;
  if (o.until_us && row.created_at_us >= *o.until_us) return false;
  if (o.request_kind && kind != *o.request_kind) return false;
  if (!in_users(o, row.user_id)) return false;
  if (o.sample_fraction && !is_sampled(row.id, *o.sample_fraction, o.seed)) return false;
  return true;
}

Result<std::vector<TraceRef>> refs_from_ids(Store& store, const RelabelOptions& o) {
  std::vector<TraceRef> refs;
  std::unordered_set<std::string> seen;
  for (const auto& id : o.trace_ids) {
    if (!seen.insert(id).second) continue;
    PT_ASSIGN_OR_RETURN(auto row, store.get(Table::traces, id));
    if (!row) continue;
    TraceKeyFields k = read_trace_key_fields(row->payload);
    if (!passes_filters(*row, k.request_kind, o)) continue;
    refs.push_back({row->id, row->agent_step_id, k.request_kind, row->user_id, std::move(k.user_input_id)});
    if (o.limit && static_cast<int64_t>(refs.size()) >= *o.limit) break;
  }
  return refs;
}

}  // namespace

uint64_t sample_key(std::string_view trace_id, uint64_t seed) {
  std::string hex = sha256_hex(fmt::format("{}:{}", seed, trace_id));
  return std::stoull(hex.substr(0, 16), nullptr, 16);
}

bool is_sampled(std::string_view trace_id, double fraction, uint64_t seed) {
  if (fraction >= 1) return true;
  if (fraction <= 0) return false;
  return static_cast<double>(sample_key(trace_id, seed)) / 18446744073709551616.0 < fraction;
}

std::string relabel_row_id(std::string_view model_id, std::string_view trace_id, bool with_context) {
  std::string key = fmt::format("{}\n{}\n{}", model_id, trace_id, with_context ? "context" : "plain");
  return "rl:" + sha256_hex(key).substr(0, 32);
}

Result<std::vector<TraceRef>> select_trace_refs(Store& store, const RelabelOptions& o) {
  if (!o.trace_ids.empty()) return refs_from_ids(store, o);
  RowFilter f;
  f.type = std::string(kGetRelevantFiles);
  f.request_kind = o.request_kind;
  f.since_us = o.since_us;
  f.until_us = o.until_us;
  if (o.users.size() == 1) f.user_id = o.users[0];
  const bool filter_here = o.users.size() > 1 || o.sample_fraction.has_value();
  if (!filter_here) f.limit = o.limit;
  f.order = RowFilter::Order::newest_first;
  std::vector<TraceRef> refs;
  PT_TRY(store.scan(Table::traces, f, [&](Row&& row) {
    if (!in_users(o, row.user_id)) return true;
    if (o.sample_fraction && !is_sampled(row.id, *o.sample_fraction, o.seed)) return true;
    TraceKeyFields k = read_trace_key_fields(row.payload);
    if (o.request_kind && k.request_kind != *o.request_kind) return true;  // in case a store ignores the filter
    refs.push_back({std::move(row.id), std::move(row.agent_step_id), k.request_kind, std::move(row.user_id),
                    std::move(k.user_input_id)});
    return !o.limit || static_cast<int64_t>(refs.size()) < *o.limit;
  }));
  return refs;
}

RelabelSelection drop_already_relabeled(std::vector<TraceRef> refs, RelabelJoin& join, bool with_context) {
  auto key_of = [](const TraceRef& r) {
    return TraceKey{r.id, r.agent_step_id, r.user_id, r.user_input_id, r.request_kind};
  };
  for (const auto& r : refs) join.note_trace(key_of(r));
  RelabelSelection sel;
  sel.selected = static_cast<int64_t>(refs.size());
  sel.to_do.reserve(refs.size());
  for (auto& r : refs) {
    if (join.find(key_of(r), with_context).outcome == JoinOutcome::matched)
      ++sel.skipped_done;
    else
      sel.to_do.push_back(std::move(r.id));
  }
  return sel;
}

Result<RelabelSelection> select_for_relabel(Store& store, std::string_view model_id, const RelabelOptions& o) {
  PT_ASSIGN_OR_RETURN(auto refs, select_trace_refs(store, o));
  RelabelJoin join;
  PT_TRY(scan_relabels(store, std::string(model_id), [&](RelabelRecord&& r) { join.add(r.key); }));
  PT_TRY(note_trace_kinds(store, join));
  return drop_already_relabeled(std::move(refs), join, o.with_context);
}

}  // namespace pt
