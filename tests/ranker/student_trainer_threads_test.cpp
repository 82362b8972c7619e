// Queued training (StudentTrainer::add by value: features extracted on several threads, each with
// its own copy of the statistics timeline) gives exactly the model of adding the traces one by
// one on one thread, with a fit lag and tune traces in the stream.
#include <gtest/gtest.h>

#include "ranker/student_trainer.h"
#include "ranker/synthetic_history.h"

namespace pt::ranker {
namespace {

std::string train(const synthetic::History& h, size_t n, int threads, bool queued, StudentTrainSummary* summary) {
  StudentTrainOptions o;
  o.gbdt.threads = threads;
  o.gbdt.max_trees = 20;
  o.fit_lag = 3;
  StudentTrainer t(o);
  const size_t tune_from = n - n * 15 / 100;
  for (size_t c = 0; c < n; ++c) {
    TraceView v = synthetic::view(h, c);
    if (queued)
      t.add(std::move(v), h.commits[c].changed, c >= tune_from);
    else
      t.add(v, h.commits[c].changed, c >= tune_from);  // one by one, at once
  }
  return t.finish(StudentMeta{"truth", 0, 0, 0, "test"}, summary)->serialize();
}

TEST(StudentTrainerThreads, QueuedOnThreadsGivesTheOneByOneModel) {
  const auto h = synthetic::make_history(200, 700, 13);
  StudentTrainSummary one_s, s2, s3;
  const std::string one = train(h, 700, 1, false, &one_s);
  EXPECT_GT(one_s.fit_rows, 1000u);
  EXPECT_GT(one_s.tune_traces, 50u);
  EXPECT_EQ(train(h, 700, 2, true, &s2), one);
  EXPECT_EQ(train(h, 700, 3, true, &s3), one);
  EXPECT_EQ(s2.fit_rows, one_s.fit_rows);
  EXPECT_EQ(s3.targets_in_candidates, one_s.targets_in_candidates);
}

}  // namespace
}  // namespace pt::ranker
