// Tuning jobs (docs/formats.md#registry): upload the data, create the job, poll it, and keep the
// registry in step; the provider HTTP clients are in providers/tuning/.
// Vertex AI: files go to GCS (JSON upload API), then a tuningJobs resource with baseModel and
// supervisedTuningSpec. OpenAI: Files API (purpose fine-tune), then fine_tuning/jobs. A submitted
// job is recorded at once as a pending registry entry, so a crash never loses a paid job.
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "core/registry.h"
#include "providers/tuning/tune_backend.h"
#include "util/diagnostics.h"
#include "util/result.h"

namespace pt {

struct TuneSubmitOptions {
  std::string new_id;                       // registry id of the new finetune
  std::string provider;                     // vertex | openai
  std::optional<std::string> recipe;        // take data files + recipe from this registry entry
  std::string train_file, validation_file;  // explicit data (override the recipe's files)
  std::string data_dir = ".";               // where a recipe's file names are looked up
  std::optional<int64_t> epochs;
  std::optional<std::string> adapter_size;  // 1|4|8|16|32|max (Vertex)
  std::optional<double> lr_multiplier;
  std::string base_model;  // "" -> recipe's base, else gemini-2.0-flash-001 / gpt-4.1-mini-2025-04-14
  // "" -> the manifest's (the data's real teacher), else the recipe's. A recipe and a manifest naming
  // different teachers are refused unless --teacher settles it; the choice is noted ("tune/teacher").
  std::string teacher;
  std::string bucket;             // Vertex: GCS bucket (--bucket, env PICKTUNE_GCS_BUCKET)
  std::string project, location;  // Vertex: (--project/VERTEX_PROJECT or the service account's), us-central1
  std::string registry_path;
  std::string today;                   // YYYY-MM-DD for the entry's date
  Diagnostics* diagnostics = nullptr;  // notes: which teacher was recorded and why; null -> dropped
};

// Checks the data first (each line the provider's format, at least one sample: nothing is uploaded
// otherwise), then uploads, creates the job and appends a pending entry to the registry. Returns that entry.
Result<Finetune> tune_submit(const TuneSubmitOptions& options);

// Polls the job once and writes its state (and, on success, endpoint / model) to the registry.
Result<TuneJobState> tune_status(const std::string& registry_path, const std::string& id);

// Polls with backoff (poll_s, doubling to 60 s) until a final state or timeout_s; `progress`
// receives each state. Failure of the job is an error carrying the provider's message.
Result<TuneJobState> tune_wait(const std::string& registry_path, const std::string& id, double poll_s, double timeout_s,
                               const std::function<void(const TuneJobState&)>& progress);

}  // namespace pt
