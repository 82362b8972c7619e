// The "metric over runs" section (issue 17) shared by the /evals page of `picktune serve` and the
// report `eval score --report` writes: a heading, which reference the runs share (and how many
// runs were left out for another reference), a legend, and report/svg_charts' trend chart.
#pragma once
#include <string>

#include "pipeline/eval/eval_trend.h"

namespace pt {

// `current_run`: the run this report is about ("" on /evals); its x label reads "this run".
std::string metric_trend_section(const MetricTrend& trend, const std::string& current_run = "");

}  // namespace pt
