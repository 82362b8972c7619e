// Implementation of pipeline/collect/collect_join.h.
#include "pipeline/collect/collect_join.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>

#include "core/row.h"

namespace pt {
namespace {

constexpr char kSep = '\x1f';

void make_key(std::string& out, std::initializer_list<std::string_view> parts) {
  out.clear();
  bool first = true;
  for (auto p : parts) {
    if (!first) out += kSep;
    first = false;
    out += p;
  }
}

uint8_t kind_bit(std::string_view kind) {
  if (kind == kKindKey) return 1;
  if (kind == kKindNonObvious) return 2;
  return 4;  // any other or missing kind still makes a shared production key ambiguous
}

struct ParsedRelabel {
  std::string request_type, user_input_id;
  JoinedRelabel relabel;
};

Result<void> optional_string(simdjson::dom::object obj, std::string_view key, std::string& out) {
  auto v = obj[key];
  if (v.error() == simdjson::NO_SUCH_FIELD || v.is_null()) return ok();
  std::string_view s;
  if (v.get_string().get(s)) return runtime_error(fmt::format("payload.{}: expected a string", key));
  out.assign(s);
  return ok();
}

Result<ParsedRelabel> parse_relabel(Row& row) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(row.payload).get(root))
    return runtime_error(fmt::format("payload: invalid JSON ({})", simdjson::error_message(err)));
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) return runtime_error("payload: expected a JSON object");
  ParsedRelabel p;
  auto output = obj["output"];
  if (output.error() == simdjson::NO_SUCH_FIELD) return runtime_error("payload.output: missing");
  std::string_view text;
  if (output.get_string().get(text)) return runtime_error("payload.output: expected a string");
  p.relabel.output.assign(text);
  PT_TRY(optional_string(obj, "request_type", p.request_type));
  PT_TRY(optional_string(obj, "user_input_id", p.user_input_id));
  PT_TRY(optional_string(obj, "trace_id", p.relabel.trace_id));
  auto wc = obj["with_context"];
  if (wc.error() != simdjson::NO_SUCH_FIELD && !wc.is_null()) {
    bool b;
    if (wc.get_bool().get(b)) return runtime_error("payload.with_context: expected true or false");
    p.relabel.with_context = b ? 1 : 0;
  }
  p.relabel.id = std::move(row.id);
  p.relabel.created_at_us = row.created_at_us;
  return p;
}

// The newest compatible relabel of `list` for trace `trace_id` (an exact trace_id match wins).
JoinResult pick(const std::vector<JoinedRelabel>& list, std::string_view trace_id, bool with_context) {
  const JoinedRelabel* exact = nullptr;
  const JoinedRelabel* generic = nullptr;
  bool mismatch = false;
  for (const auto& r : list) {  // oldest first: later entries are newer
    if (!r.trace_id.empty() && r.trace_id != trace_id) continue;
    if (r.with_context >= 0 && (r.with_context == 1) != with_context) {
      mismatch = true;
      continue;
    }
    (r.trace_id.empty() ? generic : exact) = &r;
  }
  if (const JoinedRelabel* best = exact ? exact : generic) return {JoinOutcome::matched, best};
  return {mismatch ? JoinOutcome::context_mismatch : JoinOutcome::no_relabel, nullptr};
}

}  // namespace

Result<RelabelIndex> RelabelIndex::load(Store& store, const std::string& teacher, const std::vector<std::string>& kinds,
                                        const std::function<void(const std::string&, const std::string&)>& bad_row) {
  RelabelIndex index;
  RowFilter filter;
  filter.model = teacher;
  filter.order = RowFilter::Order::oldest_first;
  std::string key;
  PT_TRY(store.scan(Table::relabels, filter, [&](Row&& row) {
    std::string step = row.agent_step_id, user = row.user_id, id = row.id;
    auto parsed = parse_relabel(row);
    if (!parsed.ok()) {
      bad_row(id, parsed.error().message);
      return true;
    }
    ParsedRelabel& p = *parsed;
    ++index.count_;
    if (!p.request_type.empty()) {
      if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), p.request_type) == kinds.end())
        return true;  // a kind this run never joins
      make_key(key, {step, p.request_type});
      index.by_kind_[key].push_back(std::move(p.relabel));
    } else if (!p.relabel.trace_id.empty()) {
      index.by_trace_id_[p.relabel.trace_id].push_back(std::move(p.relabel));
    } else {
      make_key(key, {step, user, p.user_input_id});
      index.by_production_key_[key].relabels.push_back(std::move(p.relabel));
    }
    return true;
  }));
  return index;
}

void RelabelIndex::note_trace_kind(std::string_view agent_step_id, std::string_view user_id,
                                   std::string_view user_input_id, std::string_view request_type) {
  thread_local std::string key;
  make_key(key, {agent_step_id, user_id, user_input_id});
  auto it = by_production_key_.find(key);
  if (it != by_production_key_.end()) it->second.kinds |= kind_bit(request_type);
}

Result<void> RelabelIndex::run_kind_pass(Store& store) {
  RowFilter filter;
  filter.type = std::string(kGetRelevantFiles);
  filter.order = RowFilter::Order::oldest_first;
  simdjson::dom::parser parser;
  return store.scan(Table::traces, filter, [&](Row&& row) {
    simdjson::dom::element root;
    if (parser.parse(row.payload).get(root)) return true;  // reported by the main pass
    std::string_view kind, uiid;
    if (root["request_type"].get_string().get(kind)) kind = {};
    if (root["user_input_id"].get_string().get(uiid)) uiid = {};
    note_trace_kind(row.agent_step_id, row.user_id, uiid, kind);
    return true;
  });
}

JoinResult RelabelIndex::find(const TraceKey& trace, bool with_context) const {
  thread_local std::string key;
  JoinResult result;
  make_key(key, {trace.agent_step_id, trace.request_type});
  if (auto it = by_kind_.find(key); it != by_kind_.end()) {
    result = pick(it->second, trace.id, with_context);
    if (result.outcome == JoinOutcome::matched) return result;
  }
  if (auto it = by_trace_id_.empty() ? by_trace_id_.end() : by_trace_id_.find(std::string(trace.id));
      it != by_trace_id_.end()) {
    JoinResult r = pick(it->second, trace.id, with_context);
    if (r.outcome == JoinOutcome::matched) return r;
    if (r.outcome == JoinOutcome::context_mismatch) result = r;
  }
  make_key(key, {trace.agent_step_id, trace.user_id, trace.user_input_id});
  if (auto it = by_production_key_.find(key); it != by_production_key_.end()) {
    // Another kind of trace shares the key: the relabel may answer either, so never guess.
    if (it->second.kinds & ~kind_bit(trace.request_type)) return {JoinOutcome::ambiguous, nullptr};
    JoinResult r = pick(it->second.relabels, trace.id, with_context);
    if (r.outcome == JoinOutcome::matched) return r;
  }
  return result;
}

}  // namespace pt
