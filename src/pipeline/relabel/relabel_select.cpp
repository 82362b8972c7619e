// Implementation of pipeline/relabel/relabel_select.h (and relabel_row_id of pipeline/relabel/relabel.h).
#include "pipeline/relabel/relabel_select.h"
#include "util/sha256.h"

#include <simdjson.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

namespace pt {
namespace {

// payload.request_type, or "" (a payload that is not JSON is selected; preparing it reports it).
std::string request_type_of(std::string_view payload) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(payload.data(), payload.size()).get(root)) return {};
  std::string_view kind;
  if (root["request_type"].get_string().get(kind) != simdjson::SUCCESS) return {};
  return std::string(kind);
}

bool in_users(const RelabelOptions& o, const std::string& user) {
  return o.users.empty() || std::find(o.users.begin(), o.users.end(), user) != o.users.end();
}

// The filters a row from an explicit id list must still pass.
bool passes_filters(const Row& row, const std::string& kind, const RelabelOptions& o) {
  if (row.type != kGetRelevantFiles) return false;
  if (o.since_us && row.created_at_us < *o.since_us) return false;
  if (o.until_us && row.created_at_us >= *o.until_us) return false;
  if (o.kind && kind != *o.kind) return false;
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
    std::string kind = request_type_of(row->payload);
    if (!passes_filters(*row, kind, o)) continue;
    refs.push_back({row->id, row->agent_step_id, std::move(kind)});
    if (o.limit && static_cast<int64_t>(refs.size()) >= *o.limit) break;
  }
  return refs;
}

}  // namespace

bool is_sampled(std::string_view trace_id, double fraction, uint64_t seed) {
  if (fraction >= 1) return true;
  if (fraction <= 0) return false;
  std::string hex = sha256_hex(fmt::format("{}:{}", seed, trace_id));
  uint64_t v = std::stoull(hex.substr(0, 16), nullptr, 16);
  return static_cast<double>(v) / 18446744073709551616.0 < fraction;
}

std::string relabel_row_id(std::string_view model_id, std::string_view trace_id, bool with_context) {
  std::string key = fmt::format("{}\n{}\n{}", model_id, trace_id, with_context ? "context" : "plain");
  return "rl:" + sha256_hex(key).substr(0, 32);
}

Result<std::vector<TraceRef>> select_trace_refs(Store& store, const RelabelOptions& o) {
  if (!o.trace_ids.empty()) return refs_from_ids(store, o);
  RowFilter f;
  f.type = std::string(kGetRelevantFiles);
  f.request_type = o.kind;
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
    std::string kind = request_type_of(row.payload);
    if (o.kind && kind != *o.kind) return true;  // in case a store ignores request_type
    refs.push_back({std::move(row.id), std::move(row.agent_step_id), std::move(kind)});
    return !o.limit || static_cast<int64_t>(refs.size()) < *o.limit;
  }));
  return refs;
}

RelabelSelection drop_already_relabeled(std::vector<TraceRef> refs, const std::vector<RelabelKey>& keys,
                                        bool with_context) {
  std::unordered_set<std::string> by_trace, by_step_kind, legacy_steps;
  for (const auto& k : keys) {
    if (k.with_context != with_context) continue;
    if (!k.trace_id.empty())
      by_trace.insert(k.trace_id);
    else if (!k.request_type.empty())
      by_step_kind.insert(k.agent_step_id + '\n' + k.request_type);
    else
      legacy_steps.insert(k.agent_step_id);
  }
  std::unordered_map<std::string, int> per_step;
  if (!legacy_steps.empty())
    for (const auto& r : refs)
      if (legacy_steps.count(r.agent_step_id)) ++per_step[r.agent_step_id];

  RelabelSelection sel;
  sel.selected = static_cast<int64_t>(refs.size());
  sel.to_do.reserve(refs.size());
  for (auto& r : refs) {
    bool done = by_trace.count(r.id) > 0 ||
                (!r.request_type.empty() && by_step_kind.count(r.agent_step_id + '\n' + r.request_type) > 0) ||
                (legacy_steps.count(r.agent_step_id) > 0 && per_step[r.agent_step_id] == 1);
    if (done)
      ++sel.skipped_done;
    else
      sel.to_do.push_back(std::move(r.id));
  }
  return sel;
}

Result<RelabelSelection> select_for_relabel(Store& store, std::string_view model_id, const RelabelOptions& o) {
  PT_ASSIGN_OR_RETURN(auto refs, select_trace_refs(store, o));
  PT_ASSIGN_OR_RETURN(auto keys, store.relabeled_keys(std::string(model_id)));
  return drop_already_relabeled(std::move(refs), keys, o.with_context);
}

}  // namespace pt
