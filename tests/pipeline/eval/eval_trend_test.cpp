// The data behind "a metric over runs" (pipeline/eval/eval_trend.h): only runs with the asked
// reference, ordered by time whatever the stored order, one value per run per model (nullopt where a
// model was not in a run), the chosen metric's mean and CI, the newest kTrendMaxRuns kept.
#include <gtest/gtest.h>

#include <cmath>

#include "pipeline/eval/eval_trend.h"

namespace pt {
namespace {

// A run at `t_us` with reference `ref`; model i gets jaccard base+i and recall@5 base+i+0.5 (CI ±0.1).
EvalRun run_of(const std::string& id, int64_t t_us, const std::string& ref, const std::vector<std::string>& models,
               double base) {
  EvalRun r;
  r.id = id;
  r.created_at_us = t_us;
  r.summary.reference = ref;
  r.summary.models = models;
  r.summary.scored = 10 + static_cast<size_t>(t_us);
  for (size_t i = 0; i < models.size(); ++i) {
    ModelStats m;
    m.model = models[i];
    m.n = r.summary.scored;
    double j = base + static_cast<double>(i), r5 = j + 0.5;
    m.metrics[kJaccard] = {j, j - 0.1, j + 0.1, m.n, 0};
    m.metrics[kRecall5] = {r5, r5 - 0.1, r5 + 0.1, m.n, 0};
    r.summary.overall.models.push_back(m);
  }
  return r;
}

TEST(MetricTrend, KeepsTheReferencesRunsInTimeOrderWithEachModelsValues) {
  // Stored out of time order; one run with another reference in the middle.
  std::vector<EvalRun> runs = {run_of("ev-c", 30, "truth", {"A", "B"}, 3), run_of("ev-a", 10, "truth", {"A"}, 1),
                               run_of("ev-x", 20, "teacher", {"A", "B"}, 9),
                               run_of("ev-b", 20, "truth", {"B", "C"}, 2)};
  MetricTrend t = metric_trend(runs, "truth", kJaccard);
  EXPECT_EQ(t.reference, "truth");
  EXPECT_EQ(t.other_reference, 1u);
  EXPECT_EQ(t.dropped_oldest, 0u);
  ASSERT_EQ(t.runs.size(), 3u);
  EXPECT_EQ(t.runs[0].id, "ev-a");
  EXPECT_EQ(t.runs[1].id, "ev-b");
  EXPECT_EQ(t.runs[2].id, "ev-c");
  EXPECT_EQ(t.runs[1].scored, 30u);
  // The newest run's models first, then C (only in ev-b).
  ASSERT_EQ(t.models.size(), 3u);
  EXPECT_EQ(t.models[0].model, "A");
  EXPECT_EQ(t.models[1].model, "B");
  EXPECT_EQ(t.models[2].model, "C");
  for (const ModelTrend& m : t.models) ASSERT_EQ(m.values.size(), 3u) << m.model;
  // A: 1 (ev-a, model 0), absent in ev-b, 3 (ev-c, model 0).
  ASSERT_TRUE(t.models[0].values[0]);
  EXPECT_DOUBLE_EQ(t.models[0].values[0]->mean, 1.0);
  EXPECT_DOUBLE_EQ(t.models[0].values[0]->lo, 0.9);
  EXPECT_FALSE(t.models[0].values[1]);
  EXPECT_DOUBLE_EQ(t.models[0].values[2]->mean, 3.0);
  // B: absent, 2 (ev-b, model 0), 4 (ev-c, model 1). Never ev-x's 9 or 10.
  EXPECT_FALSE(t.models[1].values[0]);
  EXPECT_DOUBLE_EQ(t.models[1].values[1]->mean, 2.0);
  EXPECT_DOUBLE_EQ(t.models[1].values[2]->mean, 4.0);
  EXPECT_DOUBLE_EQ(t.models[1].values[2]->hi, 4.1);
  // C: only ev-b (model 1).
  EXPECT_FALSE(t.models[2].values[0]);
  EXPECT_DOUBLE_EQ(t.models[2].values[1]->mean, 3.0);
  EXPECT_FALSE(t.models[2].values[2]);
}

TEST(MetricTrend, TakesTheChosenMetric) {
  std::vector<EvalRun> runs = {run_of("ev-a", 1, "truth", {"A"}, 0.2), run_of("ev-b", 2, "truth", {"A"}, 0.3)};
  MetricTrend t = metric_trend(runs, "truth", kRecall5);
  EXPECT_EQ(t.metric, kRecall5);
  ASSERT_EQ(t.models.size(), 1u);
  EXPECT_DOUBLE_EQ(t.models[0].values[0]->mean, 0.7);
  EXPECT_DOUBLE_EQ(t.models[0].values[1]->mean, 0.8);
}

TEST(MetricTrend, OtherReferenceOnlyGivesAnEmptyTrend) {
  std::vector<EvalRun> runs = {run_of("ev-a", 1, "teacher", {"A"}, 0.2)};
  MetricTrend t = metric_trend(runs, "truth", kJaccard);
  EXPECT_TRUE(t.runs.empty());
  EXPECT_TRUE(t.models.empty());
  EXPECT_EQ(t.other_reference, 1u);
}

TEST(MetricTrend, KeepsTheNewestRunsBeyondTheCap) {
  std::vector<EvalRun> runs;
  for (int i = 0; i < 7; ++i) runs.push_back(run_of("ev-" + std::to_string(i), i, "truth", {"A"}, i));
  MetricTrend t = metric_trend(runs, "truth", kJaccard, 3);
  EXPECT_EQ(t.dropped_oldest, 4u);
  ASSERT_EQ(t.runs.size(), 3u);
  EXPECT_EQ(t.runs[0].id, "ev-4");
  EXPECT_EQ(t.runs[2].id, "ev-6");
  EXPECT_DOUBLE_EQ(t.models[0].values[0]->mean, 4.0);
}

TEST(MetricTrend, MetricFromName) {
  EXPECT_EQ(metric_from_name("jaccard"), kJaccard);
  EXPECT_EQ(metric_from_name("recall@5"), kRecall5);
  EXPECT_EQ(metric_from_name("hallucinated_rate"), kHallucinatedRate);
  EXPECT_FALSE(metric_from_name("recall@4"));
  EXPECT_FALSE(metric_from_name(""));
}

}  // namespace
}  // namespace pt
