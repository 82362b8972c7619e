// Grows one LambdaMART regression tree leaf-wise on binned features (used by ranker/gbdt.cpp).
// The sampled rows live in kShards fixed shards of whole groups; each shard partitions its own rows
// and builds its own histogram of a split's smaller child, and the shard histograms are added up in
// shard order. Every sum therefore has one fixed order: the same rows, gradients and parameters
// give the same tree for any thread count; each shard's rows, scratch and histogram sit on their own
// cache lines, so threads working on different shards never share one.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ranker/gbdt.h"
#include "ranker/work_split.h"

namespace pt::ranker::tree {

inline constexpr size_t kShards = 8;

// The first group of each shard and the end: kShards + 1 group indices, shards of about equal rows.
std::vector<uint32_t> make_shards(const std::vector<uint32_t>& group_start);

// Calls fn(s) for every shard s < kShards, each shard one work item for whichever thread is free
// (a thread that the machine runs late or slowly takes fewer shards; no sum depends on who ran it).
template <typename Fn>
void for_shards(WorkSplit& pool, Fn&& fn) {
  pool.run(kShards, 1, [&](size_t s0, size_t s1, unsigned) {
    for (size_t s = s0; s < s1; ++s) fn(s);
  });
}

struct HistBin {
  double g = 0, h = 0;
  uint32_t n = 0;
};

// One shard's rows and scratch space, on its own cache lines.
struct alignas(64) Shard {
  std::vector<uint32_t> rows;     // this tree's rows, ordered leaf by leaf
  std::vector<uint32_t> scratch;  // right-going rows while a leaf is partitioned
  std::vector<HistBin> hist;      // histogram of the last split's smaller child over this shard
  bool hist_empty = true;         // the smaller child has no row in this shard
  double g = 0, h = 0;            // sums of the smaller child's gradients and hessians here
};

class TreeBuilder {
 public:
  // `bins`: row-major bin numbers (histograms read a row's features together); `columns`: the same
  // feature-major (partitions read one feature of many rows). Both outlive the builder.
  TreeBuilder(const std::vector<uint8_t>& bins, const std::vector<uint8_t>& columns,
              const std::vector<std::vector<float>>& edges, int num_features, int num_bins, const GbdtParams& p,
              WorkSplit& pool);

  // The shards; the caller fills each shard's `rows` before build().
  Shard& shard(size_t s) { return shards_[s]; }

  // Grows a tree on the rows of all shards with gradients g and hessians h (indexed by row).
  // Reorders each shard's rows.
  Tree build(const std::vector<float>& g, const std::vector<float>& h);

 private:
  struct Split {
    double gain = 0;
    int feature = -1;
    int bin = -1;
  };
  struct Leaf {
    std::array<uint32_t, kShards> begin{}, end{};  // range in each shard's rows
    uint32_t rows = 0;
    int depth = 0;
    int32_t node = 0;
    std::vector<HistBin> hist;
    double g = 0, h = 0;
    Split split;
  };

  std::vector<HistBin> take_hist();
  // The sums of g and h over sh.rows[begin, end) and, `with_hist`, their histogram.
  void shard_hist(Shard& sh, uint32_t begin, uint32_t end, const std::vector<float>& g, const std::vector<float>& h,
                  bool with_hist);
  // small.hist = the shards' histograms in shard order; large.hist = parent - small (when given);
  // then the best split of every feature of both, one feature per work item.
  void merge_and_search(Leaf& small, Leaf* large, const Leaf* parent);
  void search(const Leaf& l, size_t f, Split& best) const;
  void split_leaf(Tree& tree, std::vector<Leaf>& leaves, size_t which, const std::vector<float>& g,
                  const std::vector<float>& h);

  const std::vector<uint8_t>& bins_;
  const std::vector<uint8_t>& columns_;
  const std::vector<std::vector<float>>& edges_;
  size_t nf_, nb_, total_rows_;
  const GbdtParams& p_;
  WorkSplit& pool_;
  std::vector<Shard> shards_;
  std::vector<Split> best_;                  // per leaf searched (2) and feature
  std::vector<std::vector<HistBin>> spare_;  // leaf histograms to reuse
};

}  // namespace pt::ranker::tree
