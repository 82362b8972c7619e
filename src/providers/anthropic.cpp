// Implementation of providers/anthropic.h: request building and response parsing for the
// Messages API, including usage (input_tokens + cache_read_input_tokens +
// cache_creation_input_tokens) and error bodies ({"type":"error","error":{type,message}}).
#include "providers/anthropic.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "providers/make_model_parts.h"
#include "providers/remote_util.h"
#include "providers/teacher_prompt.h"

namespace pt {
namespace {

using nlohmann::json;

class AnthropicModel final : public HttpModel {
 public:
  using HttpModel::HttpModel;

  Result<HttpRequest> build_request(const TeacherInput& input) const override {
    PT_TRY(check_call(input));
    return json_post({{"x-api-key", config_.key}, {"anthropic-version", kAnthropicVersion}},
                     anthropic_params_json(config_.name, input, config_.options));
  }

  Result<Completion> parse_response(const HttpResponse& response) const override {
    if (response.status < 200 || response.status >= 300)
      return runtime_error(http_error_message("anthropic", response, config_.key));
    return anthropic_parse_message(response.body);
  }
};

}  // namespace

std::string anthropic_params_json(std::string_view model_name, const TeacherInput& input, const ModelOptions& options) {
  json body = json::object();
  body["model"] = model_name;
  body["max_tokens"] = options.max_output_tokens;
  body["temperature"] = options.temperature;
  std::vector<std::string> blocks = teacher_system_blocks(input);
  if (!blocks.empty()) {
    json system = json::array();
    for (auto& b : blocks) system.push_back({{"type", "text"}, {"text", std::move(b)}});
    system.back()["cache_control"] = {{"type", "ephemeral"}};
    body["system"] = std::move(system);
  }
  json messages = json::array();
  if (input.call) {
    for (auto& turn : teacher_turns(*input.call)) {
      json content = json::array();
      for (auto& t : turn.texts) content.push_back({{"type", "text"}, {"text", std::move(t)}});
      messages.push_back({{"role", turn.role}, {"content", std::move(content)}});
    }
  }
  body["messages"] = std::move(messages);
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Completion> anthropic_parse_message(std::string_view message_json) {
  json doc = json::parse(message_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return malformed_body("anthropic", "not a JSON object");
  auto content = doc.find("content");
  if (content == doc.end() || !content->is_array()) return malformed_body("anthropic", "content: expected an array");
  Completion c;
  for (const auto& block : *content) {
    if (!block.is_object()) return malformed_body("anthropic", "content[]: expected an object");
    auto type = block.find("type");
    if (type == block.end() || *type != "text") continue;
    auto text = block.find("text");
    if (text == block.end() || !text->is_string())
      return malformed_body("anthropic", "content[].text: expected a string");
    c.text += text->get<std::string>();
  }
  auto usage = doc.find("usage");
  if (usage == doc.end() || !usage->is_object()) return malformed_body("anthropic", "usage: missing");
  auto count = [&](const char* field) { return usage_count(*usage, field); };
  if (!usage->contains("input_tokens") || !usage->contains("output_tokens"))
    return malformed_body("anthropic", "usage.input_tokens/output_tokens: missing");
  c.usage.cached_input_tokens = count("cache_read_input_tokens");
  c.usage.cache_write_input_tokens = count("cache_creation_input_tokens");
  c.usage.input_tokens = count("input_tokens") + c.usage.cached_input_tokens + c.usage.cache_write_input_tokens;
  c.usage.output_tokens = count("output_tokens");
  return c;
}

Result<std::unique_ptr<RemoteModel>> make_anthropic_model(std::string_view model_id, const ModelOptions& options) {
  return make_http_model<AnthropicModel>(model_id, options, kAnthropicHttp);
}

}  // namespace pt
