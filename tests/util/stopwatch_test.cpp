// Tests of util/stopwatch.h: busy work shows as CPU time, sleeping as wall time only.
#include "util/stopwatch.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace pt {
namespace {

TEST(Stopwatch, CountsWallAndCpuSeparately) {
  Stopwatch w;
  volatile unsigned spin = 0;
  Stopwatch busy;
  while (busy.elapsed().cpu_s < 0.05) spin = spin + 1;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Elapsed e = w.elapsed();
  EXPECT_GE(e.cpu_s, 0.05);
  EXPECT_GE(e.wall_s, e.cpu_s + 0.09);  // the sleep adds wall time, no CPU
}

}  // namespace
}  // namespace pt
