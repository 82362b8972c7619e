// Implementation of pipeline/relabel/relabel_item.h.
#include "pipeline/relabel/relabel_item.h"

#include <algorithm>
#include <chrono>

#include <simdjson.h>
#include <nlohmann/json.hpp>

#include "core/file_list.h"
#include "providers/teacher_prompt.h"

namespace pt {
namespace {

using nlohmann::json;

// The newest stored blob files of the step: a get-expanded-file-context-for-training-blobs trace,
// else a get-expanded-file-context-for-training trace that carries `files`.
Result<std::vector<ContextFile>> load_step_files(Store& store, const std::string& agent_step_id) {
  std::vector<ContextFile> files;
  for (std::string_view type : {kExpandedContextBlobs, kExpandedContext}) {
    RowFilter f;
    f.type = std::string(type);
    f.agent_step_id = agent_step_id;
    f.order = RowFilter::Order::newest_first;
    bool found = false;
    PT_TRY(store.scan(Table::traces, f, [&](Row&& row) {
      auto parsed = parse_blob_files(row.payload);
      if (!parsed.ok() || parsed->empty()) return true;  // no usable files here; look further
      files = std::move(parsed).value();
      found = true;
      return false;
    }));
    if (found) break;
  }
  return files;
}

// The production ids a relabel carries over from its trace (docs/formats.md#common-payload-fields), when present.
std::vector<std::pair<std::string, std::string>> copied_fields(std::string_view payload) {
  std::vector<std::pair<std::string, std::string>> out;
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(payload.data(), payload.size()).get(root)) return out;
  for (const char* key : {"user_input_id", "client_session_id", "fingerprint_id", "repo_name"}) {
    std::string_view v;
    if (root[key].get_string().get(v) == simdjson::SUCCESS) out.emplace_back(key, std::string(v));
  }
  return out;
}

}  // namespace

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

RetryPolicy relabel_retry_policy(const RelabelOptions& options) {
  RetryPolicy policy;
  policy.max_attempts = 1 + std::max(0, options.max_retries);
  policy.base_delay_ms = options.backoff_base_ms;
  policy.max_delay_ms = options.backoff_max_ms;
  return policy;
}

TokenCountFn token_counter(const RelabelOptions& options) {
  if (options.count_tokens) return options.count_tokens;
  return [](std::string_view s) { return approx_token_count(s); };
}

size_t count_prompt_tokens(const TeacherInput& input, const TokenCountFn& count) {
  return count(teacher_prompt_text(input));
}

size_t prompt_bytes(const TeacherInput& input) {
  size_t n = input.file_context.size();
  for (const auto& b : input.call->system_blocks) n += b.size();
  for (const auto& m : input.call->messages)
    for (const auto& t : m.texts) n += t.size();
  return n;
}

Result<Prepared> prepare_relabel_item(Store& store, const std::string& trace_id, const RelabelOptions& options,
                                      bool need_tokens) {
  Prepared p;
  PT_ASSIGN_OR_RETURN(auto row, store.get(Table::traces, trace_id));
  if (!row) {
    p.status = PrepareStatus::missing;
    return p;
  }
  auto item = std::make_unique<RelabelItem>();
  item->trace = std::move(*row);
  auto call = parse_picker_call(item->trace.payload);
  if (!call.ok()) {
    p.status = PrepareStatus::invalid;
    p.error = "invalid trace " + call.error().message;
    return p;
  }
  item->call = std::move(call).value();
  item->input.call = &item->call;
  item->copied = copied_fields(item->trace.payload);
  auto count = token_counter(options);
  if (options.with_context) {
    PT_ASSIGN_OR_RETURN(auto files, load_step_files(store, item->trace.agent_step_id));
    auto ctx = render_file_context(files, options.context_tokens, count);
    if (ctx.text.empty()) {
      p.status = PrepareStatus::no_context;
      return p;
    }
    item->input.file_context = std::move(ctx.text);
  }
  item->prompt_bytes = prompt_bytes(item->input);
  if (need_tokens) item->input_tokens = count_prompt_tokens(item->input, count);
  p.item = std::move(item);
  return p;
}

Row make_relabel_row(const RelabelItem& item, const std::string& model_id, const Completion& completion,
                     double cost_usd, double latency_ms, bool with_context, bool batch) {
  json payload = json::object();
  for (const auto& [key, value] : item.copied) payload[key] = value;
  // Only a known kind is written: the relabel of a trace without one (or of an unknown one) joins by trace_id.
  if (is_known(item.call.request_kind)) payload["request_type"] = to_string(item.call.request_kind);
  payload["output"] = completion.text;
  payload["files"] = parse_file_list(completion.text);
  payload["usage"] = {{"input_tokens", completion.usage.input_tokens},
                      {"output_tokens", completion.usage.output_tokens},
                      {"cached_input_tokens", completion.usage.cached_input_tokens}};
  payload["cost_usd"] = cost_usd;
  payload["latency_ms"] = static_cast<int64_t>(latency_ms + 0.5);
  payload["trace_id"] = item.trace.id;
  payload["with_context"] = with_context;
  if (batch) payload["batch"] = true;

  Row r;
  r.id = relabel_row_id(model_id, item.trace.id, with_context);
  r.agent_step_id = item.trace.agent_step_id;
  r.user_id = item.trace.user_id;
  r.created_at_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  r.model = model_id;
  r.payload = payload.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

}  // namespace pt
