// OpenAI tuning backend: Files API upload (multipart, purpose=fine-tune) and fine_tuning/jobs
// create/get. Base URL OPENAI_BASE_URL (default https://api.openai.com/v1), key OPENAI_API_KEY.
#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "net/retry.h"
#include "providers/tuning/tune_backend.h"
#include "util/read_file.h"

namespace pt {
namespace {

using nlohmann::json;

class OpenAiBackend : public TuneBackend {
 public:
  OpenAiBackend(std::string base, std::string key) : base_(std::move(base)), key_(std::move(key)) {}

  Result<std::string> upload(const std::string& path) override {
    PT_ASSIGN_OR_RETURN(std::string data, read_file(path, "cannot read the tuning data"));
    std::string boundary = fmt::format("picktune-{:016x}", std::random_device{}() * 0x9E3779B97F4A7C15ULL);
    std::string name = path.substr(path.find_last_of('/') + 1);
    std::string body = fmt::format(
        "--{0}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nfine-tune\r\n"
        "--{0}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{1}\"\r\n"
        "Content-Type: application/jsonl\r\n\r\n",
        boundary, name);
    body += data;
    body += fmt::format("\r\n--{}--\r\n", boundary);
    HttpRequest req = request("POST", "/files");
    req.headers.emplace_back("content-type", "multipart/form-data; boundary=" + boundary);
    req.body = std::move(body);
    req.timeout_ms = 600000;
    HttpResponse resp = http_call_with_retry(req, RetryPolicy{});
    json j = json::parse(resp.body, nullptr, false);
    if (resp.status != 200 || !j.is_object() || !j.contains("id"))
      return runtime_error(provider_error("OpenAI file upload of " + path, req, resp));
    return j["id"].get<std::string>();
  }

  Result<std::string> create(const TuneJobSpec& spec) override {
    json hyper = json::object();
    if (spec.epochs) hyper["n_epochs"] = *spec.epochs;
    if (spec.lr_multiplier) hyper["learning_rate_multiplier"] = *spec.lr_multiplier;
    json body = {
        {"model", spec.base_model}, {"training_file", spec.train_uri}, {"suffix", spec.display_name.substr(0, 40)}};
    if (!spec.validation_uri.empty()) body["validation_file"] = spec.validation_uri;
    // Current API shape: method.supervised.hyperparameters (top-level `hyperparameters` is deprecated).
    json method = {{"type", "supervised"}, {"supervised", json::object()}};
    if (!hyper.empty()) method["supervised"]["hyperparameters"] = hyper;
    body["method"] = std::move(method);
    HttpRequest req = request("POST", "/fine_tuning/jobs");
    req.headers.emplace_back("content-type", "application/json");
    req.body = body.dump();
    HttpResponse resp = http_call_with_retry(req, RetryPolicy{});
    json j = json::parse(resp.body, nullptr, false);
    if (resp.status != 200 || !j.is_object() || !j.contains("id"))
      return runtime_error(provider_error("OpenAI fine_tuning.jobs.create", req, resp));
    return j["id"].get<std::string>();
  }

  Result<TuneJobState> poll(const std::string& job) override {
    HttpRequest req = request("GET", "/fine_tuning/jobs/" + job);
    PT_ASSIGN_OR_RETURN(json j, poll_job_json(req, "status", "OpenAI fine_tuning.jobs.retrieve " + job));
    TuneJobState s;
    s.provider_state = j.value("status", "");
    s.state = job_state_from(s.provider_state, {{"succeeded"}, {"failed"}, {"cancelled"}, {"running"}});
    if (j.contains("fine_tuned_model") && j["fine_tuned_model"].is_string())
      s.tuned_model = j["fine_tuned_model"].get<std::string>();
    if (auto err = j.find("error"); err != j.end() && err->is_object() && (*err)["message"].is_string())
      s.error = (*err)["message"].get<std::string>();
    return s;
  }

 private:
  HttpRequest request(const char* method, const std::string& path) const {
    HttpRequest req;
    req.method = method;
    req.url = base_ + path;
    req.headers.emplace_back("authorization", "Bearer " + key_);
    return req;
  }
  std::string base_, key_;
};

}  // namespace

Result<std::unique_ptr<TuneBackend>> make_openai_tune_backend() {
  const char* key = std::getenv("OPENAI_API_KEY");
  if (!key || !*key) return usage_error("openai: OPENAI_API_KEY is not set");
  const char* base = std::getenv("OPENAI_BASE_URL");
  std::string b = base && *base ? base : "https://api.openai.com/v1";
  while (!b.empty() && b.back() == '/') b.pop_back();
  return std::unique_ptr<TuneBackend>(std::make_unique<OpenAiBackend>(b, key));
}

}  // namespace pt
