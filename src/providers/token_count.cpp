// Implementation of providers/token_count.h: one blocking call per count (net/retry.h
// http_call_with_retry), safe to run from several threads at once.
#include "providers/token_count.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "providers/anthropic.h"
#include "providers/make_model_parts.h"
#include "providers/remote_util.h"

namespace pt {
namespace {

using nlohmann::json;

// A provider with a count endpoint: its id prefix and how its config is resolved.
struct CountProvider {
  const char* prefix;
  const HttpProvider* http;
};
constexpr CountProvider kAnthropic{"anthropic:", &kAnthropicHttp};
constexpr CountProvider kGemini{"gemini:", &kGeminiHttp};

const CountProvider* count_provider(std::string_view model_id) {
  for (const CountProvider* p : {&kAnthropic, &kGemini})
    if (model_id.rfind(p->prefix, 0) == 0) return p;
  return nullptr;
}

// The provider's config with its API key (a count is a call: never offline).
Result<HttpModelConfig> count_config(std::string_view model_id, const CountProvider* p, ModelOptions options) {
  if (!p)
    return usage_error(
        fmt::format("{}: the provider has no token-count endpoint picktune uses (anthropic:, gemini:)", model_id));
  options.offline = false;
  const HttpProvider& h = *p->http;
  return http_model_config(model_id, options, h.missing, h.key_env, h.base_env, h.default_base);
}

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

Result<int64_t> anthropic_count(const HttpModelConfig& c, const TeacherInput& input, const RetryPolicy& retry) {
  json body = json::parse(anthropic_params_json(c.name, input, c.options));
  body.erase("max_tokens");  // count_tokens accepts neither
  body.erase("temperature");
  HttpRequest req = post(c.base + "/v1/messages/count_tokens",
                         {{"x-api-key", c.key}, {"anthropic-version", kAnthropicVersion}}, body.dump());
  return read_count("anthropic count_tokens", http_call_with_retry(req, retry), c.key, "input_tokens");
}

Result<int64_t> gemini_count(const HttpModelConfig& c, const TeacherInput& input, const RetryPolicy& retry) {
  json request = json::parse(gemini_body(input, c.options));
  request["model"] = "models/" + c.name;
  json body = {{"generateContentRequest", std::move(request)}};
  HttpRequest req =
      post(fmt::format("{}/v1beta/models/{}:countTokens", c.base, c.name), {{"x-goog-api-key", c.key}}, body.dump());
  return read_count("gemini countTokens", http_call_with_retry(req, retry), c.key, "totalTokens");
}

}  // namespace

Result<void> check_remote_token_count(std::string_view model_id, const ModelOptions& options) {
  PT_TRY(count_config(model_id, count_provider(model_id), options));
  return ok();
}

Result<int64_t> count_input_tokens_remote(std::string_view model_id, const TeacherInput& input,
                                          const ModelOptions& options, const RetryPolicy& retry) {
  const CountProvider* p = count_provider(model_id);
  PT_ASSIGN_OR_RETURN(HttpModelConfig c, count_config(model_id, p, options));
  if (!input.call) return runtime_error(fmt::format("{}: no call to count", model_id));
  return p == &kAnthropic ? anthropic_count(c, input, retry) : gemini_count(c, input, retry);
}

}  // namespace pt
