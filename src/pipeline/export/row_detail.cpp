// Implementation of pipeline/export/row_detail.h. Only the rows of the trace's agent step are read:
// the join's answer for one trace depends on the relabels of its step (and, for production-key
// relabels, on the request kinds of the step's other traces), never on other steps.
#include "pipeline/export/row_detail.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "core/file_list.h"
#include "core/picker_call.h"
#include "core/picker_prompt.h"
#include "core/relabel_join.h"
#include "pipeline/join/relabel_source.h"

namespace pt {
namespace {

using nlohmann::json;

std::optional<int64_t> int_at(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number_integer()) return std::nullopt;
  return j[key].get<int64_t>();
}

std::string string_at(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return {};
  return j[key].get<std::string>();
}

RelabelDetail describe_relabel(Row row) {
  RelabelDetail d;
  json p = json::parse(row.payload, nullptr, false);
  d.request_kind = request_kind_of(string_at(p, "request_type"));
  d.trace_id = string_at(p, "trace_id");
  d.output = string_at(p, "output");
  if (p.is_object() && p.contains("with_context") && p["with_context"].is_boolean())
    d.with_context = p["with_context"].get<bool>();
  if (p.is_object() && p.contains("files") && p["files"].is_array()) {
    for (const json& f : p["files"])
      if (f.is_string()) d.files.push_back(f.get<std::string>());
  } else {
    d.files = parse_file_list(d.output);
  }
  if (p.is_object() && p.contains("usage")) {
    d.input_tokens = int_at(p["usage"], "input_tokens");
    d.output_tokens = int_at(p["usage"], "output_tokens");
    d.cached_input_tokens = int_at(p["usage"], "cached_input_tokens");
  }
  if (p.is_object() && p.contains("cost_usd") && p["cost_usd"].is_number()) d.cost_usd = p["cost_usd"].get<double>();
  d.latency_ms = int_at(p, "latency_ms");
  d.row = std::move(row);
  return d;
}

TraceDetail describe_trace(Row row) {
  TraceDetail d;
  auto call = parse_picker_call(row.payload);
  if (call.ok()) {
    d.request_kind = call->request_kind;
    d.model = call->model;
    d.request = std::string(request_from_prompt(last_user_text(*call)));
    d.picked = parse_production_output(call->output);
    for (const auto& b : call->system_blocks) d.system_bytes += b.size();
    d.messages = call->messages.size();
  } else {
    d.payload_problem = call.error().message;
  }
  d.row = std::move(row);
  return d;
}

TraceKey key_of(const Row& trace, const TraceKeyFields& f) {
  return TraceKey{trace.id, trace.agent_step_id, trace.user_id, f.user_input_id, f.request_kind};
}

// The relabels of one model for one step, in join slot order.
struct ModelJoin {
  RelabelJoin join;
  std::vector<Row> rows;
};

// Every relabel of `step` (of `model` only, when given), grouped by model, with the trace kinds
// of the step noted where production-key relabels need them.
Result<std::map<std::string, ModelJoin>> step_joins(Store& store, const std::string& step,
                                                    const std::optional<std::string>& model) {
  std::map<std::string, ModelJoin> joins;
  RowFilter filter;
  filter.agent_step_id = step;
  filter.model = model;
  filter.order = RowFilter::Order::oldest_first;
  PT_TRY(store.scan(Table::relabels, filter, [&](Row&& row) {
    ModelJoin& mj = joins[row.model];
    RelabelRecord rec = read_relabel(Row(row));
    mj.join.add(rec.key);
    mj.rows.push_back(std::move(row));
    return true;
  }));
  bool needs_kinds = false;
  for (auto& [m, mj] : joins) needs_kinds = needs_kinds || mj.join.needs_trace_kinds();
  if (needs_kinds) {
    PT_ASSIGN_OR_RETURN(auto traces, step_traces(store, step));
    for (const Row& t : traces) {
      TraceKeyFields f = read_trace_key_fields(t.payload);
      for (auto& [m, mj] : joins) mj.join.note_trace(key_of(t, f));
    }
  }
  return joins;
}

}  // namespace

Result<std::vector<Row>> step_traces(Store& store, const std::string& step) {
  std::vector<Row> out;
  RowFilter filter;
  filter.type = std::string(kGetRelevantFiles);
  filter.agent_step_id = step;
  filter.order = RowFilter::Order::oldest_first;
  PT_TRY(store.scan(Table::traces, filter, [&](Row&& row) {
    out.push_back(std::move(row));
    return true;
  }));
  return out;
}

Result<TraceDetail> show_trace(Store& store, const std::string& id) {
  PT_ASSIGN_OR_RETURN(auto row, store.get(Table::traces, id));
  if (!row) return usage_error(fmt::format("no trace \"{}\" in {}", id, store.describe()));
  TraceDetail d = describe_trace(std::move(*row));
  if (d.row.type != kGetRelevantFiles) return d;
  PT_ASSIGN_OR_RETURN(auto joins, step_joins(store, d.row.agent_step_id, std::nullopt));
  TraceKeyFields f = read_trace_key_fields(d.row.payload);
  TraceKey key = key_of(d.row, f);
  for (auto& [model, mj] : joins) {
    JoinResult r = mj.join.find(key, std::nullopt);
    if (r.outcome == JoinOutcome::matched) {
      d.relabels.push_back(describe_relabel(std::move(mj.rows[r.slot])));
    } else if (r.outcome == JoinOutcome::ambiguous) {
      RelabelDetail amb;
      amb.row.model = model;
      amb.join_note = "ambiguous: its production relabel also fits a trace of another request kind";
      d.relabels.push_back(std::move(amb));
    }
  }
  return d;
}

Result<RelabelShow> show_relabel(Store& store, const std::string& id) {
  PT_ASSIGN_OR_RETURN(auto row, store.get(Table::relabels, id));
  if (!row) return usage_error(fmt::format("no relabel \"{}\" in {}", id, store.describe()));
  RelabelShow out;
  out.relabel = describe_relabel(std::move(*row));
  const Row& r = out.relabel.row;
  PT_ASSIGN_OR_RETURN(auto joins, step_joins(store, r.agent_step_id, r.model));
  PT_ASSIGN_OR_RETURN(auto traces, step_traces(store, r.agent_step_id));
  ModelJoin& mj = joins[r.model];
  for (Row& t : traces) {
    TraceKeyFields f = read_trace_key_fields(t.payload);
    JoinResult jr = mj.join.find(key_of(t, f), std::nullopt);
    if (jr.outcome == JoinOutcome::matched && mj.join.relabel_id(jr.slot) == r.id) {
      out.trace = describe_trace(std::move(t));
      return out;
    }
  }
  if (!out.relabel.trace_id.empty()) {
    PT_ASSIGN_OR_RETURN(auto named, store.get(Table::traces, out.relabel.trace_id));
    out.trace_note = named ? fmt::format("it names trace {}, which a newer relabel of {} answers instead",
                                         out.relabel.trace_id, r.model)
                           : fmt::format("it names trace {}, which is not in the store", out.relabel.trace_id);
  } else {
    out.trace_note = traces.empty()
                         ? fmt::format("no get-relevant-files trace of step {} is in the store", r.agent_step_id)
                         : fmt::format(
                               "it answers none of the {} trace(s) of step {} (a newer relabel of "
                               "{} does, or the join finds it ambiguous)",
                               traces.size(), r.agent_step_id, r.model);
  }
  return out;
}

}  // namespace pt
