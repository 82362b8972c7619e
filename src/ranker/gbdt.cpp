// Implementation of ranker/gbdt.h.
#include "ranker/gbdt.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ranker/tree_builder.h"
#include "ranker/work_split.h"

namespace pt::ranker {

void RankingData::add_group(const float* rows, const float* labels, size_t n) {
  x.insert(x.end(), rows, rows + n * static_cast<size_t>(num_features));
  label.insert(label.end(), labels, labels + n);
  group_start.push_back(static_cast<uint32_t>(label.size()));
}

float Tree::predict(const float* x) const {
  int32_t i = 0;
  while (nodes[static_cast<size_t>(i)].feature >= 0) {
    const TreeNode& n = nodes[static_cast<size_t>(i)];
    i = x[n.feature] <= n.threshold ? n.left : n.right;
  }
  return nodes[static_cast<size_t>(i)].value;
}

double Ensemble::predict(const float* x) const {
  double s = 0;
  for (const auto& t : trees) s += t.predict(x);
  return s;
}

uint64_t SplitMix64::next() {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double SplitMix64::uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }

namespace {

double discount(size_t pos) { return 1.0 / std::log2(static_cast<double>(pos) + 2.0); }

// Sorts a group's rows `order[0, n)` by score, best first (ties: lower row first, so results are
// stable). `order` starts as the group's rows in any order; given the last call's order it is
// nearly sorted, so an insertion sort finishes in about n steps, and std::sort takes over once the
// insertion sort has moved more than 4n + 16 rows. Both give the one order the comparison defines.
void order_group(const std::vector<double>& scores, uint32_t* order, size_t n) {
  auto before = [&](uint32_t a, uint32_t b) { return scores[a] > scores[b] || (scores[a] == scores[b] && a < b); };
  const size_t limit = 4 * n + 16;
  size_t moves = 0;
  for (size_t i = 1; i < n; ++i) {
    const uint32_t v = order[i];
    size_t j = i;
    for (; j > 0 && before(v, order[j - 1]); --j) order[j] = order[j - 1];
    order[j] = v;
    moves += i - j;
    if (moves > limit) {
      std::sort(order, order + n, before);
      return;
    }
  }
}

// 1 / log2(pos + 2), tabulated.
double discount_at(size_t pos) {
  static const std::vector<double> table = [] {
    std::vector<double> t(4096);
    for (size_t i = 0; i < t.size(); ++i) t[i] = discount(i);
    return t;
  }();
  return pos < table.size() ? table[pos] : discount(pos);
}

double ideal_dcg(const RankingData& d, uint32_t begin, uint32_t end, int k) {
  std::vector<float> labels(d.label.begin() + begin, d.label.begin() + end);
  std::sort(labels.begin(), labels.end(), std::greater<>());
  double idcg = 0;
  for (size_t i = 0; i < labels.size() && (k <= 0 || i < static_cast<size_t>(k)); ++i)
    idcg += (std::exp2(labels[i]) - 1.0) * discount(i);
  return idcg;
}

// Quantile bin edges of one feature: bin(x) = number of edges < x; x <= edges[b] <=> bin <= b.
std::vector<float> feature_edges(const RankingData& d, int f, size_t stride, int max_bins) {
  std::vector<float> vals, e;
  for (size_t r = 0; r < d.rows(); r += stride) vals.push_back(d.row(r)[f]);
  std::sort(vals.begin(), vals.end());
  std::vector<float> uniq = vals;
  uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
  if (uniq.size() <= static_cast<size_t>(max_bins)) {
    e.assign(uniq.begin(), uniq.empty() ? uniq.end() : uniq.end() - 1);
  } else {
    for (int q = 1; q < max_bins; ++q) {
      float v = vals[vals.size() * static_cast<size_t>(q) / static_cast<size_t>(max_bins)];
      if (e.empty() || v > e.back()) e.push_back(v);
    }
    if (!e.empty() && e.back() >= uniq.back()) e.pop_back();
  }
  return e;
}

std::vector<std::vector<float>> bin_edges(const RankingData& d, int max_bins, WorkSplit& pool) {
  std::vector<std::vector<float>> edges(static_cast<size_t>(d.num_features));
  const size_t stride = std::max<size_t>(1, d.rows() / 200000);
  pool.run(edges.size(), 1, [&](size_t f0, size_t f1, unsigned) {
    for (size_t f = f0; f < f1; ++f) edges[f] = feature_edges(d, static_cast<int>(f), stride, max_bins);
  });
  return edges;
}

// LambdaRank gradients (as loss gradients: negative pushes a score up) of one group. `gain` is
// exp2(label) per row; `order` is the group's rows, sorted here by score (order_group).
void group_lambdas(const RankingData& d, const std::vector<double>& gain, const std::vector<double>& scores,
                   uint32_t begin, uint32_t end, double idcg, uint32_t* order, std::vector<float>& g,
                   std::vector<float>& h) {
  const size_t n = end - begin;
  order_group(scores, order, n);
  for (size_t a = 0; a < n; ++a) {
    const uint32_t i = order[a];
    if (d.label[i] <= 0) continue;
    const double gain_i = gain[i], disc_a = discount_at(a), score_i = scores[i];
    double gi = 0, hi = 0;
    for (size_t b = 0; b < n; ++b) {
      const uint32_t j = order[b];
      if (d.label[j] >= d.label[i]) continue;
      double delta = std::fabs((gain_i - gain[j]) * (disc_a - discount_at(b))) / idcg;
      double rho = 1.0 / (1.0 + std::exp(score_i - scores[j]));
      double lambda = rho * delta;
      double hess = std::max(rho * (1.0 - rho) * delta, 1e-9);
      gi -= lambda;
      hi += hess;
      g[j] += static_cast<float>(lambda);
      h[j] += static_cast<float>(hess);
    }
    g[i] += static_cast<float>(gi);
    h[i] += static_cast<float>(hi);
  }
}

std::vector<uint8_t> bin_rows(const RankingData& d, const std::vector<std::vector<float>>& edges, WorkSplit& pool) {
  std::vector<uint8_t> bins(d.rows() * static_cast<size_t>(d.num_features));
  pool.run(d.rows(), 2048, [&](size_t r0, size_t r1, unsigned) {
    for (size_t r = r0; r < r1; ++r)
      for (int f = 0; f < d.num_features; ++f) {
        const auto& e = edges[static_cast<size_t>(f)];
        bins[r * static_cast<size_t>(d.num_features) + static_cast<size_t>(f)] =
            static_cast<uint8_t>(std::lower_bound(e.begin(), e.end(), d.row(r)[f]) - e.begin());
      }
  });
  return bins;
}

// The row-major rows x nf matrix `m`, feature-major.
std::vector<uint8_t> transpose(const std::vector<uint8_t>& m, size_t rows, size_t nf, WorkSplit& pool) {
  std::vector<uint8_t> t(m.size());
  pool.run(rows, 4096, [&](size_t r0, size_t r1, unsigned) {
    for (size_t f = 0; f < nf; ++f)
      for (size_t r = r0; r < r1; ++r) t[f * rows + r] = m[r * nf + f];
  });
  return t;
}

// NDCG@k of one group, or -1 when it has no relevant row. `order` holds the group's rows (any
// order; the last call's for a warm start) and is sorted here by score.
double group_ndcg(const RankingData& data, const std::vector<double>& scores, size_t gi, int k, double idcg,
                  uint32_t* order) {
  if (idcg <= 0) return -1;
  const size_t n = data.group_start[gi + 1] - data.group_start[gi];
  order_group(scores, order, n);
  double dcg = 0;
  for (size_t i = 0; i < n && i < static_cast<size_t>(k); ++i)
    dcg += (std::exp2(data.label[order[i]]) - 1.0) * discount_at(i);
  return dcg / idcg;
}

// Ideal DCG@k of every group (k <= 0: all rows).
std::vector<double> ideal_dcgs(const RankingData& data, int k, WorkSplit& pool) {
  std::vector<double> idcg(data.groups());
  pool.run(idcg.size(), 64, [&](size_t g0, size_t g1, unsigned) {
    for (size_t gi = g0; gi < g1; ++gi) idcg[gi] = ideal_dcg(data, data.group_start[gi], data.group_start[gi + 1], k);
  });
  return idcg;
}

// mean_ndcg with the groups spread over the pool, summed in group order. `order` holds every
// row, each group's rows in its own range (the last call's order: a warm start).
double mean_ndcg_on(const RankingData& data, const std::vector<double>& scores, int k, const std::vector<double>& idcg,
                    std::vector<uint32_t>& order, WorkSplit& pool) {
  std::vector<double> per(data.groups());
  pool.run(per.size(), 64, [&](size_t g0, size_t g1, unsigned) {
    for (size_t gi = g0; gi < g1; ++gi)
      per[gi] = group_ndcg(data, scores, gi, k, idcg[gi], order.data() + data.group_start[gi]);
  });
  double total = 0;
  size_t counted = 0;
  for (double v : per)
    if (v >= 0) {
      total += v;
      ++counted;
    }
  return counted ? total / static_cast<double>(counted) : 0.0;
}

// Every row of `data` in row order: each group's rows in its own range, for order_group.
std::vector<uint32_t> row_order(const RankingData& data) {
  std::vector<uint32_t> order(data.rows());
  std::iota(order.begin(), order.end(), 0u);
  return order;
}

// scores[r] += tree(row r) for every row.
void add_tree(const Tree& tree, const RankingData& d, std::vector<double>& scores, WorkSplit& pool) {
  pool.run(d.rows(), 4096, [&](size_t r0, size_t r1, unsigned) {
    for (size_t r = r0; r < r1; ++r) scores[r] += tree.predict(d.row(r));
  });
}

}  // namespace

std::vector<double> predict_rows(const Ensemble& model, const RankingData& data, int threads) {
  std::vector<double> scores(data.rows());
  WorkSplit pool(static_cast<unsigned>(std::max(threads, 1)));
  pool.run(data.rows(), 1024, [&](size_t r0, size_t r1, unsigned) {
    for (size_t r = r0; r < r1; ++r) scores[r] = model.predict(data.row(r));
  });
  return scores;
}

double mean_ndcg(const RankingData& data, const std::vector<double>& scores, int k) {
  WorkSplit one(1);
  std::vector<uint32_t> order = row_order(data);
  return mean_ndcg_on(data, scores, k, ideal_dcgs(data, k, one), order, one);
}

namespace {
BinnedData bin_on(const RankingData& train, int max_bins, WorkSplit& pool) {
  BinnedData b;
  b.max_bins = max_bins;
  b.edges = bin_edges(train, max_bins, pool);
  b.bins = bin_rows(train, b.edges, pool);
  b.columns = transpose(b.bins, train.rows(), static_cast<size_t>(train.num_features), pool);
  b.ideal_dcg = ideal_dcgs(train, 0, pool);
  return b;
}
}  // namespace

BinnedData bin_ranking_data(const RankingData& train, int max_bins, int threads) {
  WorkSplit pool(static_cast<unsigned>(std::max(threads, 1)));
  return bin_on(train, std::min(max_bins, 255), pool);
}

Ensemble train_lambdamart(const RankingData& train, const RankingData* valid, const GbdtParams& p, TrainReport* report,
                          const std::function<void(int)>& on_tree, const BinnedData* binned) {
  Ensemble model;
  model.num_features = train.num_features;
  if (train.rows() == 0) return model;
  const int nb = std::min(p.max_bins, 255) + 1;
  WorkSplit pool(static_cast<unsigned>(std::max(p.threads, 1)));
  BinnedData own;
  if (binned == nullptr || binned->max_bins != nb - 1 || binned->ideal_dcg.size() != train.groups()) {
    own = bin_on(train, nb - 1, pool);
    binned = &own;
  }
  const auto& edges = binned->edges;
  const std::vector<uint8_t>& bins = binned->bins;
  const std::vector<uint8_t>& columns = binned->columns;
  const std::vector<double>& idcg = binned->ideal_dcg;
  const std::vector<double> valid_idcg = valid ? ideal_dcgs(*valid, p.eval_at, pool) : std::vector<double>();

  std::vector<double> scores(train.rows(), 0.0), vscores(valid ? valid->rows() : 0, 0.0);
  std::vector<double> gain(train.rows());
  for (size_t r = 0; r < train.rows(); ++r) gain[r] = std::exp2(train.label[r]);
  std::vector<uint32_t> order = row_order(train), vorder = valid ? row_order(*valid) : std::vector<uint32_t>();
  std::vector<float> g(train.rows()), h(train.rows());
  std::vector<uint8_t> take(train.groups());
  const std::vector<uint32_t> shard_groups = tree::make_shards(train.group_start);
  SplitMix64 rng{p.seed};
  tree::TreeBuilder builder(bins, columns, edges, train.num_features, nb, p, pool);
  double best = -1;
  size_t best_trees = 0;
  for (int t = 0; t < p.max_trees; ++t) {
    bool any = false;
    for (size_t gi = 0; gi < train.groups(); ++gi) {
      const bool sampled = rng.uniform() < p.group_subsample;
      take[gi] = sampled && idcg[gi] > 0;
      any = any || take[gi];
    }
    if (!any) break;
    // Each shard gathers its sampled groups' rows and writes their gradients (the tree reads only those).
    tree::for_shards(pool, [&](size_t s) {
      std::vector<uint32_t>& rows = builder.shard(s).rows;
      rows.clear();
      for (uint32_t gi = shard_groups[s]; gi < shard_groups[s + 1]; ++gi) {
        if (!take[gi]) continue;
        const uint32_t b = train.group_start[gi], e = train.group_start[gi + 1];
        for (uint32_t r = b; r < e; ++r) rows.push_back(r);
        std::fill(g.begin() + b, g.begin() + e, 0.f);
        std::fill(h.begin() + b, h.begin() + e, 0.f);
        group_lambdas(train, gain, scores, b, e, idcg[gi], order.data() + b, g, h);
      }
    });
    Tree tree = builder.build(g, h);
    tree::for_shards(pool, [&](size_t s) {
      const uint32_t r0 = train.group_start[shard_groups[s]], r1 = train.group_start[shard_groups[s + 1]];
      for (uint32_t r = r0; r < r1; ++r) scores[r] += tree.predict(train.row(r));
    });
    model.trees.push_back(std::move(tree));
    if (on_tree) on_tree(static_cast<int>(model.trees.size()));
    if (valid == nullptr) continue;
    add_tree(model.trees.back(), *valid, vscores, pool);
    double ndcg = mean_ndcg_on(*valid, vscores, p.eval_at, valid_idcg, vorder, pool);
    if (report) report->valid_ndcg.push_back(ndcg);
    if (ndcg > best + 1e-9) {
      best = ndcg;
      best_trees = model.trees.size();
    } else if (static_cast<int>(model.trees.size() - best_trees) >= p.early_stopping) {
      break;
    }
  }
  if (valid != nullptr && best_trees > 0) model.trees.resize(best_trees);
  if (report) {
    report->trees = static_cast<int>(model.trees.size());
    report->best_valid_ndcg = best;
  }
  return model;
}

}  // namespace pt::ranker
