// Implementation of pipeline/eval/eval_trend.h: filter by reference, order by time, keep the newest
// kTrendMaxRuns, and lay each model's overall metric out per run.
#include "pipeline/eval/eval_trend.h"

#include <algorithm>

namespace pt {

MetricTrend metric_trend(const std::vector<EvalRun>& runs, const std::string& reference, Metric metric,
                         size_t max_runs) {
  MetricTrend t;
  t.metric = metric;
  t.reference = reference;
  std::vector<const EvalRun*> same;
  for (const EvalRun& r : runs) {
    if (r.summary.reference == reference)
      same.push_back(&r);
    else
      ++t.other_reference;
  }
  std::stable_sort(same.begin(), same.end(),
                   [](const EvalRun* a, const EvalRun* b) { return a->created_at_us < b->created_at_us; });
  if (same.size() > max_runs) {
    t.dropped_oldest = same.size() - max_runs;
    same.erase(same.begin(), same.begin() + static_cast<std::ptrdiff_t>(t.dropped_oldest));
  }
  // Models: newest run first, each run in its own order.
  for (auto it = same.rbegin(); it != same.rend(); ++it)
    for (const ModelStats& m : (*it)->summary.overall.models)
      if (std::none_of(t.models.begin(), t.models.end(), [&](const ModelTrend& x) { return x.model == m.model; }))
        t.models.push_back({m.model, {}});
  for (const EvalRun* r : same) {
    t.runs.push_back({r->id, r->created_at_us, r->summary.scored, r->summary.in_sample});
    for (ModelTrend& mt : t.models) {
      std::optional<MeanCI> v;
      for (const ModelStats& m : r->summary.overall.models)
        if (m.model == mt.model) v = m.metrics[metric];
      mt.values.push_back(v);
    }
  }
  return t;
}

std::optional<Metric> metric_from_name(std::string_view name) {
  for (int k = 0; k < kMetricCount; ++k)
    if (metric_name(static_cast<Metric>(k)) == name) return static_cast<Metric>(k);
  return std::nullopt;
}

}  // namespace pt
