// The HTTP clients of the tuning APIs: one backend per provider (tune_vertex.cpp, tune_openai.cpp)
// behind this small interface, with the job types they exchange. The orchestration (registry,
// submit / status / wait) is pipeline/tune/tune_jobs, which depends on this and not the reverse.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "net/http.h"
#include "util/result.h"

namespace pt {

// Where a Vertex job runs; empty fields fall back to VERTEX_PROJECT (or the service account's
// project) and VERTEX_LOCATION (or us-central1).
struct VertexTuneTarget {
  std::string bucket;  // GCS bucket for the data files
  std::string project, location;
};

struct TuneJobState {
  std::string state;           // pending | running | succeeded | failed | cancelled
  std::string provider_state;  // the provider's own word (JOB_STATE_RUNNING, queued, ...)
  std::string endpoint_id;     // Vertex endpoint id on success
  std::string tuned_model;     // Vertex model resource / OpenAI fine_tuned_model on success
  std::string error;           // the provider's message on failure
};

struct TuneJobSpec {
  std::string base_model, display_name;
  std::string train_uri, validation_uri;  // as returned by upload()
  std::optional<int64_t> epochs;
  std::optional<std::string> adapter_size;
  std::optional<double> lr_multiplier;
};

class TuneBackend {
 public:
  virtual ~TuneBackend() = default;
  // Uploads a local file; returns the provider's reference (gs://… or file-…).
  virtual Result<std::string> upload(const std::string& path) = 0;
  // Creates the job; returns its name/id.
  virtual Result<std::string> create(const TuneJobSpec& spec) = 0;
  virtual Result<TuneJobState> poll(const std::string& job_name) = 0;
};

// provider: "vertex" (with `vertex`) or "openai"; a usage error for any other.
Result<std::unique_ptr<TuneBackend>> make_tune_backend(const std::string& provider, const VertexTuneTarget& vertex);
Result<std::unique_ptr<TuneBackend>> make_vertex_tune_backend(const VertexTuneTarget& target);  // tune_vertex.cpp
Result<std::unique_ptr<TuneBackend>> make_openai_tune_backend();                                // tune_openai.cpp

// The provider's own words for each job state; a word in none of the lists is "pending".
struct JobStateWords {
  std::vector<std::string_view> succeeded, failed, cancelled, running;
};
// Our state (TuneJobState::state) for the provider's `provider_state`.
std::string job_state_from(std::string_view provider_state, const JobStateWords& words);

// Shared by the backends: the message of a provider error body ({"error": {"message": …}}), or
// the status line when the body has none. Never includes request headers.
std::string provider_error(const std::string& what, int status, const std::string& body,
                           const std::string& transport_error);
// The same for a failed `request`, with its credentials (authorization / API-key header values)
// redacted: some APIs quote the rejected key or token in their error message.
std::string provider_error(const std::string& what, const HttpRequest& request, const HttpResponse& response);
// A job poll: sends `request` (retried) and returns the reply's JSON object, or an error naming
// `what` unless the reply is a 200 JSON object holding `state_field`.
Result<nlohmann::json> poll_job_json(const HttpRequest& request, const char* state_field, const std::string& what);

}  // namespace pt
