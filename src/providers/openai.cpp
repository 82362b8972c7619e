// openai:NAME — Chat Completions on any OpenAI-compatible base URL (OPENAI_BASE_URL, default
// https://api.openai.com/v1; the URL includes the version path as in the OpenAI SDKs):
// POST {base}/chat/completions with a Bearer key. System blocks become one system message (parts
// joined by a blank line). Reasoning models (o1/o3/o4/gpt-5) get max_completion_tokens and no
// temperature. Usage: prompt_tokens, completion_tokens, prompt_tokens_details.cached_tokens.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "providers/make_model_parts.h"
#include "providers/prices.h"
#include "providers/remote_util.h"
#include "providers/teacher_prompt.h"

namespace pt {
namespace {

using nlohmann::json;

bool is_reasoning_model(std::string_view name) {
  for (std::string_view p : {"o1", "o3", "o4", "gpt-5"})
    if (name.substr(0, p.size()) == p && (name.size() == p.size() || name[p.size()] == '-')) return true;
  return false;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

class OpenAiModel final : public HttpModel {
 public:
  using HttpModel::HttpModel;

  Result<HttpRequest> build_request(const TeacherInput& input) const override {
    PT_TRY(check_call(input));
    json body = json::object();
    body["model"] = config_.name;
    if (is_reasoning_model(config_.name)) {
      body["max_completion_tokens"] = config_.options.max_output_tokens;
    } else {
      body["max_tokens"] = config_.options.max_output_tokens;
      body["temperature"] = config_.options.temperature;
    }
    json messages = json::array();
    std::vector<std::string> system = teacher_system_blocks(input);
    if (!system.empty()) messages.push_back({{"role", "system"}, {"content", join(system, "\n\n")}});
    for (const auto& turn : teacher_turns(*input.call))
      messages.push_back({{"role", turn.role}, {"content", join(turn.texts, "\n\n")}});
    body["messages"] = std::move(messages);
    return json_post({{"authorization", "Bearer " + config_.key}},
                     body.dump(-1, ' ', false, json::error_handler_t::replace));
  }

  Result<Completion> parse_response(const HttpResponse& response) const override {
    if (response.status < 200 || response.status >= 300)
      return runtime_error(http_error_message("openai", response, config_.key));
    json doc = json::parse(response.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return malformed_body("openai", "not a JSON object");
    auto choices = doc.find("choices");
    if (choices == doc.end() || !choices->is_array() || choices->empty())
      return malformed_body("openai", "choices: expected a non-empty array");
    const json& first = (*choices)[0];
    if (!first.is_object() || !first.contains("message") || !first["message"].is_object())
      return malformed_body("openai", "choices[0].message: missing");
    Completion c;
    const json& message = first["message"];
    auto content = message.find("content");  // absent like null (const operator[] on a missing key is UB)
    if (content != message.end() && content->is_string())
      c.text = content->get<std::string>();
    else if (content != message.end() && !content->is_null())
      return malformed_body("openai", "choices[0].message.content: expected a string");
    auto usage = doc.find("usage");
    if (usage == doc.end() || !usage->is_object()) return malformed_body("openai", "usage: missing");
    auto count = [](const json& obj, const char* field) { return usage_count(obj, field); };
    c.usage.input_tokens = count(*usage, "prompt_tokens");
    c.usage.output_tokens = count(*usage, "completion_tokens");
    if (auto d = usage->find("prompt_tokens_details"); d != usage->end() && d->is_object())
      c.usage.cached_input_tokens = count(*d, "cached_tokens");
    return c;
  }
};

}  // namespace

Result<std::unique_ptr<RemoteModel>> make_openai_model(std::string_view model_id, const ModelOptions& options) {
  static constexpr HttpProvider kOpenAi{"model name (openai:NAME)", "OPENAI_API_KEY", "OPENAI_BASE_URL",
                                        "https://api.openai.com/v1", "/chat/completions"};
  return make_http_model<OpenAiModel>(model_id, options, kOpenAi);
}

}  // namespace pt
