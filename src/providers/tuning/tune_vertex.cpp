// Vertex AI tuning backend: GCS JSON upload (uploadType=media) and tuningJobs create/get, with a
// bearer token from the service account (net/gcp_auth). Base URLs: GCS_BASE_URL, VERTEX_BASE_URL.
#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "net/gcp_auth.h"
#include "net/retry.h"
#include "providers/tuning/tune_backend.h"
#include "util/read_file.h"

namespace pt {
namespace {

using nlohmann::json;

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// "1" -> ADAPTER_SIZE_ONE ... ; "max" is the largest size Vertex offers for Gemini 2.0 Flash (16).
Result<std::string> adapter_enum(const std::string& size) {
  static const std::pair<const char*, const char*> sizes[] = {
      {"1", "ADAPTER_SIZE_ONE"},      {"2", "ADAPTER_SIZE_TWO"},      {"4", "ADAPTER_SIZE_FOUR"},
      {"8", "ADAPTER_SIZE_EIGHT"},    {"16", "ADAPTER_SIZE_SIXTEEN"}, {"32", "ADAPTER_SIZE_THIRTY_TWO"},
      {"max", "ADAPTER_SIZE_SIXTEEN"}};
  for (auto [k, v] : sizes)
    if (size == k) return std::string(v);
  return usage_error(fmt::format("--adapter-size {}: expected 1, 2, 4, 8, 16, 32 or max", size));
}

class VertexBackend : public TuneBackend {
 public:
  VertexBackend(std::shared_ptr<GcpAuth> auth, std::string bucket, std::string project, std::string location)
      : auth_(std::move(auth)),
        bucket_(std::move(bucket)),
        project_(std::move(project)),
        location_(std::move(location)) {
    gcs_base_ = env_or("GCS_BASE_URL", "https://storage.googleapis.com");
    vertex_base_ = env_or("VERTEX_BASE_URL", fmt::format("https://{}-aiplatform.googleapis.com", location_));
  }

  Result<std::string> upload(const std::string& path) override {
    PT_ASSIGN_OR_RETURN(std::string data, read_file(path, "cannot read the tuning data"));
    if (bucket_.empty())
      return usage_error("vertex: no GCS bucket for the data: pass --bucket or set PICKTUNE_GCS_BUCKET");
    std::string object = "picktune/" + path.substr(path.find_last_of('/') + 1);
    PT_ASSIGN_OR_RETURN(HttpRequest req,
                        authed("POST", fmt::format("{}/upload/storage/v1/b/{}/o?uploadType=media&name={}", gcs_base_,
                                                   url_encode(bucket_), url_encode(object))));
    req.headers.emplace_back("content-type", "application/jsonl");
    req.body = std::move(data);
    req.timeout_ms = 600000;
    HttpResponse resp = http_call_with_retry(req, RetryPolicy{});
    if (resp.status != 200) return runtime_error(provider_error("GCS upload of " + path, req, resp));
    return fmt::format("gs://{}/{}", bucket_, object);
  }

  Result<std::string> create(const TuneJobSpec& spec) override {
    json hyper = json::object();
    if (spec.epochs) hyper["epochCount"] = std::to_string(*spec.epochs);
    if (spec.lr_multiplier) hyper["learningRateMultiplier"] = *spec.lr_multiplier;
    if (spec.adapter_size) {
      PT_ASSIGN_OR_RETURN(hyper["adapterSize"], adapter_enum(*spec.adapter_size));
    }
    json tuning = {{"trainingDatasetUri", spec.train_uri}, {"hyperParameters", hyper}};
    if (!spec.validation_uri.empty()) tuning["validationDatasetUri"] = spec.validation_uri;
    json body = {
        {"baseModel", spec.base_model}, {"supervisedTuningSpec", tuning}, {"tunedModelDisplayName", spec.display_name}};
    PT_ASSIGN_OR_RETURN(HttpRequest req, authed("POST", fmt::format("{}/v1/projects/{}/locations/{}/tuningJobs",
                                                                    vertex_base_, project_, location_)));
    req.headers.emplace_back("content-type", "application/json");
    req.body = body.dump();
    HttpResponse resp = http_call_with_retry(req, RetryPolicy{});
    json j = json::parse(resp.body, nullptr, false);
    if (resp.status != 200 || !j.is_object() || !j.contains("name") || !j["name"].is_string())
      return runtime_error(provider_error("Vertex tuningJobs.create", req, resp));
    return j["name"].get<std::string>();
  }

  Result<TuneJobState> poll(const std::string& job_name) override {
    PT_ASSIGN_OR_RETURN(HttpRequest req, authed("GET", fmt::format("{}/v1/{}", vertex_base_, job_name)));
    PT_ASSIGN_OR_RETURN(json j, poll_job_json(req, "state", "Vertex tuningJobs.get " + job_name));
    TuneJobState s;
    s.provider_state = j.value("state", "");
    s.state = job_state_from(s.provider_state, {{"JOB_STATE_SUCCEEDED"},
                                                {"JOB_STATE_FAILED", "JOB_STATE_EXPIRED"},
                                                {"JOB_STATE_CANCELLED", "JOB_STATE_CANCELLING"},
                                                {"JOB_STATE_RUNNING"}});
    if (auto tm = j.find("tunedModel"); tm != j.end() && tm->is_object()) {
      std::string endpoint = tm->value("endpoint", "");
      s.endpoint_id = endpoint.substr(endpoint.find_last_of('/') + 1);
      s.tuned_model = tm->value("model", "");
    }
    if (auto err = j.find("error"); err != j.end() && err->is_object()) s.error = err->value("message", "");
    return s;
  }

 private:
  Result<HttpRequest> authed(const char* method, std::string url) {
    PT_ASSIGN_OR_RETURN(std::string token, auth_->access_token());
    HttpRequest req;
    req.method = method;
    req.url = std::move(url);
    req.headers.emplace_back("authorization", "Bearer " + token);
    return req;
  }

  std::shared_ptr<GcpAuth> auth_;
  std::string bucket_, project_, location_, gcs_base_, vertex_base_;
};

}  // namespace

Result<std::unique_ptr<TuneBackend>> make_vertex_tune_backend(const VertexTuneTarget& o) {
  PT_ASSIGN_OR_RETURN(auto auth, GcpAuth::shared_from_env());
  std::string project = !o.project.empty() ? o.project : env_or("VERTEX_PROJECT", auth->project_id());
  if (project.empty()) return usage_error("vertex: no project: pass --project or set VERTEX_PROJECT");
  std::string location = !o.location.empty() ? o.location : env_or("VERTEX_LOCATION", "us-central1");
  return std::unique_ptr<TuneBackend>(std::make_unique<VertexBackend>(auth, o.bucket, project, location));
}

}  // namespace pt
