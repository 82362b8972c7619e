// Unit tests for ranker/gbdt.h: LambdaMART learns a ranking signal, is deterministic for a seed,
// and early stopping keeps the best prefix of trees.
#include "ranker/gbdt.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

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

// Fewer groups than shards (some shards empty), more threads than shards, and many features:
// the trees are those of one thread.
TEST(Gbdt, FewGroupsAndMoreThreadsThanShardsGiveTheSameTrees) {
  RankingData train;
  train.num_features = 13;
  SplitMix64 rng{11};
  for (size_t g = 0; g < 5; ++g) {
    std::vector<float> x, y;
    for (int r = 0; r < 200; ++r) {
      for (int f = 0; f < train.num_features; ++f) x.push_back(static_cast<float>(rng.uniform()));
      const float* row = x.data() + x.size() - static_cast<size_t>(train.num_features);
      y.push_back(row[3] + row[9] > 1.2f && rng.uniform() < 0.8 ? 1.f : 0.f);
    }
    train.add_group(x.data(), y.data(), 200);
  }
  GbdtParams p;
  p.max_trees = 12;
  p.min_leaf_rows = 10;
  p.group_subsample = 0.7;
  Ensemble base = train_lambdamart(train, nullptr, p);
  ASSERT_EQ(base.trees.size(), 12u);
  ASSERT_GT(base.trees[0].nodes.size(), 9u);  // several splits per tree
  for (int threads : {2, 3, 9}) {
    p.threads = threads;
    expect_same_trees(train_lambdamart(train, nullptr, p), base, threads);
  }
}

// The ranking behind NDCG puts higher scores first and, among equal scores, the lower row first.
TEST(Gbdt, MeanNdcgOrdersByScoreWithTiesToTheLowerRow) {
  RankingData d;
  d.num_features = 1;
  const float x[4] = {0, 0, 0, 0}, y[4] = {0, 1, 0, 0};
  d.add_group(x, y, 4);
  // Row 1 (relevant) ties with row 0: row 0 ranks first, so the relevant row is second.
  EXPECT_DOUBLE_EQ(mean_ndcg(d, {2.0, 2.0, 1.0, 3.0}, 10), 1.0 / std::log2(4.0));
  EXPECT_DOUBLE_EQ(mean_ndcg(d, {1.0, 2.0, 2.0, 0.0}, 10), 1.0);
  EXPECT_DOUBLE_EQ(mean_ndcg(d, {4.0, 0.5, 3.0, 2.0}, 10), 1.0 / std::log2(5.0));
  EXPECT_DOUBLE_EQ(mean_ndcg(d, {4.0, 0.5, 3.0, 2.0}, 3), 0.0);  // below the cutoff
}

// Training on scores that reorder every group many times (a long run of trees) still gives the
// trees of a cold sort: the same trees as training with another thread count, and the validation
// NDCG the model's own scores give.
TEST(Gbdt, ReportedValidationNdcgIsTheModelsOwn) {
  RankingData train = make_data(200, 8), valid = make_data(80, 9);
  GbdtParams p;
  p.max_trees = 40;
  p.early_stopping = 1000;
  TrainReport report;
  Ensemble m = train_lambdamart(train, &valid, p, &report);
  ASSERT_EQ(report.valid_ndcg.size(), 40u);
  ASSERT_FALSE(m.trees.empty());
  Ensemble prefix;
  prefix.num_features = m.num_features;
  for (size_t t = 0; t < m.trees.size(); ++t) {
    prefix.trees.push_back(m.trees[t]);
    EXPECT_NEAR(mean_ndcg(valid, predict_all(prefix, valid), p.eval_at), report.valid_ndcg[t], 1e-12) << t;
  }
}

// Fits that share one binning (the hyper-parameter grid) build the trees each would build alone;
// a binning made for other bins is not used.
TEST(Gbdt, SharedBinningGivesTheSameTrees) {
  RankingData train = make_data(300, 12), valid = make_data(60, 13);
  GbdtParams p;
  p.max_trees = 15;
  const BinnedData binned = bin_ranking_data(train, p.max_bins, 2);
  for (int leaves : {4, 16}) {
    p.max_leaves = leaves;
    Ensemble alone = train_lambdamart(train, &valid, p);
    ASSERT_FALSE(alone.trees.empty());
    expect_same_trees(train_lambdamart(train, &valid, p, nullptr, {}, &binned), alone, 1);
  }
  const BinnedData coarse = bin_ranking_data(train, 4, 1);
  EXPECT_EQ(coarse.max_bins, 4);
  Ensemble alone = train_lambdamart(train, &valid, p);
  expect_same_trees(train_lambdamart(train, &valid, p, nullptr, {}, &coarse), alone, 1);
  GbdtParams few = p;
  few.max_bins = 4;  // the coarse binning is used: thresholds come from its 3 edges per feature
  Ensemble fitted = train_lambdamart(train, &valid, few, nullptr, {}, &coarse);
  for (const Tree& t : fitted.trees)
    for (const TreeNode& n : t.nodes)
      if (n.feature >= 0) {
        const auto& e = coarse.edges[static_cast<size_t>(n.feature)];
        EXPECT_NE(std::find(e.begin(), e.end(), n.threshold), e.end());
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
