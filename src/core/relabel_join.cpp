// Implementation of core/relabel_join.h: relabel payloads read with simdjson; three hash indexes,
// one per tier; lookups reuse one key buffer per thread (no allocation per trace).
#include "core/relabel_join.h"

#include <fmt/format.h>
#include <simdjson.h>

namespace pt {
namespace {

constexpr char kSep = '\x1f';

void make_step_kind_key(std::string& out, std::string_view step, RequestKind kind) {
  out.assign(step);
  out += kSep;
  out += static_cast<char>('0' + static_cast<int>(kind));
}

// Equal, or absent on either side.
bool compatible(std::string_view a, std::string_view b) { return a.empty() || b.empty() || a == b; }

uint8_t kind_bit(RequestKind kind) { return static_cast<uint8_t>(1u << static_cast<unsigned>(kind)); }

void note_problem(std::string& problem, std::string text) {
  if (problem.empty()) problem = std::move(text);
}

// An optional string field: absent/null -> "", a string -> it; any other type is a problem.
void read_string(simdjson::dom::object obj, std::string_view key, std::string& out, std::string& problem) {
  auto v = obj[key];
  if (v.error() == simdjson::NO_SUCH_FIELD || v.is_null()) return;
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS)
    return note_problem(problem, fmt::format("payload.{}: expected a string", key));
  out.assign(s);
}

void read_payload(std::string_view json, RelabelRecord& r) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root)) {
    r.problem = fmt::format("payload: invalid JSON ({})", simdjson::error_message(err));
    return;
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) {
    r.problem = "payload: expected a JSON object";
    return;
  }
  RelabelKey& k = r.key;
  auto kind = obj["request_type"];
  if (kind.error() != simdjson::NO_SUCH_FIELD && !kind.is_null()) {
    std::string_view s;
    if (kind.get_string().get(s) != simdjson::SUCCESS) {
      k.request_kind = RequestKind::unknown;
      note_problem(r.problem, "payload.request_type: expected a string");
    } else {
      k.request_kind = request_kind_of(s);
    }
  }
  read_string(obj, "trace_id", k.trace_id, r.problem);
  read_string(obj, "user_input_id", k.user_input_id, r.problem);
  auto wc = obj["with_context"];
  if (wc.error() != simdjson::NO_SUCH_FIELD && !wc.is_null()) {
    bool b;
    if (wc.get_bool().get(b) != simdjson::SUCCESS)
      note_problem(r.problem, "payload.with_context: expected true or false");
    else
      k.with_context = b ? 1 : 0;
  }
  auto output = obj["output"];
  if (output.error() != simdjson::NO_SUCH_FIELD && !output.is_null()) {
    std::string_view s;
    if (output.get_string().get(s) != simdjson::SUCCESS)
      note_problem(r.problem, "payload.output: expected a string");
    else
      r.output.emplace(s);
    return;
  }
  simdjson::dom::array files;
  if (obj["files"].get_array().get(files) != simdjson::SUCCESS) return;
  std::vector<std::string> list;
  size_t i = 0;
  for (auto f : files) {
    std::string_view s;
    if (f.get_string().get(s) != simdjson::SUCCESS) {
      r.files_problem = fmt::format("payload.files[{}]: expected a string", i);
      return;
    }
    list.emplace_back(s);
    ++i;
  }
  r.files = std::move(list);
}

}  // namespace

bool RelabelJoin::fits(const Entry& e, const TraceKey& trace) {
  return compatible(e.user_id, trace.user_id) && compatible(e.user_input_id, trace.user_input_id);
}

RelabelRecord read_relabel(Row&& row) {
  RelabelRecord r;
  read_payload(row.payload, r);
  r.key.id = std::move(row.id);
  r.key.agent_step_id = std::move(row.agent_step_id);
  r.key.user_id = std::move(row.user_id);
  r.key.created_at_us = row.created_at_us;
  return r;
}

