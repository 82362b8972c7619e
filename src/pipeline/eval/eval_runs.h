// Stored evaluation runs (issue 17): every `eval score` run is kept in the store (Store::
// save_eval_run) as one JSON object (docs/formats.md#eval-runs): the models, the reference, the
// window or split file, n per model, each metric's mean with its 95% CI, the paired results, the
// recall@k curves, the top disagreements, the students' training provenance, the picktune version
// and the time. `eval runs` lists them and `eval compare A B` shows, per model and metric, before / after / delta and
// whether the CIs overlap.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/eval/eval_summary.h"
#include "store/store.h"
#include "util/result.h"

namespace pt {

// How the scored traces were chosen (empty/nullopt: not given).
struct EvalRunWindow {
  std::optional<double> newest;
  std::optional<int64_t> since_us, until_us;
  std::string split_file;
  bool union_of_answers = false;
};

struct EvalRun {
  std::string id;  // "ev-YYYYMMDDTHHMMSSZ-xxxxxx"
  int64_t created_at_us = 0;
  std::string picktune_version;
  EvalRunWindow window;
  // The summary as scored, with at most kStoredExamples of the side-by-side examples.
  EvalSummary summary;
};

// Traces the models disagree most on kept with a stored run (the /evals/RUN page shows them).
inline constexpr size_t kStoredExamples = 10;

// A new run of `summary` (fresh id, created now).
EvalRun make_eval_run(const EvalSummary& summary, const EvalRunWindow& window, const std::string& picktune_version);

// The run as its stored JSON object, and back (errors name the run and the field).
std::string eval_run_json(const EvalRun& run);
// A student's training provenance (model, teacher, cutoff, holdout_newest, train_traces,
// selected): the shape the stored run and `eval score --json` share; each adds its in-sample fields.
nlohmann::ordered_json student_training_json(const StudentTraining& training);
Result<EvalRun> parse_eval_run(const EvalRunRow& row);

// Saves the run; returns its id.
Result<std::string> save_eval_run(Store& store, const EvalRun& run);
// Every stored run, oldest first.
Result<std::vector<EvalRun>> load_eval_runs(Store& store);
// The run named by `ref`: its id, a unique prefix of one, or "last" / "last~N" (N runs before the
// newest). Usage error naming the store and the newest ids when nothing (or several) match.
Result<EvalRun> find_eval_run(Store& store, const std::string& ref);

// One model's metric in two runs.
struct MetricChange {
  std::string model;
  Metric metric;
  std::optional<MeanCI> before, after;  // nullopt: the model was not in that run
  double delta = 0;                     // after - before (NaN when either is missing or undefined)
  bool cis_overlap = true;              // the two 95% CIs overlap (no clear change)
};

struct EvalComparison {
  EvalRun before, after;
  std::vector<MetricChange> changes;  // models in `after`'s order, then those only in `before`
  std::vector<std::string> notes;     // why the two runs may not be comparable (reference, traces, …)
};

EvalComparison compare_eval_runs(const EvalRun& before, const EvalRun& after);
// The runs named by two refs (as find_eval_run) compared: `eval compare A B` and /evals/compare.
Result<EvalComparison> compare_stored_eval_runs(Store& store, const std::string& before_ref,
                                                const std::string& after_ref);

}  // namespace pt
