// Implementation of fakes/fake_tuning.h on cpp-httplib (127.0.0.1, random port).
#include "support/fakes/fake_tuning.h"

#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>

namespace pt::fake {
namespace {

using nlohmann::json;

void reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

json error_body(int code, const std::string& message) { return {{"error", {{"code", code}, {"message", message}}}}; }

}  // namespace

FakeTuning::FakeTuning(FakeTuningConfig config)
    : config_(std::move(config)), server_(std::make_unique<httplib::Server>()) {
  auto authorized = [this](const httplib::Request& req, httplib::Response& res) {
    std::string auth = req.get_header_value("Authorization");
    if (auth.rfind("Bearer ", 0) != 0 ||
        (!config_.expect_bearer.empty() && auth != "Bearer " + config_.expect_bearer)) {
      reply(res, 401,
            error_body(401, "Request had invalid authentication credentials." +
                                (config_.echo_bearer_in_errors ? " Got: " + auth : std::string())));
      return false;
    }
    return true;
  };
  server_->Post("/token", [](const httplib::Request& req, httplib::Response& res) {
    if (req.body.find("assertion=") == std::string::npos) return reply(res, 400, {{"error", "invalid_grant"}});
    reply(res, 200, {{"access_token", "fake-gcp-token"}, {"expires_in", 3600}, {"token_type", "Bearer"}});
  });
  server_->Post(R"(/upload/storage/v1/b/([^/]+)/o)", [this, authorized](const httplib::Request& req,
                                                                        httplib::Response& res) {
    if (!authorized(req, res)) return;
    if (req.get_param_value("uploadType") != "media" || !req.has_param("name"))
      return reply(res, 400, error_body(400, "uploadType=media and name are required"));
    std::string bucket = req.matches[1], name = req.get_param_value("name");
    std::lock_guard lock(mu_);
    uploads_.push_back({"gcs:" + bucket + "/" + name, req.body});
    reply(res, 200,
          {{"kind", "storage#object"}, {"bucket", bucket}, {"name", name}, {"size", std::to_string(req.body.size())}});
  });
  server_->Post(R"(/v1/projects/([^/]+)/locations/([^/]+)/tuningJobs)",
                [this, authorized](const httplib::Request& req, httplib::Response& res) {
                  if (!authorized(req, res)) return;
                  json body = json::parse(req.body, nullptr, false);
                  if (!body.is_object() || !body.contains("baseModel") || !body.contains("supervisedTuningSpec"))
                    return reply(res, 400, error_body(400, "baseModel and supervisedTuningSpec are required"));
                  std::lock_guard lock(mu_);
                  std::string name = "projects/" + std::string(req.matches[1]) + "/locations/" +
                                     std::string(req.matches[2]) + "/tuningJobs/" + std::to_string(1000 + next_id_++);
                  jobs_[name] = Job{"vertex", name, 0};
                  job_bodies_.push_back(req.body);
                  reply(res, 200, {{"name", name}, {"state", "JOB_STATE_PENDING"}, {"baseModel", body["baseModel"]}});
                });
  server_->Get(R"(/v1/(projects/[^/]+/locations/[^/]+/tuningJobs/\d+))",
               [this, authorized](const httplib::Request& req, httplib::Response& res) {
                 if (!authorized(req, res)) return;
                 std::lock_guard lock(mu_);
                 auto it = jobs_.find(req.matches[1]);
                 if (it == jobs_.end()) return reply(res, 404, error_body(404, "TuningJob not found"));
                 ++polls_;
                 std::string state = job_state(it->second, true);
                 json j = {{"name", it->first}, {"state", state}};
                 if (state == "JOB_STATE_SUCCEEDED") {
                   std::string loc = it->first.substr(0, it->first.find("/tuningJobs/"));
                   j["tunedModel"] = {{"model", loc + "/models/777"}, {"endpoint", loc + "/endpoints/4242424242"}};
                 }
                 if (state == "JOB_STATE_FAILED") j["error"] = {{"code", 3}, {"message", config_.fail_message}};
                 reply(res, 200, j);
               });
  server_->Post("/v1/files", [this, authorized](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    if (!req.has_file("file") || !req.has_file("purpose") || req.get_file_value("purpose").content != "fine-tune")
      return reply(res, 400, error_body(400, "multipart fields 'file' and purpose=fine-tune are required"));
    std::lock_guard lock(mu_);
    std::string id = "file-" + std::to_string(next_id_++);
    uploads_.push_back({"openai:" + id, req.get_file_value("file").content});
    reply(
        res, 200,
        {{"id", id}, {"object", "file"}, {"purpose", "fine-tune"}, {"filename", req.get_file_value("file").filename}});
  });
  server_->Post("/v1/fine_tuning/jobs", [this, authorized](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("training_file") || !body.contains("model"))
      return reply(res, 400, error_body(400, "model and training_file are required"));
    // As strict as the service for picktune's purposes: hyperparameters go under
    // method.supervised.hyperparameters; the deprecated top-level field is refused here.
    if (body.contains("hyperparameters"))
      return reply(res, 400,
                   error_body(400, "top-level hyperparameters is deprecated: use method.supervised.hyperparameters"));
    if (body.contains("method")) {
      const json& m = body["method"];
      if (!m.is_object() || m.value("type", "") != "supervised" || !m.contains("supervised") ||
          !m["supervised"].is_object())
        return reply(res, 400, error_body(400, "method: expected {type: supervised, supervised: {...}}"));
    }
    std::lock_guard lock(mu_);
    std::string id = "ftjob-" + std::to_string(next_id_++);
    jobs_[id] = Job{"openai", id, 0};
    job_bodies_.push_back(req.body);
    reply(res, 200,
          {{"id", id}, {"object", "fine_tuning.job"}, {"status", "validating_files"}, {"model", body["model"]}});
  });
  server_->Get(R"(/v1/fine_tuning/jobs/([\w-]+))", [this, authorized](const httplib::Request& req,
                                                                      httplib::Response& res) {
    if (!authorized(req, res)) return;
    std::lock_guard lock(mu_);
    auto it = jobs_.find(req.matches[1]);
    if (it == jobs_.end()) return reply(res, 404, error_body(404, "No such fine-tuning job"));
    ++polls_;
    std::string status = job_state(it->second, false);
    json j = {{"id", it->first},
              {"object", "fine_tuning.job"},
              {"status", status},
              {"fine_tuned_model", nullptr},
              {"error", nullptr}};
    if (status == "succeeded") j["fine_tuned_model"] = "ft:gpt-4.1-mini-2025-04-14:picktune::abc123";
    if (status == "failed")
      j["error"] = {{"code", "invalid_training_file"}, {"message", config_.fail_message}, {"param", "training_file"}};
    reply(res, 200, j);
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeTuning::~FakeTuning() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeTuning::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string FakeTuning::job_state(Job& job, bool vertex) const {
  int n = job.polls++;
  if (n < config_.polls_before_running) return vertex ? "JOB_STATE_QUEUED" : "queued";
  if (n < config_.polls_before_running + config_.polls_before_end) return vertex ? "JOB_STATE_RUNNING" : "running";
  if (config_.fail_jobs) return vertex ? "JOB_STATE_FAILED" : "failed";
  return vertex ? "JOB_STATE_SUCCEEDED" : "succeeded";
}

std::vector<FakeUpload> FakeTuning::uploads() const {
  std::lock_guard lock(mu_);
  return uploads_;
}
std::vector<std::string> FakeTuning::created_job_bodies() const {
  std::lock_guard lock(mu_);
  return job_bodies_;
}
int FakeTuning::polls() const {
  std::lock_guard lock(mu_);
  return polls_;
}

}  // namespace pt::fake
