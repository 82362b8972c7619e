// Implementation of providers/anthropic_batch.h.
#include "providers/anthropic_batch.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "net/http_stream.h"
#include "net/retry.h"
#include "providers/anthropic.h"
#include "providers/remote_util.h"

namespace pt {
namespace {

using nlohmann::json;

Result<BatchStatus> parse_status(const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains("id") || !doc["id"].is_string() || !doc.contains("processing_status"))
    return malformed_body("anthropic batches", "expected a message_batch object");
  BatchStatus s;
  s.id = doc["id"].get<std::string>();
  s.processing_status = doc["processing_status"].is_string() ? doc["processing_status"].get<std::string>() : "";
  if (auto c = doc.find("request_counts"); c != doc.end() && c->is_object()) {
    auto n = [&](const char* k) { return c->contains(k) && (*c)[k].is_number_integer() ? (*c)[k].get<int64_t>() : 0; };
    s.processing = n("processing"), s.succeeded = n("succeeded"), s.errored = n("errored");
    s.canceled = n("canceled"), s.expired = n("expired");
  }
  if (auto u = doc.find("results_url"); u != doc.end() && u->is_string()) s.results_url = u->get<std::string>();
  return s;
}

bool is_status_body(const HttpResponse& r) { return parse_status(r.body).ok(); }

}  // namespace

bool AnthropicBatchClient::valid_custom_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}

Result<std::unique_ptr<AnthropicBatchClient>> AnthropicBatchClient::create(std::string_view model_id,
                                                                           const ModelOptions& options) {
  if (model_id.substr(0, 10) != "anthropic:" || model_id.size() == 10)
    return usage_error(fmt::format("--batch needs an anthropic:NAME teacher (got '{}')", model_id));
  std::unique_ptr<AnthropicBatchClient> c(new AnthropicBatchClient());
  c->model_id_ = std::string(model_id);
  c->model_name_ = std::string(model_id.substr(10));
  c->options_ = options;
  c->options_.batch = true;
  PT_ASSIGN_OR_RETURN(c->price_, price_for_model(model_id, c->options_));
  PT_ASSIGN_OR_RETURN(c->key_, api_key_from_env("ANTHROPIC_API_KEY", model_id));
  c->base_ = resolve_base_url(options, "ANTHROPIC_BASE_URL", "https://api.anthropic.com");
  return c;
}

HttpRequest AnthropicBatchClient::request(std::string method, std::string url) const {
  HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.timeout_ms = 300000;
  r.headers = {{"x-api-key", key_}, {"anthropic-version", kAnthropicVersion}, {"content-type", "application/json"}};
  return r;
}

Result<BatchStatus> AnthropicBatchClient::submit(const std::vector<BatchItem>& items) const {
  if (items.empty()) return runtime_error("anthropic batches: no requests to submit");
  if (items.size() > kMaxRequests)
    return runtime_error(
        fmt::format("anthropic batches: {} requests exceed the limit of {} per batch", items.size(), kMaxRequests));
  std::string body = "{\"requests\":[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (!valid_custom_id(items[i].custom_id))
      return runtime_error(fmt::format("anthropic batches: custom_id '{}' must be 1-64 characters of [A-Za-z0-9_-]",
                                       items[i].custom_id));
    if (!items[i].input.call) return runtime_error("anthropic batches: item without a call");
    if (i) body += ',';
    body += "{\"custom_id\":" + json(items[i].custom_id).dump() +
            ",\"params\":" + anthropic_params_json(model_name_, items[i].input, options_) + "}";
  }
  body += "]}";
  if (body.size() > kMaxBodyBytes)
    return runtime_error(
        fmt::format("anthropic batches: {} bytes exceed the 256 MB batch limit; submit fewer items", body.size()));
  HttpRequest req = request("POST", base_ + "/v1/messages/batches");
  req.body = std::move(body);
  HttpResponse r;
  for (int attempt = 1; attempt <= 4; ++attempt) {  // only where the batch surely was not created
    r = http_call(req);
    bool refused = r.status == 0 && r.transport_error == "connection refused";
    if (!(refused || r.status == 429 || r.status == 529 || r.status == 503) || attempt == 4) break;
    std::mt19937_64 rng(static_cast<uint64_t>(attempt));
    std::this_thread::sleep_for(std::chrono::milliseconds(RetryPolicy{}.delay_ms(attempt, r, rng, unix_now_ms())));
  }
  if (r.status < 200 || r.status >= 300) return runtime_error(http_error_message("anthropic batches", r, key_));
  return parse_status(r.body);
}

