// util/parallel_for: every index is run exactly once, whatever the thread count, and none when
// the range is empty.
#include "util/parallel_for.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

TEST(ParallelFor, RunsEveryIndexExactlyOnce) {
  for (unsigned threads : {0u, 1u, 2u, 8u}) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{3}, size_t{1000}}) {
      std::vector<std::atomic<int>> runs(n);
      pt::parallel_for(n, threads, [&](size_t i) { runs[i].fetch_add(1); });
      for (size_t i = 0; i < n; ++i)
        EXPECT_EQ(runs[i].load(), 1) << "threads " << threads << ", n " << n << ", i " << i;
    }
  }
}
