// `eval relabel` (docs/formats.md#relabel-payload): runs held-out traces through each candidate model with the relabel
// engine (pipeline/relabel/relabel.h) and stores the answers as relabels of that model. Candidates are
// provider ids (vertex:…, gemini:…, local:bm25, …) or finetune registry ids (ft_filepicker_008),
// which call "vertex:" + the entry's endpoint but are stored under the registry id as given.
// Selection: the validation side of a collect split (--split NAME-validation.jsonl, re-derived
// from NAME.manifest.json), the newest fraction, a time range, or a limit.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "pipeline/eval/eval_summary.h"
#include "pipeline/relabel/relabel.h"
#include "providers/model.h"
#include "store/store.h"
#include "util/progress.h"
#include "util/result.h"

namespace pt {

struct EvalRelabelOptions {
  std::vector<std::string> models;
  std::optional<std::string> split_file;  // NAME-validation.jsonl written by collect
  std::optional<double> newest;           // newest fraction (0, 1] of the selected traces
  std::optional<int64_t> since_us, until_us, limit;
  RelabelOptions relabel;  // engine settings (concurrency, budget, dry_run, progress)
  ModelOptions model;
  std::string registry_path;            // "" -> default_registry_path()
  bool allow_training_overlap = false;  // send a student traces it trained on (marked in-sample)
  // The whole run's status: answers (done or failed) out of traces-to-do x models, the models not
  // yet started counted at the current model's count; begin() once selected, finish() at the end.
  Progress* progress = nullptr;
};

struct EvalRelabelRun {
  std::string model;     // as given
  std::string resolved;  // the provider id actually called
  RelabelSummary summary;
};

struct EvalRelabelResult {
  std::string selection;  // human-readable
  int64_t traces = 0;     // traces selected for every model
  std::vector<EvalRelabelRun> runs;
  std::vector<StudentTraining> students;  // provenance of local:student@PATH candidates
  std::vector<std::string> warnings;      // in-sample / unknown-provenance lines
};

// A registry id -> "vertex:" + its endpoint (or tuned model); a provider id is returned as is.
Result<std::string> resolve_candidate(const std::string& model_id, const std::string& registry_path);

// The model for an id that may be a registry id: called at the resolved provider id, stored under
// the id as given (so relabels and eval answers name the finetune).
Result<std::unique_ptr<Model>> make_candidate_model(const std::string& model_id, const ModelOptions& options,
                                                    const std::string& registry_path);

// Ids of the get-relevant-files traces on the validation side of the split that wrote
// `validation_file`, using the split settings of the manifest next to it.
Result<std::vector<std::string>> validation_trace_ids(Store& store, const std::string& validation_file);

// `run` receives each model's summary as it finishes (for printing); may be empty.
Result<EvalRelabelResult> run_eval_relabel(Store& store, const EvalRelabelOptions& options,
                                           const std::function<void(const EvalRelabelRun&)>& on_done = {});

}  // namespace pt
