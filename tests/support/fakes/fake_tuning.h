// Loopback fake of the tuning services picktune calls: GCS JSON upload, Vertex AI tuningJobs,
// OpenAI Files + fine_tuning/jobs, and Google's OAuth token endpoint. Jobs move
// queued -> running -> succeeded (or failed, on demand) as they are polled. Records uploads and
// created jobs for assertions.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace pt::fake {

struct FakeTuningConfig {
  int polls_before_running = 1;  // GETs answered queued/pending first
  int polls_before_end = 2;      // GETs answered running before the final state
  bool fail_jobs = false;        // final state failed, with fail_message
  std::string fail_message = "Training data validation failed: example 3 has no model turn";
  std::string expect_bearer = {};      // when set, other bearer tokens get 401
  bool echo_bearer_in_errors = false;  // 401 messages quote the rejected credential (as some APIs do)
};

struct FakeUpload {
  std::string where;  // "gcs:BUCKET/OBJECT" or "openai:FILE_ID"
  std::string content;
};

class FakeTuning {
 public:
  explicit FakeTuning(FakeTuningConfig config = {});
  ~FakeTuning();
  FakeTuning(const FakeTuning&) = delete;
  FakeTuning& operator=(const FakeTuning&) = delete;

  int port() const { return port_; }
  std::string base_url() const;
  std::vector<FakeUpload> uploads() const;
  std::vector<std::string> created_job_bodies() const;  // JSON bodies of job creations
  int polls() const;

 private:
  struct Job {
    std::string provider, name;
    int polls = 0;
  };
  std::string job_state(Job& job, bool vertex) const;

  FakeTuningConfig config_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::vector<FakeUpload> uploads_;
  std::vector<std::string> job_bodies_;
  std::map<std::string, Job> jobs_;
  int polls_ = 0;
  int next_id_ = 1;
};

}  // namespace pt::fake