Result<BatchStatus> AnthropicBatchClient::status(const std::string& batch_id) const {
  HttpResponse r =
      http_call_with_retry(request("GET", base_ + "/v1/messages/batches/" + batch_id), RetryPolicy{}, is_status_body);
  if (r.status < 200 || r.status >= 300) return runtime_error(http_error_message("anthropic batches", r, key_));
  return parse_status(r.body);
}

Result<BatchStatus> AnthropicBatchClient::cancel(const std::string& batch_id) const {
  HttpResponse r = http_call_with_retry(request("POST", base_ + "/v1/messages/batches/" + batch_id + "/cancel"),
                                        RetryPolicy{}, is_status_body);
  if (r.status < 200 || r.status >= 300) return runtime_error(http_error_message("anthropic batches", r, key_));
  return parse_status(r.body);
}

Result<BatchStatus> AnthropicBatchClient::wait(const std::string& batch_id, int64_t poll_ms, int64_t max_poll_ms,
                                               const std::function<bool(const BatchStatus&)>& on_poll) const {
  int64_t delay = std::max<int64_t>(poll_ms, 1);
  while (true) {
    PT_ASSIGN_OR_RETURN(BatchStatus s, status(batch_id));
    if (on_poll && !on_poll(s)) return s;
    if (s.ended()) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    delay = std::min<int64_t>(std::max<int64_t>(max_poll_ms, poll_ms), delay * 3 / 2 + 1);
  }
}

Result<void> AnthropicBatchClient::results(
    const BatchStatus& status, const std::function<void(const std::string&, Result<Completion>)>& on_result) const {
  return results_with_outcome(
      status, [&](const std::string& id, Outcome, Result<Completion> c) { on_result(id, std::move(c)); });
}

Result<void> AnthropicBatchClient::results_with_outcome(
    const BatchStatus& status,
    const std::function<void(const std::string&, Outcome, Result<Completion>)>& on_result) const {
  if (!status.ended() || status.results_url.empty())
    return runtime_error(
        fmt::format("anthropic batches: batch {} has not ended (status {})", status.id, status.processing_status));
  std::string bad;
  size_t line_no = 0;
  LineSplitter lines([&](std::string_view line) {
    ++line_no;
    if (line.empty()) return true;
    json doc = json::parse(line, nullptr, false);
    if (!doc.is_object() || !doc.contains("custom_id") || !doc["custom_id"].is_string()) {
      bad = fmt::format("anthropic batches: results line {}: no custom_id", line_no);
      return false;
    }
    std::string id = doc["custom_id"].get<std::string>();
    const json& result = doc.contains("result") ? doc["result"] : json();
    std::string type = result.is_object() && result.contains("type") && result["type"].is_string()
                           ? result["type"].get<std::string>()
                           : "";
    if (type == "succeeded" && result.contains("message")) {
      Result<Completion> c = anthropic_parse_message(result["message"].dump());
      on_result(id, c.ok() ? Outcome::succeeded : Outcome::errored, std::move(c));
    } else if (type == "errored") {
      std::string detail;
      if (result.contains("error") && result["error"].is_object()) {
        const json& e = result["error"].contains("error") ? result["error"]["error"] : result["error"];
        if (e.is_object()) detail = e.value("type", "") + ": " + e.value("message", "");
      }
      on_result(id, Outcome::errored, runtime_error(redact("batch result errored: " + detail, key_)));
    } else if (type == "canceled" || type == "expired") {
      on_result(id, type == "canceled" ? Outcome::canceled : Outcome::expired,
                runtime_error("batch result " + type + " (not processed, not billed)"));
    } else {
      on_result(id, Outcome::unknown, runtime_error("batch result " + (type.empty() ? std::string("missing") : type)));
    }
    return true;
  });
  HttpRequest req = request("GET", status.results_url);
  HttpResponse r = http_stream(req, [&](std::string_view chunk) { return lines.feed(chunk); });
  if (!bad.empty()) return runtime_error(bad);
  if (r.status < 200 || r.status >= 300) return runtime_error(http_error_message("anthropic batch results", r, key_));
  if (!lines.finish() && !bad.empty()) return runtime_error(bad);
  if (!bad.empty()) return runtime_error(bad);
  return ok();
}

}  // namespace pt
