// Unit tests for ranker/work_split.h: every item of the range is visited exactly once, in the same
// blocks for any thread count, thread ids stay in range, and the pool can be reused for many runs.
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

}  // namespace
}  // namespace pt::ranker
