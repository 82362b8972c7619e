// Token-count routes of the fake LLM server, as strict about credentials as the real services:
// Anthropic POST /v1/messages/count_tokens (x-api-key required: missing or wrong -> 401
// authentication_error; anthropic-version required; max_tokens is not accepted) -> {"input_tokens"};
// Gemini POST /v1beta/models/NAME:countTokens (x-goog-api-key header or ?key=: missing -> 403
// PERMISSION_DENIED, wrong -> 400 INVALID_ARGUMENT with reason API_KEY_INVALID) -> {"totalTokens"}.
// Injected faults (fail_next, fail_first_n, fail_rate) answer 429 with retry-after; others are ignored.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "support/fakes/fake_llm.h"

namespace pt::fake {
namespace {

using nlohmann::json;
constexpr const char* kJson = "application/json; charset=utf-8";

json anthropic_error(const std::string& type, const std::string& message) {
  return {{"type", "error"}, {"error", {{"type", type}, {"message", message}}}};
}

json google_error(int code, const std::string& status, const std::string& message, const std::string& reason) {
  json e = {{"code", code}, {"message", message}, {"status", status}};
  if (!reason.empty())
    e["details"] = json::array({{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                                 {"reason", reason},
                                 {"domain", "googleapis.com"},
                                 {"metadata", {{"service", "generativelanguage.googleapis.com"}}}}});
  return {{"error", e}};
}

// Every text of a JSON value, summed in bytes: the fake's token count is bytes / 4, at least 1.
size_t text_bytes(const json& v) {
  if (v.is_string()) return v.get_ref<const std::string&>().size();
  size_t n = 0;
  if (v.is_array() || v.is_object())
    for (const auto& x : v) n += text_bytes(x);
  return n;
}

}  // namespace

// An injected fault on a count route: status 429 and retry-after set (true), else nothing (false).
bool FakeLlm::count_rate_limited(const httplib::Request& req, httplib::Response& res) {
  if (pick_fault(req.body) != Fault::rate_limit) return false;
  res.status = 429;
  if (!cfg_.retry_after.empty()) res.set_header("retry-after", cfg_.retry_after);
  return true;
}

void FakeLlm::install_token_count_routes() {
  server_->Post("/v1/messages/count_tokens", [this](const httplib::Request& req, httplib::Response& res) {
    FakeCall call{req.method, req.path, {}, req.body, 0, "", ""};
    json body = json::parse(req.body, nullptr, false);
    json out;
    if (!req.has_header("x-api-key") || req.get_header_value("x-api-key").empty()) {
      res.status = 401;
      out = anthropic_error("authentication_error", "x-api-key header is required");
    } else if (!cfg_.expect_key.empty() && req.get_header_value("x-api-key") != cfg_.expect_key) {
      res.status = 401;
      out = anthropic_error("authentication_error", "invalid x-api-key");
    } else if (!req.has_header("anthropic-version")) {
      res.status = 400;
      out = anthropic_error("invalid_request_error", "anthropic-version: header is required");
    } else if (!body.is_object() || !body.contains("model") || !body.contains("messages") ||
               !body["messages"].is_array()) {
      res.status = 400;
      out = anthropic_error("invalid_request_error", "model, messages: Field required");
    } else if (count_rate_limited(req, res)) {
      out = anthropic_error("rate_limit_error", "Number of request tokens has exceeded your rate limit");
    } else if (body.contains("max_tokens") || body.contains("temperature")) {
      res.status = 400;
      out = anthropic_error(
          "invalid_request_error",
          std::string(body.contains("max_tokens") ? "max_tokens" : "temperature") + ": Extra inputs are not permitted");
    } else {
      res.status = 200;
      size_t bytes = text_bytes(body["messages"]) + (body.contains("system") ? text_bytes(body["system"]) : 0);
      out = {{"input_tokens", static_cast<int64_t>(bytes / 4 + 1)}};
    }
    res.set_content(out.dump(), kJson);
    call.status = res.status;
    log_call(std::move(call), false);
  });

  server_->Post(R"(/v1beta/models/([^/:]+):countTokens)", [this](const httplib::Request& req, httplib::Response& res) {
    FakeCall call{req.method, req.path, {}, req.body, 0, "", ""};
    std::string key =
        req.has_header("x-goog-api-key") ? req.get_header_value("x-goog-api-key") : req.get_param_value("key");
    json body = json::parse(req.body, nullptr, false);
    json out;
    if (key.empty()) {
      res.status = 403;
      out = google_error(403, "PERMISSION_DENIED",
                         "Method doesn't allow unregistered callers (callers without established identity). Please "
                         "use API Key or other form of API consumer identity to call this API.",
                         "");
    } else if (!cfg_.expect_key.empty() && key != cfg_.expect_key) {
      res.status = 400;
      out = google_error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", "API_KEY_INVALID");
    } else {
      const json* request = body.is_object() && body.contains("generateContentRequest")
                                ? &body["generateContentRequest"]
                                : (body.is_object() ? &body : nullptr);
      if (!request || !request->is_object() || !request->contains("contents") || !(*request)["contents"].is_array()) {
        res.status = 400;
        out = google_error(400, "INVALID_ARGUMENT", "* CountTokensRequest.contents: contents is not specified", "");
      } else if (count_rate_limited(req, res)) {
        out = google_error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", "");
      } else {
        res.status = 200;
        size_t bytes = text_bytes((*request)["contents"]) +
                       (request->contains("systemInstruction") ? text_bytes((*request)["systemInstruction"]) : 0);
        out = {{"totalTokens", static_cast<int64_t>(bytes / 4 + 1)}};
      }
    }
    res.set_content(out.dump(), kJson);
    call.status = res.status;
    log_call(std::move(call), false);
  });
}

}  // namespace pt::fake
