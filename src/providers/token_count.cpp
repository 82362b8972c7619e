// Implementation of providers/token_count.h: one blocking call per count (net/http.h http_call).
#include "providers/token_count.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "providers/anthropic.h"
#include "providers/make_model_parts.h"
#include "providers/remote_util.h"

namespace pt {
namespace {

using nlohmann::json;

HttpRequest post(std::string url, std::vector<std::pair<std::string, std::string>> headers, std::string body) {
  HttpRequest r;
  r.method = "POST";
  r.url = std::move(url);
  r.headers = std::move(headers);
  r.headers.emplace_back("content-type", "application/json");
  r.body = std::move(body);
  r.timeout_ms = 30000;
  return r;
}

Result<int64_t> read_count(std::string_view what, const HttpResponse& r, const std::string& key, const char* field) {
  if (r.status < 200 || r.status >= 300) return runtime_error(http_error_message(what, r, key));
  json doc = json::parse(r.body, nullptr, false);
  if (!doc.is_object() || !doc.contains(field) || !doc[field].is_number_unsigned())
    return malformed_body(what, fmt::format("{}: expected a non-negative integer", field));
  return usage_count(doc, field);
}

Result<int64_t> anthropic_count(std::string_view model_id, const TeacherInput& input, const ModelOptions& options) {
  PT_ASSIGN_OR_RETURN(HttpModelConfig c,
                      http_model_config(model_id, options, "model name (anthropic:NAME)", "ANTHROPIC_API_KEY",
                                        "ANTHROPIC_BASE_URL", "https://api.anthropic.com"));
  json body = json::parse(anthropic_params_json(c.name, input, options));
  body.erase("max_tokens");  // count_tokens accepts neither
  body.erase("temperature");
  HttpRequest req = post(c.base + "/v1/messages/count_tokens",
                         {{"x-api-key", c.key}, {"anthropic-version", kAnthropicVersion}}, body.dump());
  return read_count("anthropic count_tokens", http_call(req), c.key, "input_tokens");
}

Result<int64_t> gemini_count(std::string_view model_id, const TeacherInput& input, const ModelOptions& options) {
  PT_ASSIGN_OR_RETURN(HttpModelConfig c,
                      http_model_config(model_id, options, "model name (gemini:NAME)", "GEMINI_API_KEY",
                                        "GEMINI_BASE_URL", "https://generativelanguage.googleapis.com"));
  json request = json::parse(gemini_body(input, options));
  request["model"] = "models/" + c.name;
  json body = {{"generateContentRequest", std::move(request)}};
  HttpRequest req =
      post(fmt::format("{}/v1beta/models/{}:countTokens", c.base, c.name), {{"x-goog-api-key", c.key}}, body.dump());
  return read_count("gemini countTokens", http_call(req), c.key, "totalTokens");
}

}  // namespace

Result<int64_t> count_input_tokens_remote(std::string_view model_id, const TeacherInput& input,
                                          const ModelOptions& options) {
  if (!input.call) return runtime_error(fmt::format("{}: no call to count", model_id));
  if (model_id.rfind("anthropic:", 0) == 0) return anthropic_count(model_id, input, options);
  if (model_id.rfind("gemini:", 0) == 0) return gemini_count(model_id, input, options);
  return usage_error(
      fmt::format("{}: the provider has no token-count endpoint picktune uses (anthropic:, gemini:)", model_id));
}

}  // namespace pt
