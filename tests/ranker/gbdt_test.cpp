// Unit tests for ranker/gbdt.h: LambdaMART learns a ranking signal, is deterministic for a seed,
// and early stopping keeps the best prefix of trees.
#include "ranker/gbdt.h"

#include <gtest/gtest.h>

namespace pt::ranker {
namespace {

// Groups of 30 rows, 3 features: feature 0 is informative only through an interaction
// (relevant when f0 > 0.5 and f1 < 0.5), feature 2 is noise.
RankingData make_data(size_t groups, uint64_t seed) {
  RankingData d;
  d.num_features = 3;
  SplitMix64 rng{seed};
  for (size_t g = 0; g < groups; ++g) {
    std::vector<float> x, y;
    for (int r = 0; r < 30; ++r) {
      float a = static_cast<float>(rng.uniform()), b = static_cast<float>(rng.uniform()),
            c = static_cast<float>(rng.uniform());
      x.insert(x.end(), {a, b, c});
      y.push_back(a > 0.5f && b < 0.5f && rng.uniform() < 0.8 ? 1.f : 0.f);
    }
    d.add_group(x.data(), y.data(), 30);
  }
  return d;
}

std::vector<double> predict_all(const Ensemble& m, const RankingData& d) {
  std::vector<double> s;
  for (size_t r = 0; r < d.rows(); ++r) s.push_back(m.predict(d.row(r)));
  return s;
}

TEST(Gbdt, LearnsAnInteraction) {
  RankingData train = make_data(300, 1), valid = make_data(100, 2);
  GbdtParams p;
  p.max_trees = 60;
  p.min_leaf_rows = 20;
  Ensemble m = train_lambdamart(train, nullptr, p);
  ASSERT_EQ(m.trees.size(), 60u);
  double random_ndcg = mean_ndcg(valid, std::vector<double>(valid.rows(), 0.0), 10);
  double learned = mean_ndcg(valid, predict_all(m, valid), 10);
  EXPECT_GT(learned, 0.9);
  EXPECT_GT(learned, random_ndcg + 0.3);
}

TEST(Gbdt, DeterministicForASeed) {
  RankingData train = make_data(100, 3);
  GbdtParams p;
  p.max_trees = 20;
  p.group_subsample = 0.5;
  p.seed = 42;
  Ensemble a = train_lambdamart(train, nullptr, p), b = train_lambdamart(train, nullptr, p);
  ASSERT_EQ(a.trees.size(), b.trees.size());
  for (size_t t = 0; t < a.trees.size(); ++t) {
    ASSERT_EQ(a.trees[t].nodes.size(), b.trees[t].nodes.size());
    for (size_t n = 0; n < a.trees[t].nodes.size(); ++n) {
      EXPECT_EQ(a.trees[t].nodes[n].feature, b.trees[t].nodes[n].feature);
      EXPECT_EQ(a.trees[t].nodes[n].threshold, b.trees[t].nodes[n].threshold);
      EXPECT_EQ(a.trees[t].nodes[n].value, b.trees[t].nodes[n].value);
    }
  }
  p.seed = 43;  // another seed samples other groups, so the trees differ
  Ensemble c = train_lambdamart(train, nullptr, p);
  EXPECT_NE(predict_all(a, train), predict_all(c, train));
}

void expect_same_trees(const Ensemble& m, const Ensemble& base, int threads) {
  ASSERT_EQ(m.trees.size(), base.trees.size()) << threads;
  for (size_t t = 0; t < m.trees.size(); ++t) {
    ASSERT_EQ(m.trees[t].nodes.size(), base.trees[t].nodes.size()) << threads;
    for (size_t n = 0; n < m.trees[t].nodes.size(); ++n) {
      EXPECT_EQ(m.trees[t].nodes[n].feature, base.trees[t].nodes[n].feature) << threads;
      EXPECT_EQ(m.trees[t].nodes[n].threshold, base.trees[t].nodes[n].threshold) << threads;
      EXPECT_EQ(m.trees[t].nodes[n].value, base.trees[t].nodes[n].value) << threads;
    }
  }
}

// Groups big enough that histograms, partitions and gradients really are split between threads.
TEST(Gbdt, SameTreesForAnyThreadCount) {
  RankingData train = make_data(2500, 6), valid = make_data(200, 7);
  GbdtParams p;
  p.max_trees = 8;
  p.group_subsample = 0.7;
  Ensemble base = train_lambdamart(train, &valid, p);
  ASSERT_FALSE(base.trees.empty());
  for (int threads : {2, 3}) {
    p.threads = threads;
    expect_same_trees(train_lambdamart(train, &valid, p), base, threads);
  }
}

// Fewer rows than one histogram chunk and more features than threads: every leaf's histogram is
// split by feature (uneven feature blocks), and the trees are those of one thread.
TEST(Gbdt, SmallLeavesSplitByFeatureGiveTheSameTrees) {
  RankingData train;
  train.num_features = 13;
  SplitMix64 rng{11};
  for (size_t g = 0; g < 150; ++g) {
    std::vector<float> x, y;
    for (int r = 0; r < 30; ++r) {
      for (int f = 0; f < train.num_features; ++f) x.push_back(static_cast<float>(rng.uniform()));
      const float* row = x.data() + x.size() - static_cast<size_t>(train.num_features);
      y.push_back(row[3] + row[9] > 1.2f && rng.uniform() < 0.8 ? 1.f : 0.f);
    }
    train.add_group(x.data(), y.data(), 30);
  }
  ASSERT_LT(train.rows(), 8192u);
  GbdtParams p;
  p.max_trees = 12;
  p.min_leaf_rows = 10;
  Ensemble base = train_lambdamart(train, nullptr, p);
  ASSERT_EQ(base.trees.size(), 12u);
  ASSERT_GT(base.trees[0].nodes.size(), 9u);  // several splits per tree
  for (int threads : {2, 3, 5}) {
    p.threads = threads;
    expect_same_trees(train_lambdamart(train, nullptr, p), base, threads);
  }
}

TEST(Gbdt, EarlyStoppingKeepsTheBestPrefix) {
  RankingData train = make_data(60, 4), valid = make_data(40, 5);
  GbdtParams p;
  p.max_trees = 200;
  p.early_stopping = 10;
  TrainReport report;
  Ensemble m = train_lambdamart(train, &valid, p, &report);
  ASSERT_FALSE(report.valid_ndcg.empty());
  EXPECT_LT(report.valid_ndcg.size(), 200u);  // stopped early
  EXPECT_EQ(static_cast<size_t>(report.trees), m.trees.size());
  EXPECT_DOUBLE_EQ(report.valid_ndcg[m.trees.size() - 1], report.best_valid_ndcg);
  for (double v : report.valid_ndcg) EXPECT_LE(v, report.best_valid_ndcg);
}

TEST(Gbdt, EmptyDataGivesAnEmptyModel) {
  RankingData empty;
  empty.num_features = 2;
  Ensemble m = train_lambdamart(empty, nullptr, GbdtParams{});
  EXPECT_TRUE(m.trees.empty());
  float x[2] = {1, 2};
  EXPECT_EQ(m.predict(x), 0.0);
}

}  // namespace
}  // namespace pt::ranker
