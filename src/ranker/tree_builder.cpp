// Implementation of ranker/tree_builder.h: the root's histogram per shard, then leaf by leaf the
// best leaf is split: each shard stable-partitions its part of the leaf and histograms the smaller
// child's rows; one pass per feature adds the shard histograms up, derives the larger child's as
// parent minus smaller, and searches both children's splits of that feature.
#include "ranker/tree_builder.h"

namespace pt::ranker::tree {

std::vector<uint32_t> make_shards(const std::vector<uint32_t>& group_start) {
  const size_t groups = group_start.size() - 1;
  const uint64_t rows = group_start.back();
  std::vector<uint32_t> first(kShards + 1, static_cast<uint32_t>(groups));
  first[0] = 0;
  size_t gi = 0;
  for (size_t s = 1; s < kShards; ++s) {
    const uint64_t want = rows * s / kShards;  // shard s starts at the first group starting at or after this row
    while (gi < groups && group_start[gi] < want) ++gi;
    first[s] = static_cast<uint32_t>(gi);
  }
  return first;
}

TreeBuilder::TreeBuilder(const std::vector<uint8_t>& bins, const std::vector<uint8_t>& columns,
                         const std::vector<std::vector<float>>& edges, int num_features, int num_bins,
                         const GbdtParams& p, WorkSplit& pool)
    : bins_(bins),
      columns_(columns),
      edges_(edges),
      nf_(static_cast<size_t>(num_features)),
      nb_(static_cast<size_t>(num_bins)),
      total_rows_(num_features > 0 ? bins.size() / static_cast<size_t>(num_features) : 0),
      p_(p),
      pool_(pool),
      shards_(kShards),
      best_(2 * static_cast<size_t>(num_features)) {}

std::vector<HistBin> TreeBuilder::take_hist() {
  if (spare_.empty()) return std::vector<HistBin>(nf_ * nb_);
  std::vector<HistBin> h = std::move(spare_.back());
  spare_.pop_back();
  return h;
}

void TreeBuilder::shard_hist(Shard& sh, uint32_t begin, uint32_t end, const std::vector<float>& g,
                             const std::vector<float>& h, bool with_hist) {
  sh.g = sh.h = 0;
  sh.hist_empty = !with_hist || begin == end;
  if (!sh.hist_empty) sh.hist.assign(nf_ * nb_, HistBin{});
  HistBin* hist = sh.hist.data();
  double sg = 0, shess = 0;
  for (uint32_t k = begin; k < end; ++k) {
    const uint32_t r = sh.rows[k];
    const double gr = g[r], hr = h[r];
    sg += gr;
    shess += hr;
    if (sh.hist_empty) continue;
    const uint8_t* b = bins_.data() + static_cast<size_t>(r) * nf_;
    for (size_t f = 0; f < nf_; ++f) {
      HistBin& hb = hist[f * nb_ + b[f]];
      hb.g += gr;
      hb.h += hr;
      ++hb.n;
    }
  }
  sh.g = sg;
  sh.h = shess;
}

void TreeBuilder::search(const Leaf& l, size_t f, Split& best) const {
  best = {};
  if (l.depth >= p_.max_depth) return;
  const double parent = l.g * l.g / (l.h + p_.l2);
  const int nbins = static_cast<int>(edges_[f].size());  // splits after bins 0..nbins-1
  const HistBin* hist = l.hist.data() + f * nb_;
  double gl = 0, hl = 0;
  uint32_t nl = 0;
  for (int bin = 0; bin < nbins; ++bin) {
    const HistBin& hb = hist[bin];
    gl += hb.g;
    hl += hb.h;
    nl += hb.n;
    if (nl < static_cast<uint32_t>(p_.min_leaf_rows)) continue;
    if (l.rows - nl < static_cast<uint32_t>(p_.min_leaf_rows)) break;
    const double gr = l.g - gl, hr = l.h - hl;
    if (hl < p_.min_leaf_hessian || hr < p_.min_leaf_hessian) continue;
    const double gain = gl * gl / (hl + p_.l2) + gr * gr / (hr + p_.l2) - parent;
    if (gain > best.gain + 1e-12) best = {gain, static_cast<int>(f), bin};
  }
}

void TreeBuilder::merge_and_search(Leaf& small, Leaf* large, const Leaf* parent) {
  small.g = small.h = 0;
  for (const Shard& sh : shards_) {
    small.g += sh.g;
    small.h += sh.h;
  }
  if (large) {
    large->g = parent->g - small.g;
    large->h = parent->h - small.h;
  }
  if (small.depth >= p_.max_depth) return;  // neither child can split: no histogram needed
  small.hist = take_hist();
  if (large) large->hist = take_hist();
  const size_t block = pool_.threads() > 1 ? 2 : nf_;
  pool_.run(nf_, block, [&](size_t f0, size_t f1, unsigned) {
    for (size_t f = f0; f < f1; ++f) {
      const size_t at = f * nb_, used = edges_[f].size() + 1;
      HistBin* out = small.hist.data() + at;
      std::fill(out, out + used, HistBin{});
      for (const Shard& sh : shards_) {
        if (sh.hist_empty) continue;
        const HistBin* in = sh.hist.data() + at;
        for (size_t bin = 0; bin < used; ++bin) {
          out[bin].g += in[bin].g;
          out[bin].h += in[bin].h;
          out[bin].n += in[bin].n;
        }
      }
      search(small, f, best_[f]);
      if (!large) continue;
      const HistBin* whole = parent->hist.data() + at;
      HistBin* rest = large->hist.data() + at;
      for (size_t bin = 0; bin < used; ++bin) {
        rest[bin].g = whole[bin].g - out[bin].g;
        rest[bin].h = whole[bin].h - out[bin].h;
        rest[bin].n = whole[bin].n - out[bin].n;
      }
      search(*large, f, best_[nf_ + f]);
    }
  });
  Leaf* searched[2] = {&small, large};
  for (size_t i = 0; i < (large ? 2u : 1u); ++i) {
    Split& pick = searched[i]->split;
    pick = {};
    for (size_t f = 0; f < nf_; ++f) {
      const Split& s = best_[i * nf_ + f];
      if (s.feature >= 0 && s.gain > pick.gain + 1e-12) pick = s;
    }
  }
}

void TreeBuilder::split_leaf(Tree& tree, std::vector<Leaf>& leaves, size_t which, const std::vector<float>& g,
                             const std::vector<float>& h) {
  Leaf parent = std::move(leaves[which]);
  const int f = parent.split.feature, b = parent.split.bin;
  uint32_t left_rows = 0;
  for (int bin = 0; bin <= b; ++bin)
    left_rows += parent.hist[static_cast<size_t>(f) * nb_ + static_cast<size_t>(bin)].n;
  const bool small_is_left = left_rows <= parent.rows - left_rows;
  const bool need_hist = parent.depth + 1 < p_.max_depth;
  const uint8_t* column = columns_.data() + static_cast<size_t>(f) * total_rows_;
  std::array<uint32_t, kShards> mid{};
  for_shards(pool_, [&](size_t s) {
    Shard& sh = shards_[s];
    const uint32_t begin = parent.begin[s], end = parent.end[s];
    uint32_t* rows = sh.rows.data();
    uint32_t* right = sh.scratch.data();
    uint32_t w = begin, nr = 0;
    for (uint32_t k = begin; k < end; ++k) {
      const uint32_t r = rows[k];
      if (column[r] <= b) {
        rows[w++] = r;
      } else {
        right[nr++] = r;
      }
    }
    std::copy(right, right + nr, rows + w);
    mid[s] = w;
    const uint32_t s0 = small_is_left ? begin : w, s1 = small_is_left ? w : end;
    shard_hist(sh, s0, s1, g, h, need_hist);
  });
  const int32_t li = static_cast<int32_t>(tree.nodes.size());
  tree.nodes.emplace_back();
  tree.nodes.emplace_back();
  TreeNode& node = tree.nodes[static_cast<size_t>(parent.node)];
  node.feature = f;
  node.threshold = edges_[static_cast<size_t>(f)][static_cast<size_t>(b)];
  node.left = li;
  node.right = li + 1;
  Leaf left, right;
  left.begin = parent.begin;
  left.end = mid;
  right.begin = mid;
  right.end = parent.end;
  left.rows = left_rows;
  right.rows = parent.rows - left_rows;
  left.depth = right.depth = parent.depth + 1;
  left.node = li;
  right.node = li + 1;
  Leaf& small = small_is_left ? left : right;
  Leaf& large = small_is_left ? right : left;
  merge_and_search(small, &large, &parent);
  spare_.push_back(std::move(parent.hist));
  leaves[which] = std::move(left);
  leaves.push_back(std::move(right));
}

Tree TreeBuilder::build(const std::vector<float>& g, const std::vector<float>& h) {
  Tree tree;
  tree.nodes.emplace_back();
  std::vector<Leaf> leaves(1);
  Leaf& root = leaves[0];
  for (size_t s = 0; s < kShards; ++s) {
    Shard& sh = shards_[s];
    if (sh.scratch.size() < sh.rows.size()) sh.scratch.resize(sh.rows.size());
    root.end[s] = static_cast<uint32_t>(sh.rows.size());
    root.rows += root.end[s];
  }
  for_shards(pool_, [&](size_t s) { shard_hist(shards_[s], 0, root.end[s], g, h, true); });
  merge_and_search(root, nullptr, nullptr);
  while (static_cast<int>(leaves.size()) < p_.max_leaves) {
    size_t best = leaves.size();
    for (size_t i = 0; i < leaves.size(); ++i)
      if (leaves[i].split.feature >= 0 && (best == leaves.size() || leaves[i].split.gain > leaves[best].split.gain))
        best = i;
    if (best == leaves.size()) break;
    split_leaf(tree, leaves, best, g, h);
  }
  for (Leaf& l : leaves) {
    tree.nodes[static_cast<size_t>(l.node)].value = static_cast<float>(-l.g / (l.h + p_.l2) * p_.learning_rate);
    if (!l.hist.empty()) spare_.push_back(std::move(l.hist));
  }
  return tree;
}

}  // namespace pt::ranker::tree
