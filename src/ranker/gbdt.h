// LambdaMART: a gradient-boosted regression-tree ensemble trained with the LambdaRank gradient
// (pairwise, weighted by the NDCG change of swapping the pair), in plain C++. Histogram split
// finding on quantile bins, leaf-wise growth (ranker/tree_builder.h), per-tree subsampling of
// groups, early stopping on a validation set. Seeded and multi-threaded (`threads`): the groups
// are cut into fixed shards that compute their gradients, partitions and histograms on their own,
// and every sum runs in one fixed order, so the same data and seed give the same trees whatever
// the thread count.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace pt::ranker {

// Rows grouped by query (one group = one trace's candidates), row-major features.
struct RankingData {
  int num_features = 0;
  std::vector<float> x;
  std::vector<float> label;                 // relevance, 0 or 1 here
  std::vector<uint32_t> group_start = {0};  // group g = rows [group_start[g], group_start[g+1])

  size_t rows() const { return label.size(); }
  size_t groups() const { return group_start.size() - 1; }
  const float* row(size_t i) const { return x.data() + i * static_cast<size_t>(num_features); }
  // Appends one group of `n` rows.
  void add_group(const float* rows, const float* labels, size_t n);
};

struct TreeNode {
  int32_t feature = -1;  // -1: leaf
  float threshold = 0;   // go left when x[feature] <= threshold
  int32_t left = -1, right = -1;
  float value = 0;  // leaf output
};

struct Tree {
  std::vector<TreeNode> nodes;  // nodes[0] is the root
  float predict(const float* x) const;
};

struct Ensemble {
  int num_features = 0;
  std::vector<Tree> trees;
  double predict(const float* x) const;
};

struct GbdtParams {
  int max_trees = 300;
  int max_leaves = 16;
  int max_depth = 6;
  double learning_rate = 0.08;
  int min_leaf_rows = 40;
  double min_leaf_hessian = 1e-3;
  double l2 = 1.0;
  double group_subsample = 0.8;  // share of groups each tree sees
  int max_bins = 64;
  int eval_at = 10;         // NDCG cutoff for early stopping
  int early_stopping = 40;  // stop after this many trees without validation gain
  uint64_t seed = 1;
  int threads = 1;  // the trees do not depend on it
};

struct TrainReport {
  int trees = 0;
  double best_valid_ndcg = 0;
  std::vector<double> valid_ndcg;  // after each tree
};

// A training set's binned form: quantile bin edges per feature, bin numbers row-major and
// feature-major, each group's ideal DCG. Fits of one set that differ only in tree shape (the
// hyper-parameter grid) compute it once (bin_ranking_data) instead of once per fit.
struct BinnedData {
  int max_bins = 0;  // min(GbdtParams::max_bins, 255) it was made for
  std::vector<std::vector<float>> edges;
  std::vector<uint8_t> bins, columns;
  std::vector<double> ideal_dcg;
};
BinnedData bin_ranking_data(const RankingData& train, int max_bins, int threads);

// Trains on `train`; with `valid`, keeps the prefix of trees with the best validation NDCG.
// `on_tree`, when set, hears the number of trees built so far after each tree (progress).
// `binned`, when given, is bin_ranking_data(train, ...) (used when its max_bins matches; the
// trees are the same either way).
Ensemble train_lambdamart(const RankingData& train, const RankingData* valid, const GbdtParams& params,
                          TrainReport* report = nullptr, const std::function<void(int)>& on_tree = {},
                          const BinnedData* binned = nullptr);

// model.predict of every row of `data`, rows spread over `threads` threads (the same scores for any count).
std::vector<double> predict_rows(const Ensemble& model, const RankingData& data, int threads);

// Mean NDCG@k over the groups that have at least one relevant row.
double mean_ndcg(const RankingData& data, const std::vector<double>& scores, int k);

// A small deterministic generator (splitmix64) for sampling.
struct SplitMix64 {
  uint64_t state;
  uint64_t next();
  double uniform();  // [0, 1)
};

}  // namespace pt::ranker
