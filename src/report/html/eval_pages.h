// The evaluation pages of `picktune serve` (issue 19): /evals lists the stored runs (with a form to
// compare two), /evals/RUN shows one run as the evaluation report (verdict, metrics with CIs, the
// recall@k chart, examples linking to /traces/ID), /evals/compare the comparison `eval compare A B`
// prints (pipeline/eval/eval_runs.h: one comparison), as a table.
#pragma once
#include <string>
#include <vector>

#include "pipeline/eval/eval_runs.h"
#include "pipeline/eval/eval_trend.h"

namespace pt {

// `runs` newest first. `trend` (optional): the chart of one metric over the runs, shown above the
// list with a form choosing the metric and (among the runs' references) the reference.
std::string render_eval_runs_page(const std::vector<EvalRun>& runs, const std::string& store,
                                  const MetricTrend* trend = nullptr);
// `previous`: the run stored before this one ("" when none), offered as a comparison.
std::string render_eval_run_page(const EvalRun& run, const std::string& previous);
std::string render_eval_compare_page(const EvalComparison& c);

}  // namespace pt
