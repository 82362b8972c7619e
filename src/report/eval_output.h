// `eval score` output: the --json object of docs/formats.md#eval-json (full double precision, NaN -> null) and the
// terminal tables. The HTML report lives in report/html_report.h.
#pragma once
#include <string>

#include "pipeline/eval/eval_summary.h"

namespace pt {

// One JSON object (no trailing newline):
// {"reference", "n", "traces", "missing_reference", "malformed_reference", "ambiguous_reference",
//  "unreadable_traces", "paired_n", "bootstrap": {"resamples", "seed"},
//  "models": {ID: {"n", "missing", "malformed", "ambiguous", METRIC: {"mean", "ci95": [lo, hi]}, ...}},
//  "pairs": [{"a", "b", "n", METRIC: {"diff": {"mean", "ci95"}, "wins", "ties", "losses"}, ...}],
//  "by_kind": {KIND: {"n", "models": {ID: {"n", METRIC: {...}, ...}}}}, "warnings": [...]}
// legacy_mrr_top2 and hallucinated_rate also carry "n" (traces where defined) and "excluded".
std::string eval_json(const EvalSummary& summary);

// Human-readable tables: overall metrics, @k metrics, per kind, pairs.
std::string eval_table(const EvalSummary& summary);

}  // namespace pt
