// Helpers shared by the remote providers (anthropic, openai, gemini/vertex, batches): env and
// base-URL resolution, API-key lookup with a clear error naming the variable, one-line error
// messages (secrets masked by net/secrets.h) from provider error bodies, and HttpModel, the state
// and request shape every HTTP provider shares. Internal to src/providers.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "net/http.h"
#include "net/secrets.h"
#include "providers/model.h"
#include "providers/prices.h"
#include "util/result.h"

namespace pt {

std::string env_value(const char* name);  // "" when unset
// options.base_url, else $env_var, else fallback; without a trailing '/'.
std::string resolve_base_url(const ModelOptions& options, const char* env_var, std::string_view fallback);
// The key from env_var, or an error naming the variable (and never a value).
Result<std::string> api_key_from_env(const char* env_var, std::string_view model_id);
// The same, except that an offline model (a dry run, which sends nothing) needs no key: "".
inline Result<std::string> api_key_unless_offline(const char* env_var, std::string_view model_id, bool offline) {
  if (offline) return std::string();
  return api_key_from_env(env_var, model_id);
}
// "PROVIDER: HTTP 429 rate_limit_error: MESSAGE" / "PROVIDER: timeout": one line, at most ~300
// characters, the secret and every API key of the environment redacted (net/secrets.h). Reads the error shapes of
// Anthropic, OpenAI and Google.
std::string http_error_message(std::string_view provider, const HttpResponse& response, std::string_view secret);
// A token count from a usage object: a non-negative integer up to 2^40, else 0 (so sums of counts
// cannot overflow and a bogus negative never lowers a cost).
int64_t usage_count(const nlohmann::json& usage, const char* field);
// A malformed 2xx body: "PROVIDER: malformed response body (WHY)".
Error malformed_body(std::string_view provider, std::string_view why);

// What an HTTP provider is built from: the id, the name after "provider:", the resolved base URL
// (without a trailing '/'), the API key ("" offline or for a provider without one), the options
// and the price.
struct HttpModelConfig {
  std::string id, name, base, key;
  ModelOptions options;
  Price price;
};

// The config of `model_id` ("provider:NAME"): an empty name is a usage error "ID: missing
// MISSING" (missing: "model name (anthropic:NAME)"); the key comes from $key_env unless key_env is null or the model is
// offline; the base URL from options, $base_env, else default_base (base stays "" when base_env is null).
Result<HttpModelConfig> http_model_config(std::string_view model_id, const ModelOptions& options,
                                          std::string_view missing, const char* key_env, const char* base_env,
                                          std::string_view default_base);

// Base of the HTTP-backed models: their config, the endpoint URL, the price, and the JSON POST.
class HttpModel : public RemoteModel {
 public:
  HttpModel(HttpModelConfig config, std::string url)
      : RemoteModel(config.id), config_(std::move(config)), url_(std::move(url)) {}
  double cost_usd(const Usage& usage) const override {
    return usage_cost_usd(config_.price, usage, config_.options.batch);
  }

 protected:
  // An error naming the model when there is no call to send.
  Result<void> check_call(const TeacherInput& input) const;
  // POST `body` to the endpoint URL with these headers and content-type application/json.
  HttpRequest json_post(std::vector<std::pair<std::string, std::string>> headers, std::string body) const;

  HttpModelConfig config_;
  std::string url_;
};
// How make_http_model builds one provider's model: the usage-error text of an empty name, the key
// and base-URL variables, the public base URL and the endpoint path after it.
struct HttpProvider {
  const char* missing;
  const char* key_env;
  const char* base_env;
  const char* default_base;
  const char* path;
};

// The model M (an HttpModel) of `model_id`, posting to base URL + provider.path.
template <class M>
Result<std::unique_ptr<RemoteModel>> make_http_model(std::string_view model_id, const ModelOptions& options,
                                                     const HttpProvider& provider) {
  PT_ASSIGN_OR_RETURN(HttpModelConfig config, http_model_config(model_id, options, provider.missing, provider.key_env,
                                                                provider.base_env, provider.default_base));
  std::string url = config.base + provider.path;
  return std::unique_ptr<RemoteModel>(std::make_unique<M>(std::move(config), std::move(url)));
}

}  // namespace pt
