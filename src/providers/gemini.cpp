// gemini:NAME (AI Studio, POST {GEMINI_BASE_URL}/v1beta/models/NAME:generateContent with the
// x-goog-api-key header) and vertex:MODEL_OR_ENDPOINT (Vertex AI generateContent on
// publishers/google/models/M, or on a tuned endpoint given as projects/P/locations/L/endpoints/E
// or a numeric id; project/location from VERTEX_PROJECT / VERTEX_LOCATION or the service
// account, default location us-central1; Bearer token from net/gcp_auth). Same body for both:
// systemInstruction, contents (roles user/model), generationConfig.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "net/gcp_auth.h"
#include "providers/make_model_parts.h"
#include "providers/prices.h"
#include "providers/remote_util.h"
#include "providers/teacher_prompt.h"

namespace pt {
namespace {

using nlohmann::json;

}  // namespace

std::string gemini_body(const TeacherInput& input, const ModelOptions& options) {
  json body = json::object();
  std::vector<std::string> system = teacher_system_blocks(input);
  if (!system.empty()) {
    json parts = json::array();
    for (auto& s : system) parts.push_back({{"text", std::move(s)}});
    body["systemInstruction"] = {{"role", "system"}, {"parts", std::move(parts)}};
  }
  json contents = json::array();
  for (auto& turn : teacher_turns(*input.call)) {
    json parts = json::array();
    for (auto& t : turn.texts) parts.push_back({{"text", std::move(t)}});
    contents.push_back({{"role", turn.role == "assistant" ? "model" : "user"}, {"parts", std::move(parts)}});
  }
  body["contents"] = std::move(contents);
  body["generationConfig"] = {{"temperature", options.temperature}, {"maxOutputTokens", options.max_output_tokens}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {

// The blockReason enum ("SAFETY", "PROHIBITED_CONTENT", ...) as is; anything else is not echoed
// (server text could hold the key or span lines).
std::string block_reason(const json& reason) {
  if (!reason.is_string()) return "unknown reason";
  const std::string& s = reason.get_ref<const std::string&>();
  bool is_enum =
      !s.empty() && s.size() <= 40 && s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") == std::string::npos;
  return is_enum ? s : "unknown reason";
}

Result<Completion> gemini_parse(std::string_view provider, const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return malformed_body(provider, "not a JSON object");
  auto candidates = doc.find("candidates");
  if (candidates == doc.end() || !candidates->is_array() || candidates->empty()) {
    auto fb = doc.find("promptFeedback");
    if (fb != doc.end() && fb->is_object() && fb->contains("blockReason"))
      return runtime_error(fmt::format("{}: prompt blocked ({})", provider, block_reason((*fb)["blockReason"])));
    return malformed_body(provider, "candidates: expected a non-empty array");
  }
  const json& cand = (*candidates)[0];
  Completion c;
  if (cand.is_object() && cand.contains("content")) {
    const json& content = cand["content"];
    if (!content.is_object()) return malformed_body(provider, "candidates[0].content: expected an object");
    if (content.contains("parts")) {
      if (!content["parts"].is_array())
        return malformed_body(provider, "candidates[0].content.parts: expected an array");
      for (const auto& part : content["parts"]) {
        if (!part.is_object() || (part.contains("thought") && part["thought"] == true)) continue;
        if (part.contains("text") && part["text"].is_string()) c.text += part["text"].get<std::string>();
      }
    }
  } else if (!cand.is_object()) {
    return malformed_body(provider, "candidates[0]: expected an object");
  }
  auto usage = doc.find("usageMetadata");
  if (usage == doc.end() || !usage->is_object()) return malformed_body(provider, "usageMetadata: missing");
  auto count = [&](const char* field) { return usage_count(*usage, field); };
  c.usage.input_tokens = count("promptTokenCount");
  c.usage.output_tokens = count("candidatesTokenCount") + count("thoughtsTokenCount");
  c.usage.cached_input_tokens = count("cachedContentTokenCount");
  return c;
}

// One class for both flavours; they differ in URL and in how the credential is attached.
class GeminiModel final : public HttpModel {
 public:
  GeminiModel(HttpModelConfig config, std::string provider, std::string url, std::shared_ptr<GcpAuth> auth)
      : HttpModel(std::move(config), std::move(url)), provider_(std::move(provider)), auth_(std::move(auth)) {}

  Result<HttpRequest> build_request(const TeacherInput& input) const override {
    PT_TRY(check_call(input));
    std::vector<std::pair<std::string, std::string>> headers;
    if (auth_) {
      PT_ASSIGN_OR_RETURN(std::string token, auth_->access_token());
      headers.emplace_back("authorization", "Bearer " + token);
    } else {
      headers.emplace_back("x-goog-api-key", config_.key);
    }
    return json_post(std::move(headers), gemini_body(input, config_.options));
  }

  Result<Completion> parse_response(const HttpResponse& response) const override {
    if (response.status < 200 || response.status >= 300) {
      std::string msg = http_error_message(provider_, response, config_.key);
      if (auth_) msg = auth_->redact(std::move(msg));  // Vertex errors could echo the bearer token
      return runtime_error(msg);
    }
    return gemini_parse(provider_, response.body);
  }

 private:
  std::string provider_;
  std::shared_ptr<GcpAuth> auth_;
};

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

Result<std::unique_ptr<RemoteModel>> make_gemini_model(std::string_view model_id, const ModelOptions& options) {
  PT_ASSIGN_OR_RETURN(HttpModelConfig config,
                      http_model_config(model_id, options, kGeminiHttp.missing, kGeminiHttp.key_env,
                                        kGeminiHttp.base_env, kGeminiHttp.default_base));
  std::string url = fmt::format("{}/v1beta/models/{}:generateContent", config.base, config.name);
  return std::unique_ptr<RemoteModel>(std::make_unique<GeminiModel>(std::move(config), "gemini", url, nullptr));
}

Result<std::unique_ptr<RemoteModel>> make_vertex_model(std::string_view model_id, const ModelOptions& options) {
  PT_ASSIGN_OR_RETURN(
      HttpModelConfig config,
      http_model_config(model_id, options, "model or endpoint (vertex:MODEL_OR_ENDPOINT)", nullptr, nullptr, ""));
  std::string_view name = config.name;
  std::shared_ptr<GcpAuth> auth;  // none for an offline (dry-run) model: it sends nothing
  if (!options.offline) {
    PT_ASSIGN_OR_RETURN(auth, GcpAuth::shared_from_env());
  }
  std::string project = env_value("VERTEX_PROJECT");
  if (project.empty()) project = auth ? auth->project_id() : "PROJECT";
  std::string location = env_value("VERTEX_LOCATION");
  if (location.empty()) location = "us-central1";
  std::string resource;  // the path after /v1/
  if (name.substr(0, 9) == "projects/") {
    auto at = name.find("/endpoints/");
    auto loc = name.find("/locations/");
    if (at == std::string_view::npos || loc == std::string_view::npos || !all_digits(name.substr(at + 11)))
      return usage_error(fmt::format("{}: expected vertex:projects/P/locations/L/endpoints/E", model_id));
    resource = std::string(name);
    location = std::string(name.substr(loc + 11, at - loc - 11));
  } else {
    if (project.empty())
      return usage_error(
          fmt::format("{}: no Vertex project: set VERTEX_PROJECT (the service account has no project_id)", model_id));
    if (all_digits(name))
      resource = fmt::format("projects/{}/locations/{}/endpoints/{}", project, location, name);
    else
      resource = fmt::format("projects/{}/locations/{}/publishers/google/models/{}", project, location, name);
  }
  std::string host = location == "global" ? "https://aiplatform.googleapis.com"
                                          : fmt::format("https://{}-aiplatform.googleapis.com", location);
  config.base = resolve_base_url(options, "VERTEX_BASE_URL", host);
  std::string url = fmt::format("{}/v1/{}:generateContent", config.base, resource);
  return std::unique_ptr<RemoteModel>(std::make_unique<GeminiModel>(std::move(config), "vertex", url, auth));
}

}  // namespace pt
