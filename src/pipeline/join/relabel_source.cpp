// Implementation of pipeline/join/relabel_source.h.
#include "pipeline/join/relabel_source.h"

#include <simdjson.h>

#include "core/row.h"
#include "providers/student_names.h"

namespace pt {

Result<void> scan_relabels(Store& store, const std::string& model, const std::function<void(RelabelRecord&&)>& visit) {
  RowFilter filter;
  PT_ASSIGN_OR_RETURN(filter.model, canonical_model_id(model));  // `./a.model` and `a.model` are one student
  filter.order = RowFilter::Order::oldest_first;
  return store.scan(Table::relabels, filter, [&](Row&& row) {
    visit(read_relabel(std::move(row)));
    return true;
  });
}

Result<bool> scan_relabels_of_traces(Store& store, const std::string& model, const RowFilter& traces,
                                     const std::function<void(RelabelRecord&&)>& visit) {
  RowFilter filter;
  PT_ASSIGN_OR_RETURN(filter.model, canonical_model_id(model));
  filter.order = RowFilter::Order::oldest_first;
  return store.scan_relabels_joining(filter, traces, [&](Row&& row) {
    visit(read_relabel(std::move(row)));
    return true;
  });
}

TraceKeyFields read_trace_key_fields(std::string_view payload) {
  thread_local simdjson::dom::parser parser;
  TraceKeyFields out;
  simdjson::dom::element root;
  if (parser.parse(payload.data(), payload.size()).get(root)) return out;
  std::string_view s;
  if (root["request_type"].get_string().get(s) == simdjson::SUCCESS) out.request_kind = request_kind_of(s);
  if (root["user_input_id"].get_string().get(s) == simdjson::SUCCESS) out.user_input_id.assign(s);
  return out;
}

Result<void> note_trace_kinds(Store& store, RelabelJoin& join) { return note_trace_kinds(store, {&join}); }

Result<void> note_trace_kinds(Store& store, const std::vector<RelabelJoin*>& joins) {
  std::vector<RelabelJoin*> needed;
  for (RelabelJoin* j : joins)
    if (j->needs_trace_kinds()) needed.push_back(j);
  if (needed.empty()) return ok();
  RowFilter filter;
  filter.type = std::string(kGetRelevantFiles);
  filter.order = RowFilter::Order::oldest_first;
  return store.scan(Table::traces, filter, [&](Row&& row) {
    TraceKeyFields f = read_trace_key_fields(row.payload);
    TraceKey key{row.id, row.agent_step_id, row.user_id, f.user_input_id, f.request_kind};
    for (RelabelJoin* j : needed) j->note_trace(key);
    return true;
  });
}

}  // namespace pt
