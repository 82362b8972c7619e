// `eval runs` and `eval compare` output (pipeline/eval/eval_runs.h): terminal tables and --json.
// `eval runs --json` prints an array of the stored run objects (docs/formats.md#eval-runs);
// `eval compare --json` one object with the two runs' headers, notes and per-model metric changes.
#pragma once
#include <string>
#include <vector>

#include "pipeline/eval/eval_runs.h"

namespace pt {

// How a run chose its traces: "split FILE", "newest N, since T, ...", or "all traces".
std::string eval_run_window_text(const EvalRun& run);

std::string eval_runs_table(const std::vector<EvalRun>& runs, const std::string& store);
std::string eval_runs_json(const std::vector<EvalRun>& runs);

// Per model: metric, before [CI], after [CI], delta, and "CIs overlap" or "changed".
std::string eval_compare_table(const EvalComparison& c);
std::string eval_compare_json(const EvalComparison& c);

}  // namespace pt
