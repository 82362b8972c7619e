// Implementation of ranker/gbdt.h.
#include "ranker/gbdt.h"

#include <algorithm>
#include <cmath>
#include <numeric>

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

// Row order of a group by score, best first (ties: lower row first, so results are stable).
void order_group(const std::vector<double>& scores, uint32_t begin, uint32_t end, std::vector<uint32_t>& order) {
  thread_local std::vector<std::pair<double, uint32_t>> keyed;
  keyed.clear();
  for (uint32_t r = begin; r < end; ++r) keyed.push_back({-scores[r], r});
  std::sort(keyed.begin(), keyed.end());
  order.resize(keyed.size());
  for (size_t i = 0; i < keyed.size(); ++i) order[i] = keyed[i].second;
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

// Quantile bin edges of every feature: bin(x) = number of edges < x; x <= edges[b] <=> bin <= b.
std::vector<std::vector<float>> bin_edges(const RankingData& d, int max_bins) {
  std::vector<std::vector<float>> edges(static_cast<size_t>(d.num_features));
  const size_t stride = std::max<size_t>(1, d.rows() / 200000);
  std::vector<float> vals;
  for (int f = 0; f < d.num_features; ++f) {
    vals.clear();
    for (size_t r = 0; r < d.rows(); r += stride) vals.push_back(d.row(r)[f]);
    std::sort(vals.begin(), vals.end());
    std::vector<float> uniq = vals;
    uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
    auto& e = edges[static_cast<size_t>(f)];
    if (uniq.size() <= static_cast<size_t>(max_bins)) {
      e.assign(uniq.begin(), uniq.empty() ? uniq.end() : uniq.end() - 1);
    } else {
      for (int q = 1; q < max_bins; ++q) {
        float v = vals[vals.size() * static_cast<size_t>(q) / static_cast<size_t>(max_bins)];
        if (e.empty() || v > e.back()) e.push_back(v);
      }
      if (!e.empty() && e.back() >= uniq.back()) e.pop_back();
    }
  }
  return edges;
}

struct HistBin {
  double g = 0, h = 0;
  uint32_t n = 0;
};

struct Split {
  double gain = 0;
  int feature = -1;
  int bin = -1;
};

struct Leaf {
  uint32_t begin, end;  // range in the row-index array
  int depth;
  int32_t node;
  std::vector<HistBin> hist;
  double g = 0, h = 0;
  Split split;
};

class TreeBuilder {
 public:
  TreeBuilder(const std::vector<uint8_t>& bins, const std::vector<std::vector<float>>& edges, int nf, int nbins,
              const GbdtParams& p)
      : bins_(bins), edges_(edges), nf_(nf), nb_(nbins), p_(p) {}

  Tree build(std::vector<uint32_t>& rows, const std::vector<float>& g, const std::vector<float>& h) {
    Tree tree;
    tree.nodes.emplace_back();
    std::vector<Leaf> leaves;
    leaves.push_back(make_leaf(0, static_cast<uint32_t>(rows.size()), 0, 0));
    build_hist(leaves[0], rows, g, h);
    find_split(leaves[0]);
    while (static_cast<int>(leaves.size()) < p_.max_leaves) {
      size_t best = leaves.size();
      for (size_t i = 0; i < leaves.size(); ++i)
        if (leaves[i].split.feature >= 0 && (best == leaves.size() || leaves[i].split.gain > leaves[best].split.gain))
          best = i;
      if (best == leaves.size()) break;
      split_leaf(tree, leaves, best, rows, g, h);
    }
    for (const Leaf& l : leaves)
      tree.nodes[static_cast<size_t>(l.node)].value = static_cast<float>(-l.g / (l.h + p_.l2) * p_.learning_rate);
    return tree;
  }

 private:
  Leaf make_leaf(uint32_t begin, uint32_t end, int depth, int32_t node) {
    Leaf l{begin, end, depth, node, std::vector<HistBin>(static_cast<size_t>(nf_ * nb_)), 0, 0, {}};
    return l;
  }

  void build_hist(Leaf& l, const std::vector<uint32_t>& rows, const std::vector<float>& g,
                  const std::vector<float>& h) {
    for (uint32_t i = l.begin; i < l.end; ++i) {
      uint32_t r = rows[i];
      const uint8_t* b = bins_.data() + static_cast<size_t>(r) * static_cast<size_t>(nf_);
      double gr = g[r], hr = h[r];
      for (int f = 0; f < nf_; ++f) {
        HistBin& hb = l.hist[static_cast<size_t>(f * nb_ + b[f])];
        hb.g += gr;
        hb.h += hr;
        ++hb.n;
      }
      l.g += gr;
      l.h += hr;
    }
  }

  void find_split(Leaf& l) {
    l.split = {};
    if (l.depth >= p_.max_depth) return;
    const uint32_t n = l.end - l.begin;
    const double parent = l.g * l.g / (l.h + p_.l2);
    for (int f = 0; f < nf_; ++f) {
      const int nbins = static_cast<int>(edges_[static_cast<size_t>(f)].size());  // splits after bins 0..nbins-1
      double gl = 0, hl = 0;
      uint32_t nl = 0;
      for (int b = 0; b < nbins; ++b) {
        const HistBin& hb = l.hist[static_cast<size_t>(f * nb_ + b)];
        gl += hb.g;
        hl += hb.h;
        nl += hb.n;
        if (nl < static_cast<uint32_t>(p_.min_leaf_rows)) continue;
        if (n - nl < static_cast<uint32_t>(p_.min_leaf_rows)) break;
        double gr = l.g - gl, hr = l.h - hl;
        if (hl < p_.min_leaf_hessian || hr < p_.min_leaf_hessian) continue;
        double gain = gl * gl / (hl + p_.l2) + gr * gr / (hr + p_.l2) - parent;
        if (gain > l.split.gain + 1e-12) l.split = {gain, f, b};
      }
    }
  }

  void split_leaf(Tree& tree, std::vector<Leaf>& leaves, size_t which, std::vector<uint32_t>& rows,
                  const std::vector<float>& g, const std::vector<float>& h) {
    Leaf parent = std::move(leaves[which]);
    const int f = parent.split.feature, b = parent.split.bin;
    // Stable partition: rows going left keep their order, then rows going right.
    scratch_.clear();
    uint32_t m = parent.begin;
    for (uint32_t k = parent.begin; k < parent.end; ++k) {
      uint32_t r = rows[k];
      if (bins_[static_cast<size_t>(r) * static_cast<size_t>(nf_) + static_cast<size_t>(f)] <= b) {
        rows[m++] = r;
      } else {
        scratch_.push_back(r);
      }
    }
    std::copy(scratch_.begin(), scratch_.end(), rows.begin() + m);
    const int32_t li = static_cast<int32_t>(tree.nodes.size());
    tree.nodes.emplace_back();
    tree.nodes.emplace_back();
    TreeNode& node = tree.nodes[static_cast<size_t>(parent.node)];
    node.feature = f;
    node.threshold = edges_[static_cast<size_t>(f)][static_cast<size_t>(b)];
    node.left = li;
    node.right = li + 1;
    Leaf left = make_leaf(parent.begin, m, parent.depth + 1, li);
    Leaf right = make_leaf(m, parent.end, parent.depth + 1, li + 1);
    Leaf& small = (m - parent.begin) <= (parent.end - m) ? left : right;
    Leaf& large = &small == &left ? right : left;
    build_hist(small, rows, g, h);
    for (size_t k = 0; k < large.hist.size(); ++k) {
      large.hist[k].g = parent.hist[k].g - small.hist[k].g;
      large.hist[k].h = parent.hist[k].h - small.hist[k].h;
      large.hist[k].n = parent.hist[k].n - small.hist[k].n;
    }
    large.g = parent.g - small.g;
    large.h = parent.h - small.h;
    find_split(left);
    find_split(right);
    leaves[which] = std::move(left);
    leaves.push_back(std::move(right));
  }

  const std::vector<uint8_t>& bins_;
  const std::vector<std::vector<float>>& edges_;
  int nf_, nb_;
  const GbdtParams& p_;
  std::vector<uint32_t> scratch_;
};

// LambdaRank gradients (as loss gradients: negative pushes a score up) of one group.
void group_lambdas(const RankingData& d, const std::vector<double>& scores, uint32_t begin, uint32_t end, double idcg,
                   std::vector<uint32_t>& order, std::vector<float>& g, std::vector<float>& h) {
  order_group(scores, begin, end, order);
  const size_t n = order.size();
  for (size_t a = 0; a < n; ++a) {
    const uint32_t i = order[a];
    if (d.label[i] <= 0) continue;
    const double gain_i = std::exp2(d.label[i]), disc_a = discount_at(a);
    double gi = 0, hi = 0;
    for (size_t b = 0; b < n; ++b) {
      const uint32_t j = order[b];
      if (d.label[j] >= d.label[i]) continue;
      double delta = std::fabs((gain_i - std::exp2(d.label[j])) * (disc_a - discount_at(b))) / idcg;
      double rho = 1.0 / (1.0 + std::exp(scores[i] - scores[j]));
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

std::vector<uint8_t> bin_rows(const RankingData& d, const std::vector<std::vector<float>>& edges) {
  std::vector<uint8_t> bins(d.rows() * static_cast<size_t>(d.num_features));
  for (size_t r = 0; r < d.rows(); ++r)
    for (int f = 0; f < d.num_features; ++f) {
      const auto& e = edges[static_cast<size_t>(f)];
      bins[r * static_cast<size_t>(d.num_features) + static_cast<size_t>(f)] =
          static_cast<uint8_t>(std::lower_bound(e.begin(), e.end(), d.row(r)[f]) - e.begin());
    }
  return bins;
}

}  // namespace

double mean_ndcg(const RankingData& data, const std::vector<double>& scores, int k) {
  double total = 0;
  size_t counted = 0;
  std::vector<uint32_t> order;
  for (size_t gi = 0; gi < data.groups(); ++gi) {
    uint32_t b = data.group_start[gi], e = data.group_start[gi + 1];
    double idcg = ideal_dcg(data, b, e, k);
    if (idcg <= 0) continue;
    order_group(scores, b, e, order);
    double dcg = 0;
    for (size_t i = 0; i < order.size() && i < static_cast<size_t>(k); ++i)
      dcg += (std::exp2(data.label[order[i]]) - 1.0) * discount_at(i);
    total += dcg / idcg;
    ++counted;
  }
  return counted ? total / static_cast<double>(counted) : 0.0;
}

Ensemble train_lambdamart(const RankingData& train, const RankingData* valid, const GbdtParams& p,
                          TrainReport* report) {
  Ensemble model;
  model.num_features = train.num_features;
  if (train.rows() == 0) return model;
  const int nb = std::min(p.max_bins, 255) + 1;
  const auto edges = bin_edges(train, std::min(p.max_bins, 255));
  const std::vector<uint8_t> bins = bin_rows(train, edges);
  std::vector<double> idcg(train.groups());
  for (size_t gi = 0; gi < train.groups(); ++gi)
    idcg[gi] = ideal_dcg(train, train.group_start[gi], train.group_start[gi + 1], 0);

  std::vector<double> scores(train.rows(), 0.0), vscores(valid ? valid->rows() : 0, 0.0);
  std::vector<float> g(train.rows()), h(train.rows());
  std::vector<uint32_t> rows, order;
  SplitMix64 rng{p.seed};
  TreeBuilder builder(bins, edges, train.num_features, nb, p);
  double best = -1;
  size_t best_trees = 0;
  for (int t = 0; t < p.max_trees; ++t) {
    std::fill(g.begin(), g.end(), 0.f);
    std::fill(h.begin(), h.end(), 0.f);
    rows.clear();
    for (size_t gi = 0; gi < train.groups(); ++gi) {
      bool take = rng.uniform() < p.group_subsample;
      if (!take || idcg[gi] <= 0) continue;
      uint32_t b = train.group_start[gi], e = train.group_start[gi + 1];
      group_lambdas(train, scores, b, e, idcg[gi], order, g, h);
      for (uint32_t r = b; r < e; ++r) rows.push_back(r);
    }
    if (rows.empty()) break;
    Tree tree = builder.build(rows, g, h);
    for (size_t r = 0; r < train.rows(); ++r) scores[r] += tree.predict(train.row(r));
    model.trees.push_back(std::move(tree));
    if (valid == nullptr) continue;
    for (size_t r = 0; r < valid->rows(); ++r) vscores[r] += model.trees.back().predict(valid->row(r));
    double ndcg = mean_ndcg(*valid, vscores, p.eval_at);
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
