// Implementation of pipeline/eval/eval_answers.h: relabel payloads read with simdjson, answers indexed
// by trace id and by (agent step, request kind).
#include "pipeline/eval/eval_answers.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "core/file_list.h"

namespace pt {
namespace {

std::string key_of(const std::string& step, const std::string& kind) { return step + '\x1f' + kind; }

// Optional string field: absent/null -> "", other types -> error text.
bool read_string(simdjson::dom::object obj, std::string_view key, std::string& out, std::string& problem) {
  auto v = obj[key];
  if (v.error() == simdjson::NO_SUCH_FIELD || v.is_null()) return true;
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) {
    problem = fmt::format("payload.{}: expected a string", key);
    return false;
  }
  out.assign(s);
  return true;
}

void read_payload(std::string_view json, StoredAnswer& a) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root)) {
    a.problem = fmt::format("payload: invalid JSON ({})", simdjson::error_message(err));
    return;
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) {
    a.problem = "payload: expected a JSON object";
    return;
  }
  std::string output;
  if (!read_string(obj, "request_type", a.request_type, a.problem) ||
      !read_string(obj, "trace_id", a.trace_id, a.problem) ||
      !read_string(obj, "user_input_id", a.user_input_id, a.problem) || !read_string(obj, "output", output, a.problem))
    return;
  bool has_output = obj["output"].error() != simdjson::NO_SUCH_FIELD && !obj["output"].is_null();
  if (has_output) {
    a.files = parse_file_list(output);
    a.text = std::move(output);
    return;
  }
  simdjson::dom::array files;
  if (obj["files"].get_array().get(files) != simdjson::SUCCESS) {
    a.problem = "payload: neither an \"output\" string nor a \"files\" array";
    return;
  }
  size_t i = 0;
  for (auto f : files) {
    std::string_view s;
    if (f.get_string().get(s) != simdjson::SUCCESS) {
      a.problem = fmt::format("payload.files[{}]: expected a string", i);
      a.files.clear();
      a.text.clear();
      return;
    }
    a.text.append(s).push_back('\n');
    ++i;
  }
  a.files = parse_file_list(a.text);
}

bool compatible(const std::string& a, const std::string& b) { return a.empty() || b.empty() || a == b; }

}  // namespace

StoredAnswer read_answer(Row&& row) {
  StoredAnswer a;
  a.id = std::move(row.id);
  a.agent_step_id = std::move(row.agent_step_id);
  a.user_id = std::move(row.user_id);
  a.created_at_us = row.created_at_us;
  read_payload(row.payload, a);
  return a;
}

Result<AnswerIndex> AnswerIndex::load(Store& store, const std::string& model) {
  AnswerIndex index;
  RowFilter filter;
  filter.model = model;
  filter.order = RowFilter::Order::oldest_first;
  PT_TRY(store.scan(Table::relabels, filter, [&](Row&& row) {
    index.add(read_answer(std::move(row)));
    return true;
  }));
  return index;
}

void AnswerIndex::add(StoredAnswer answer) {
  auto id = static_cast<uint32_t>(answers_.size());
  if (!answer.trace_id.empty()) by_trace_[answer.trace_id].push_back(id);
  auto& ids = by_step_kind_[key_of(answer.agent_step_id, answer.request_type)];
  if (answer.request_type.empty() && ids.empty()) kindless_steps_.push_back(answer.agent_step_id);
  ids.push_back(id);
  answers_.push_back(std::move(answer));
}

const StoredAnswer* AnswerIndex::newest(const std::vector<uint32_t>* ids, const TraceKey& trace, bool kindless) const {
  if (!ids) return nullptr;
  const StoredAnswer* best = nullptr;
  for (uint32_t i : *ids) {
    const StoredAnswer& a = answers_[i];
    if (!a.trace_id.empty() && a.trace_id != trace.id) continue;
    if (kindless && (!compatible(a.user_id, trace.user_id) || !compatible(a.user_input_id, trace.user_input_id)))
      continue;
    if (!best || a.created_at_us >= best->created_at_us) best = &a;
  }
  return best;
}

AnswerLookup AnswerIndex::find(const TraceKey& trace, const KindProbe& has_kind) const {
  auto lookup = [](const auto& map, const std::string& key) {
    auto it = map.find(key);
    return it == map.end() ? nullptr : &it->second;
  };
  if (const StoredAnswer* a = newest(lookup(by_trace_, trace.id), trace, false)) return {a, false};
  if (const StoredAnswer* a =
          newest(lookup(by_step_kind_, key_of(trace.agent_step_id, trace.kind)), trace, trace.kind.empty()))
    return {a, false};
  if (trace.kind.empty()) return {};
  const StoredAnswer* a = newest(lookup(by_step_kind_, key_of(trace.agent_step_id, "")), trace, true);
  if (!a) return {};
  for (std::string other : {"Key", "Non-Obvious"})
    if (other != trace.kind && has_kind(trace.agent_step_id, other)) return {nullptr, true};
  return {a, false};
}

}  // namespace pt
