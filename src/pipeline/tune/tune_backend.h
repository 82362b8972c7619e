// The provider side of tuning jobs: one backend per provider (tune_vertex.cpp, tune_openai.cpp)
// behind this small interface, used by tune_jobs.cpp.
#pragma once
#include <memory>
#include <string>

#include "net/http.h"
#include "pipeline/tune/tune_jobs.h"
#include "util/result.h"

namespace pt {

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

// provider: "vertex" (bucket/project/location used) or "openai".
Result<std::unique_ptr<TuneBackend>> make_tune_backend(const std::string& provider, const TuneSubmitOptions& options);

// Shared by the backends: the message of a provider error body ({"error": {"message": …}}), or
// the status line when the body has none. Never includes request headers.
std::string provider_error(const std::string& what, int status, const std::string& body,
                           const std::string& transport_error);
// The same for a failed `request`, with its credentials (authorization / API-key header values)
// redacted: some APIs quote the rejected key or token in their error message.
std::string provider_error(const std::string& what, const HttpRequest& request, const HttpResponse& response);

}  // namespace pt
