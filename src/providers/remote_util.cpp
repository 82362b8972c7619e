// Implementation of providers/remote_util.h and providers/teacher_prompt.h.
#include "providers/remote_util.h"

#include <fmt/format.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "providers/teacher_prompt.h"
#include "util/one_line.h"

namespace pt {

std::vector<std::string> teacher_system_blocks(const TeacherInput& input) {
  std::vector<std::string> blocks;
  if (input.call) blocks = input.call->system_blocks;
  if (!input.file_context.empty()) {
    if (blocks.empty())
      blocks.push_back(input.file_context);
    else
      blocks.back() += "\n\n" + input.file_context;
  }
  return blocks;
}

std::vector<TeacherTurn> teacher_turns(const PickerCall& call) {
  std::vector<TeacherTurn> turns;
  for (const auto& m : call.messages) {
    std::vector<std::string> texts;
    for (const auto& t : m.texts)
      if (!t.empty()) texts.push_back(t);
    if (texts.empty()) continue;
    std::string role = m.role == "assistant" ? "assistant" : "user";
    if (!turns.empty() && turns.back().role == role) {
      for (auto& t : texts) turns.back().texts.push_back(std::move(t));
    } else {
      turns.push_back(TeacherTurn{std::move(role), std::move(texts)});
    }
  }
  return turns;
}

std::string teacher_prompt_text(const TeacherInput& input) {
  std::string out;
  for (const auto& b : teacher_system_blocks(input)) out += b + "\n";
  if (input.call)
    for (const auto& turn : teacher_turns(*input.call))
      for (const auto& t : turn.texts) out += t + "\n";
  return out;
}

std::string env_value(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string resolve_base_url(const ModelOptions& options, const char* env_var, std::string_view fallback) {
  std::string url = options.base_url;
  if (url.empty()) url = env_value(env_var);
  if (url.empty()) url = std::string(fallback);
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

Result<std::string> api_key_from_env(const char* env_var, std::string_view model_id) {
  std::string key = env_value(env_var);
  if (key.empty()) return runtime_error(fmt::format("{} is not set (needed for {})", env_var, model_id));
  return key;
}

namespace {

// "TYPE: MESSAGE" from {"error": {"type"|"status", "message"}} or {"error": "text"}; "" if none.
std::string error_from_body(const std::string& body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return "";
  auto it = doc.find("error");
  if (it == doc.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (!it->is_object()) return "";
  std::string type, message;
  for (const char* k : {"type", "status", "code"}) {
    auto f = it->find(k);
    if (f != it->end() && f->is_string() && type.empty()) type = f->get<std::string>();
  }
  if (auto m = it->find("message"); m != it->end() && m->is_string()) message = m->get<std::string>();
  if (type.empty()) return message;
  return message.empty() ? type : type + ": " + message;
}

}  // namespace

std::string http_error_message(std::string_view provider, const HttpResponse& r, std::string_view secret) {
  std::string text;
  if (r.status == 0) {
    text = fmt::format("{}: {}", provider, r.transport_error.empty() ? "no response" : r.transport_error);
  } else {
    std::string detail = error_from_body(r.body);
    if (detail.empty()) detail = r.body.empty() ? "(empty body)" : r.body.substr(0, 200);
    text = fmt::format("{}: HTTP {} {}", provider, r.status, detail);
  }
  return one_line(Redactor().add(secret).add_env_keys().redact(std::move(text)), 300);
}

int64_t usage_count(const nlohmann::json& usage, const char* field) {
  auto it = usage.find(field);
  if (it == usage.end() || !it->is_number_unsigned()) return 0;
  uint64_t n = it->get<uint64_t>();
  return n <= (uint64_t{1} << 40) ? static_cast<int64_t>(n) : 0;
}

Error malformed_body(std::string_view provider, std::string_view why) {
  return runtime_error(fmt::format("{}: malformed response body ({})", provider, why));
}

Result<HttpModelConfig> http_model_config(std::string_view model_id, const ModelOptions& options,
                                          std::string_view missing, const char* key_env, const char* base_env,
                                          std::string_view default_base) {
  HttpModelConfig c;
  c.id = std::string(model_id);
  c.name = std::string(model_id.substr(model_id.find(':') + 1));
  if (c.name.empty()) return usage_error(fmt::format("{}: missing {}", model_id, missing));
  PT_ASSIGN_OR_RETURN(c.price, price_for_model(model_id, options));
  if (key_env) {
    PT_ASSIGN_OR_RETURN(c.key, api_key_unless_offline(key_env, model_id, options.offline));
  }
  if (base_env) c.base = resolve_base_url(options, base_env, default_base);
  c.options = options;
  return c;
}

Result<void> HttpModel::check_call(const TeacherInput& input) const {
  if (!input.call) return runtime_error(id() + ": no call to send");
  return ok();
}

HttpRequest HttpModel::json_post(std::vector<std::pair<std::string, std::string>> headers, std::string body) const {
  HttpRequest r;
  r.method = "POST";
  r.url = url_;
  r.headers = std::move(headers);
  r.headers.emplace_back("content-type", "application/json");
  r.body = std::move(body);
  return r;
}

}  // namespace pt
