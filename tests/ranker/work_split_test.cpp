// Unit tests for ranker/work_split.h: every item of the range is visited exactly once, in the same
// blocks for any thread count, thread ids stay in range, and the pool can be reused for many runs,
// short ones back to back included.
#include "ranker/work_split.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace pt::ranker {
namespace {

TEST(WorkSplit, VisitsEveryItemOnceAcrossRuns) {
  for (unsigned threads : {1u, 2u, 4u}) {
    WorkSplit pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (size_t n : {0ul, 1ul, 7ul, 1000ul, 12345ul}) {
      std::vector<std::atomic<int>> seen(n);
      std::atomic<bool> bad_thread{false};
      std::atomic<bool> bad_block{false};
      pool.run(n, 13, [&](size_t b, size_t e, unsigned t) {
        if (t >= threads) bad_thread = true;
        if (b % 13 != 0 || (e - b != 13 && e != n)) bad_block = true;
        for (size_t i = b; i < e; ++i) ++seen[i];
      });
      EXPECT_FALSE(bad_thread);
      EXPECT_FALSE(bad_block);
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(seen[i].load(), 1) << "n=" << n << " i=" << i;
    }
  }
}

// Many short runs back to back (workers join late, spin or sleep between runs): every run sees
// each of its items once and never an item of another run.
TEST(WorkSplit, ShortRunsBackToBack) {
  for (unsigned threads : {2u, 3u}) {
    WorkSplit pool(threads);
    std::vector<std::atomic<int>> seen(64);
    for (int run = 1; run <= 3000; ++run) {
      const size_t n = 1 + static_cast<size_t>(run) % 64;
      pool.run(n, 1 + static_cast<size_t>(run) % 3, [&](size_t b, size_t e, unsigned) {
        for (size_t i = b; i < e; ++i) seen[i].fetch_add(1);
      });
      for (size_t i = 0; i < seen.size(); ++i) {
        ASSERT_EQ(seen[i].load(), i < n ? 1 : 0) << "threads=" << threads << " run=" << run << " i=" << i;
        seen[i] = 0;
      }
    }
  }
}

}  // namespace
}  // namespace pt::ranker