uint32_t RelabelJoin::add(const RelabelKey& key) {
  auto slot = static_cast<uint32_t>(entries_.size());
  Entry e;
  e.id = key.id;
  e.trace_id = key.trace_id;
  e.created_at_us = key.created_at_us;
  e.request_kind = key.request_kind;
  e.with_context = key.with_context;
  const bool production = key.request_kind == RequestKind::absent && key.trace_id.empty();
  if (production) {
    e.user_id = key.user_id;
    e.user_input_id = key.user_input_id;
  }
  entries_.push_back(std::move(e));
  std::string k;
  if (key.request_kind == RequestKind::unknown) return slot;  // joins nothing
  if (!key.trace_id.empty()) {
    by_trace_id_[key.trace_id].push_back(slot);
  } else if (key.request_kind != RequestKind::absent) {
    make_step_kind_key(k, key.agent_step_id, key.request_kind);
    by_step_kind_[k].push_back(slot);
  } else {
    by_production_key_[key.agent_step_id].push_back(slot);
  }
  return slot;
}

void RelabelJoin::note_trace(const TraceKey& trace) {
  if (by_production_key_.empty()) return;
  auto it = by_production_key_.find(trace.agent_step_id);
  if (it == by_production_key_.end()) return;
  for (uint32_t s : it->second)
    if (fits(entries_[s], trace)) entries_[s].trace_kinds |= kind_bit(trace.request_kind);
}

std::optional<uint32_t> RelabelJoin::best(const std::vector<uint32_t>& slots, const TraceKey& trace,
                                          std::optional<bool> ctx, bool production, bool& mismatch) const {
  std::optional<uint32_t> best;
  for (uint32_t s : slots) {
    const Entry& e = entries_[s];
    if (production && !fits(e, trace)) continue;
    if (!e.trace_id.empty() && e.trace_id != trace.id) continue;
    if (e.request_kind != RequestKind::absent && e.request_kind != trace.request_kind) continue;
    if (ctx && e.with_context >= 0 && (e.with_context == 1) != *ctx) {
      mismatch = true;
      continue;
    }
    if (best) {
      const Entry& b = entries_[*best];
      if (e.created_at_us < b.created_at_us || (e.created_at_us == b.created_at_us && e.id < b.id)) continue;
    }
    best = s;
  }
  return best;
}

JoinResult RelabelJoin::find(const TraceKey& trace, std::optional<bool> with_context) const {
  thread_local std::string key;
  bool mismatch = false;
  if (!by_trace_id_.empty())
    if (auto it = by_trace_id_.find(trace.id); it != by_trace_id_.end())
      if (auto s = best(it->second, trace, with_context, false, mismatch)) return {JoinOutcome::matched, *s};
  if (is_known(trace.request_kind) && !by_step_kind_.empty()) {
    make_step_kind_key(key, trace.agent_step_id, trace.request_kind);
    if (auto it = by_step_kind_.find(std::string_view(key)); it != by_step_kind_.end())
      if (auto s = best(it->second, trace, with_context, false, mismatch)) return {JoinOutcome::matched, *s};
  }
  if (!by_production_key_.empty()) {
    if (auto it = by_production_key_.find(trace.agent_step_id); it != by_production_key_.end()) {
      // The newest fitting relabel regardless of context decides ambiguity: another kind of
      // trace fits its key, so it may answer either (never guessed).
      bool ignored = false;
      if (auto any = best(it->second, trace, std::nullopt, true, ignored))
        if (entries_[*any].trace_kinds & ~kind_bit(trace.request_kind)) return {JoinOutcome::ambiguous, 0};
      if (auto s = best(it->second, trace, with_context, true, mismatch)) return {JoinOutcome::matched, *s};
    }
  }
  return {mismatch ? JoinOutcome::context_mismatch : JoinOutcome::no_relabel, 0};
}

}  // namespace pt
