// Unit tests for ranker/tree_builder.h: shards are whole groups of about equal rows, and
// for_shards visits every shard once for any thread count.
#include "ranker/tree_builder.h"

#include <gtest/gtest.h>

#include <atomic>

namespace pt::ranker::tree {
namespace {

TEST(TreeShards, WholeGroupsOfAboutEqualRows) {
  std::vector<uint32_t> start = {0};
  for (int g = 0; g < 100; ++g) start.push_back(start.back() + 10 + static_cast<uint32_t>(g % 7));
  const std::vector<uint32_t> first = make_shards(start);
  ASSERT_EQ(first.size(), kShards + 1);
  EXPECT_EQ(first.front(), 0u);
  EXPECT_EQ(first.back(), 100u);
  for (size_t s = 0; s < kShards; ++s) {
    ASSERT_LE(first[s], first[s + 1]);
    const uint32_t rows = start[first[s + 1]] - start[first[s]];
    EXPECT_NEAR(static_cast<double>(rows), start.back() / static_cast<double>(kShards), 17.0) << s;
  }
}

TEST(TreeShards, FewerGroupsThanShardsLeaveShardsEmpty) {
  const std::vector<uint32_t> first = make_shards({0, 5, 500, 510});
  ASSERT_EQ(first.size(), kShards + 1);
  size_t groups = 0;
  for (size_t s = 0; s < kShards; ++s) groups += first[s + 1] - first[s];
  EXPECT_EQ(groups, 3u);
  EXPECT_EQ(first.back(), 3u);
  EXPECT_EQ(make_shards({0}).back(), 0u);  // no groups at all
}

TEST(TreeShards, ForShardsVisitsEveryShardOnceForAnyThreadCount) {
  for (unsigned threads : {1u, 2u, 3u, 8u, 12u}) {
    WorkSplit pool(threads);
    std::vector<std::atomic<int>> seen(kShards);
    for_shards(pool, [&](size_t s) { seen[s].fetch_add(1); });
    for (size_t s = 0; s < kShards; ++s) EXPECT_EQ(seen[s].load(), 1) << threads << " " << s;
  }
}

}  // namespace
}  // namespace pt::ranker::tree
