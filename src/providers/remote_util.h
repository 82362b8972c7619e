// Helpers shared by the remote providers (anthropic, openai, gemini/vertex, batches): env and
// base-URL resolution, API-key lookup with a clear error naming the variable, and one-line error
// messages (secrets masked by net/secrets.h) from provider error bodies. Internal to src/providers.
#pragma once
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json_fwd.hpp>

#include "net/http.h"
#include "net/secrets.h"
#include "providers/model.h"
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

// Base of the HTTP-backed models: holds the model id; answer() is not theirs to run (the relabel
// engine sends build_request() through its own HTTP client and calls parse_response()).
class RemoteModel : public Model {
 public:
  explicit RemoteModel(std::string id) : id_(std::move(id)) {}
  const std::string& id() const override { return id_; }
  bool is_local() const override { return false; }
  Result<Completion> answer(const TeacherInput&) override {
    return runtime_error(id_ + ": remote model: use build_request/parse_response");
  }

 protected:
  std::string id_;
};

}  // namespace pt
