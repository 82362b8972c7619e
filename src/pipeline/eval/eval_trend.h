// One metric over the stored evaluation runs (issue 17: "the report can show a metric over runs"):
// per model, the metric's mean and 95% CI in each stored run that used the same reference model,
// oldest run first. Runs with another reference are left out (and counted), since their figures
// are not comparable. /evals and `eval score --report` chart it (report/html/eval_trend_section).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/eval/eval_runs.h"

namespace pt {

// The newest runs charted at most (older ones are counted in MetricTrend::dropped_oldest).
inline constexpr size_t kTrendMaxRuns = 40;

// The id a run being reported but not saved (`eval score --no-save --report`) carries in a trend.
inline constexpr std::string_view kUnsavedRunId = "(this run, not saved)";

struct TrendRun {
  std::string id;
  int64_t created_at_us = 0;
  size_t scored = 0;       // traces scored in that run
  bool in_sample = false;  // some figure of that run is in-sample
};

struct ModelTrend {
  std::string model;
  std::vector<std::optional<MeanCI>> values;  // one per MetricTrend::runs; nullopt: not in that run
};

struct MetricTrend {
  Metric metric = kJaccard;
  std::string reference;
  std::vector<TrendRun> runs;      // oldest first
  std::vector<ModelTrend> models;  // the newest run's order, then models only in older runs (newest first)
  size_t other_reference = 0;      // stored runs left out: another reference model
  size_t dropped_oldest = 0;       // runs with this reference left out beyond kTrendMaxRuns
};

// `runs` as load_eval_runs returns them; ordered here by created_at (ties keep their order).
MetricTrend metric_trend(const std::vector<EvalRun>& runs, const std::string& reference, Metric metric,
                         size_t max_runs = kTrendMaxRuns);

// The metric named as in --json ("jaccard", "recall@5", ...); nullopt when no metric has that name.
std::optional<Metric> metric_from_name(std::string_view name);

}  // namespace pt
