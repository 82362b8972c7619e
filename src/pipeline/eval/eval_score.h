// `eval score` (docs/formats.md#metrics, #eval-json): joins each selected get-relevant-files trace with the reference's
// answer and each model's answer (same agent step and request kind), scores them with
// core/metrics, and aggregates means with bootstrap CIs overall and per request kind, plus paired
// comparisons on the traces every model answered. Rendered by report/eval_output.h and
// report/html_report.h; warnings also go to the run's diagnostics.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "pipeline/eval/eval_aggregate.h"
#include "pipeline/eval/eval_summary.h"
#include "store/store.h"
#include "util/diagnostics.h"
#include "util/result.h"

namespace pt {

struct EvalScoreOptions {
  std::vector<std::string> models;  // model ids as stored in relabels.model
  std::string reference;            // a teacher's model id, or "truth"
  std::optional<double> newest;     // keep the newest fraction (0, 1] of the selected traces
  std::optional<int64_t> since_us, until_us;
  // Score exactly the traces on the validation side of this collect split (NAME-validation.jsonl,
  // NAME.manifest.json beside it); excludes --newest/--since/--until.
  std::optional<std::string> split_file;
  BootstrapOptions bootstrap;
  size_t examples = 20;                 // traces shown side by side in the report
  int threads = 2;                      // bootstrap workers
  Diagnostics* diagnostics = nullptr;   // receives the summary's warnings (null: only in the summary)
  bool allow_training_overlap = false;  // score a student on traces it trained on, marked in-sample
  // false (default): score only the traces every model answered (the others are counted in
  // EvalSummary::left_out, with why); true: each model on every trace it answered.
  bool union_of_answers = false;
  // Save the run in the store (pipeline/eval/eval_runs.h; `eval score` does unless --no-save); a
  // store that cannot keep it (read-only) gives a warning, not an error. The version is recorded.
  bool save_run = false;
  std::string picktune_version;
  std::string command;  // the command line, shown in the report's provenance block
};

// Metrics compared pair by pair (win/tie/loss and the paired difference).
inline constexpr std::array<Metric, 5> kPairMetrics = {kJaccard, kMrr, kRecall5, kPrecision5, kNdcg5};

// Errors: usage (bad options, unknown model — the message lists the models in the store);
// runtime (no trace selected, no selected trace has a reference answer, store failures).
Result<EvalSummary> run_eval_score(Store& store, const EvalScoreOptions& options);

}  // namespace pt
