// Implementation of ranker/gbdt.h.
#include "ranker/gbdt.h"

#include <algorithm>
#include <cmath>
#include <numeric>

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
  // `bins`: row-major bin numbers (histograms read a row's features together); `columns`: the same
  // feature-major (partitions read one feature of ascending rows).
  TreeBuilder(const std::vector<uint8_t>& bins, const std::vector<uint8_t>& columns,
              const std::vector<std::vector<float>>& edges, int nf, int nbins, const GbdtParams& p, WorkSplit& pool)
      : bins_(bins),
        columns_(columns),
        edges_(edges),
        nf_(nf),
        nb_(nbins),
        p_(p),
        pool_(pool),
        best_(2 * static_cast<size_t>(nf)) {}

  Tree build(std::vector<uint32_t>& rows, const std::vector<float>& g, const std::vector<float>& h) {
    Tree tree;
    tree.nodes.emplace_back();
    std::vector<Leaf> leaves;
    leaves.push_back(make_leaf(0, static_cast<uint32_t>(rows.size()), 0, 0));
    build_hist(leaves[0], rows, g, h);
    find_splits(&leaves[0], nullptr);
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

  // Histograms of fixed-size row chunks, then added up in chunk order per bin: the sums depend on
  // the chunk size, never on the thread count or scheduling. A leaf of few chunks is also split by
  // feature (each work item fills the bins of its own features over the chunk's rows, in row
  // order), so small leaves use every thread too; the feature split does not change any sum.
  void build_hist(Leaf& l, const std::vector<uint32_t>& rows, const std::vector<float>& g,
                  const std::vector<float>& h) {
    const size_t nf = static_cast<size_t>(nf_), nb = static_cast<size_t>(nb_), bins = nf * nb;
    const size_t len = l.end - l.begin, chunks = (len + kHistChunk - 1) / kHistChunk;
    const size_t want = pool_.threads() > 1 ? 4 * static_cast<size_t>(pool_.threads()) : 1;
    const size_t per_block =
        chunks >= want ? nf : (nf + (want + chunks - 1) / chunks - 1) / ((want + chunks - 1) / chunks);
    const size_t fblocks = (nf + per_block - 1) / per_block;  // the last block may be smaller
    if (chunks > 1) {
      if (chunk_hist_.size() < chunks) chunk_hist_.resize(chunks);
      for (size_t c = 0; c < chunks; ++c) chunk_hist_[c].resize(bins);
    }
    chunk_gh_.assign(chunks, {0.0, 0.0});
    pool_.run(chunks * fblocks, 1, [&](size_t k0, size_t k1, unsigned) {
      for (size_t k = k0; k < k1; ++k) {
        const size_t c = k / fblocks, f0 = (k % fblocks) * per_block, f1 = std::min(nf, f0 + per_block);
        HistBin* hist = chunks > 1 ? chunk_hist_[c].data() : l.hist.data();
        std::fill(hist + f0 * nb, hist + f1 * nb, HistBin{});
        const size_t i0 = l.begin + c * kHistChunk, i1 = std::min<size_t>(l.end, i0 + kHistChunk);
        if (f0 == 0) {
          auto& [cg, ch] = chunk_gh_[c];
          for (size_t i = i0; i < i1; ++i) {
            cg += g[rows[i]];
            ch += h[rows[i]];
          }
        }
        for (size_t i = i0; i < i1; ++i) {
          const uint32_t r = rows[i];
          const uint8_t* b = bins_.data() + static_cast<size_t>(r) * nf;
          const double gr = g[r], hr = h[r];
          for (size_t f = f0; f < f1; ++f) {
            HistBin& hb = hist[f * nb + b[f]];
            hb.g += gr;
            hb.h += hr;
            ++hb.n;
          }
        }
      }
    });
    if (chunks > 1) {
      pool_.run(bins, 256, [&](size_t k0, size_t k1, unsigned) {
        for (size_t k = k0; k < k1; ++k) {
          HistBin sum;
          for (size_t c = 0; c < chunks; ++c) {
            sum.g += chunk_hist_[c][k].g;
            sum.h += chunk_hist_[c][k].h;
            sum.n += chunk_hist_[c][k].n;
          }
          l.hist[k] = sum;
        }
      });
    }
    for (const auto& [cg, ch] : chunk_gh_) {
      l.g += cg;
      l.h += ch;
    }
  }

  // The best split of each leaf's features (own slot; the two new leaves of a split are searched
  // in one pass over the threads), then per leaf the best of those in feature order.
  void find_splits(Leaf* a, Leaf* b) {
    Leaf* leaves[2] = {a, b};
    const size_t nf = static_cast<size_t>(nf_), count = b ? 2 : 1;
    best_.assign(count * nf, Split{});
    const size_t block = pool_.threads() > 1 ? 8 : count * nf;
    pool_.run(count * nf, block, [&](size_t k0, size_t k1, unsigned) {
      for (size_t k = k0; k < k1; ++k) {
        const Leaf& l = *leaves[k / nf];
        if (l.depth >= p_.max_depth) continue;
        const size_t fi = k % nf;
        const int f = static_cast<int>(fi);
        const uint32_t n = l.end - l.begin;
        const double parent = l.g * l.g / (l.h + p_.l2);
        Split& best = best_[k];
        const int nbins = static_cast<int>(edges_[fi].size());  // splits after bins 0..nbins-1
        double gl = 0, hl = 0;
        uint32_t nl = 0;
        for (int bin = 0; bin < nbins; ++bin) {
          const HistBin& hb = l.hist[static_cast<size_t>(f * nb_ + bin)];
          gl += hb.g;
          hl += hb.h;
          nl += hb.n;
          if (nl < static_cast<uint32_t>(p_.min_leaf_rows)) continue;
          if (n - nl < static_cast<uint32_t>(p_.min_leaf_rows)) break;
          double gr = l.g - gl, hr = l.h - hl;
          if (hl < p_.min_leaf_hessian || hr < p_.min_leaf_hessian) continue;
          double gain = gl * gl / (hl + p_.l2) + gr * gr / (hr + p_.l2) - parent;
          if (gain > best.gain + 1e-12) best = {gain, f, bin};
        }
      }
    });
    for (size_t i = 0; i < count; ++i) {
      Leaf& l = *leaves[i];
      l.split = {};
      for (size_t fi = 0; fi < nf; ++fi) {
        const Split& s = best_[i * nf + fi];
        if (s.feature >= 0 && s.gain > l.split.gain + 1e-12) l.split = s;
      }
    }
  }

  // Stable partition of rows[begin, end): rows going left (bin <= b) keep their order, then the
  // rows going right. Chunks are partitioned in parallel, then copied back in parallel to their
  // places (left parts in chunk order, then right parts): the same order as one pass for any
  // chunk size, so the chunks are sized to give every thread work.
  uint32_t partition(std::vector<uint32_t>& rows, uint32_t begin, uint32_t end, int f, int b) {
    const size_t len = end - begin, threads = pool_.threads();
    const size_t block = threads > 1 ? std::max(kPartitionMinChunk, len / (4 * threads) + 1) : std::max<size_t>(len, 1);
    const size_t chunks = (len + block - 1) / block;
    if (parts_.size() < chunks) parts_.resize(chunks);
    const uint8_t* column = columns_.data() + static_cast<size_t>(f) * (columns_.size() / static_cast<size_t>(nf_));
    pool_.run(len, block, [&](size_t c0, size_t c1, unsigned) {
      auto& [left, right] = parts_[c0 / block];
      left.clear();
      right.clear();
      for (size_t k = begin + c0; k < begin + c1; ++k) {
        const uint32_t r = rows[k];
        (column[r] <= b ? left : right).push_back(r);
      }
    });
    part_at_.resize(chunks);
    size_t at = begin;
    for (size_t c = 0; c < chunks; ++c) {
      part_at_[c].first = at;
      at += parts_[c].first.size();
    }
    const uint32_t m = static_cast<uint32_t>(at);
    for (size_t c = 0; c < chunks; ++c) {
      part_at_[c].second = at;
      at += parts_[c].second.size();
    }
    pool_.run(chunks, 1, [&](size_t c0, size_t c1, unsigned) {
      for (size_t c = c0; c < c1; ++c) {
        std::copy(parts_[c].first.begin(), parts_[c].first.end(),
                  rows.begin() + static_cast<ptrdiff_t>(part_at_[c].first));
        std::copy(parts_[c].second.begin(), parts_[c].second.end(),
                  rows.begin() + static_cast<ptrdiff_t>(part_at_[c].second));
      }
    });
    return m;
  }

  void split_leaf(Tree& tree, std::vector<Leaf>& leaves, size_t which, std::vector<uint32_t>& rows,
                  const std::vector<float>& g, const std::vector<float>& h) {
    Leaf parent = std::move(leaves[which]);
    const int f = parent.split.feature, b = parent.split.bin;
    const uint32_t m = partition(rows, parent.begin, parent.end, f, b);
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
    find_splits(&left, &right);
    leaves[which] = std::move(left);
    leaves.push_back(std::move(right));
  }

  const std::vector<uint8_t>& bins_;
  const std::vector<uint8_t>& columns_;
  const std::vector<std::vector<float>>& edges_;
  int nf_, nb_;
  const GbdtParams& p_;
  WorkSplit& pool_;
  std::vector<Split> best_;  // per leaf searched and feature
  static constexpr size_t kHistChunk = 8192, kPartitionMinChunk = 2048;
  std::vector<std::vector<HistBin>> chunk_hist_;
  std::vector<std::pair<double, double>> chunk_gh_;                             // per chunk: sums of g and h
  std::vector<std::pair<std::vector<uint32_t>, std::vector<uint32_t>>> parts_;  // per chunk: left, right
  std::vector<std::pair<size_t, size_t>> part_at_;  // per chunk: where its left and right rows go
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

// NDCG@k of one group, or -1 when it has no relevant row.
double group_ndcg(const RankingData& data, const std::vector<double>& scores, size_t gi, int k, double idcg,
                  std::vector<uint32_t>& order) {
  uint32_t b = data.group_start[gi], e = data.group_start[gi + 1];
  if (idcg <= 0) return -1;
  order_group(scores, b, e, order);
  double dcg = 0;
  for (size_t i = 0; i < order.size() && i < static_cast<size_t>(k); ++i)
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

// mean_ndcg with the groups spread over the pool, summed in group order.
double mean_ndcg_on(const RankingData& data, const std::vector<double>& scores, int k, const std::vector<double>& idcg,
                    WorkSplit& pool) {
  std::vector<double> per(data.groups());
  pool.run(per.size(), 64, [&](size_t g0, size_t g1, unsigned) {
    std::vector<uint32_t> order;
    for (size_t gi = g0; gi < g1; ++gi) per[gi] = group_ndcg(data, scores, gi, k, idcg[gi], order);
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
  return mean_ndcg_on(data, scores, k, ideal_dcgs(data, k, one), one);
}

Ensemble train_lambdamart(const RankingData& train, const RankingData* valid, const GbdtParams& p, TrainReport* report,
                          const std::function<void(int)>& on_tree) {
  Ensemble model;
  model.num_features = train.num_features;
  if (train.rows() == 0) return model;
  const int nb = std::min(p.max_bins, 255) + 1;
  WorkSplit pool(static_cast<unsigned>(std::max(p.threads, 1)));
  const auto edges = bin_edges(train, std::min(p.max_bins, 255), pool);
  const std::vector<uint8_t> bins = bin_rows(train, edges, pool);
  const std::vector<uint8_t> columns = transpose(bins, train.rows(), static_cast<size_t>(train.num_features), pool);
  const std::vector<double> idcg = ideal_dcgs(train, 0, pool);
  const std::vector<double> valid_idcg = valid ? ideal_dcgs(*valid, p.eval_at, pool) : std::vector<double>();

  std::vector<double> scores(train.rows(), 0.0), vscores(valid ? valid->rows() : 0, 0.0);
  std::vector<float> g(train.rows()), h(train.rows());
  std::vector<uint32_t> rows, taken;
  SplitMix64 rng{p.seed};
  TreeBuilder builder(bins, columns, edges, train.num_features, nb, p, pool);
  double best = -1;
  size_t best_trees = 0;
  for (int t = 0; t < p.max_trees; ++t) {
    rows.clear();
    taken.clear();
    for (size_t gi = 0; gi < train.groups(); ++gi) {
      bool take = rng.uniform() < p.group_subsample;
      if (!take || idcg[gi] <= 0) continue;
      taken.push_back(static_cast<uint32_t>(gi));
      const size_t at = rows.size();
      rows.resize(at + (train.group_start[gi + 1] - train.group_start[gi]));
      std::iota(rows.begin() + static_cast<ptrdiff_t>(at), rows.end(), train.group_start[gi]);
    }
    if (rows.empty()) break;
    // Each group writes the gradients of its own rows only (the trees read only taken rows).
    pool.run(taken.size(), 16, [&](size_t t0, size_t t1, unsigned) {
      std::vector<uint32_t> order;
      for (size_t k = t0; k < t1; ++k) {
        const uint32_t gi = taken[k];
        std::fill(g.begin() + train.group_start[gi], g.begin() + train.group_start[gi + 1], 0.f);
        std::fill(h.begin() + train.group_start[gi], h.begin() + train.group_start[gi + 1], 0.f);
        group_lambdas(train, scores, train.group_start[gi], train.group_start[gi + 1], idcg[gi], order, g, h);
      }
    });
    Tree tree = builder.build(rows, g, h);
    add_tree(tree, train, scores, pool);
    model.trees.push_back(std::move(tree));
    if (on_tree) on_tree(static_cast<int>(model.trees.size()));
    if (valid == nullptr) continue;
    add_tree(model.trees.back(), *valid, vscores, pool);
    double ndcg = mean_ndcg_on(*valid, vscores, p.eval_at, valid_idcg, pool);
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
