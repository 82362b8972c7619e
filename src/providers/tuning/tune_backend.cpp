// Implementation of the shared parts of providers/tuning/tune_backend.h: choosing the backend of a
// provider and the one-line message of a failed tuning-API call, credentials masked.
#include "providers/tuning/tune_backend.h"

#include <algorithm>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "net/retry.h"
#include "net/secrets.h"

namespace pt {

using nlohmann::json;

std::string job_state_from(std::string_view provider_state, const JobStateWords& words) {
  auto in = [&](const std::vector<std::string_view>& list) {
    return std::find(list.begin(), list.end(), provider_state) != list.end();
  };
  if (in(words.succeeded)) return "succeeded";
  if (in(words.failed)) return "failed";
  if (in(words.cancelled)) return "cancelled";
  if (in(words.running)) return "running";
  return "pending";
}

std::string provider_error(const std::string& what, int status, const std::string& body,
                           const std::string& transport_error) {
  if (status == 0) return fmt::format("{} failed: {}", what, transport_error.empty() ? "no response" : transport_error);
  json j = json::parse(body, nullptr, false);
  std::string message;
  if (j.is_object() && j.contains("error")) {
    const json& e = j["error"];
    if (e.is_object() && e.contains("message") && e["message"].is_string())
      message = e["message"].get<std::string>();
    else if (e.is_string())
      message = e.get<std::string>();
  }
  if (message.empty()) message = status == 200 ? "unexpected response body" : "no error message";
  return fmt::format("{} failed (HTTP {}): {}", what, status, message);
}

std::string provider_error(const std::string& what, const HttpRequest& request, const HttpResponse& response) {
  return Redactor().add_request(request).redact(
      provider_error(what, response.status, response.body, response.transport_error));
}

Result<nlohmann::json> poll_job_json(const HttpRequest& request, const char* state_field, const std::string& what) {
  HttpResponse resp = http_call_with_retry(request, RetryPolicy{});
  nlohmann::json j = nlohmann::json::parse(resp.body, nullptr, false);
  if (resp.status != 200 || !j.is_object() || !j.contains(state_field))
    return runtime_error(provider_error(what, request, resp));
  return j;
}

Result<std::unique_ptr<TuneBackend>> make_tune_backend(const std::string& provider, const VertexTuneTarget& vertex) {
  if (provider == "vertex") return make_vertex_tune_backend(vertex);
  if (provider == "openai") return make_openai_tune_backend();
  return usage_error(fmt::format("unknown tuning provider \"{}\" (expected vertex or openai)", provider));
}

}  // namespace pt
