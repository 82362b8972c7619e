// Tests of quickstart's step times (report/quickstart_output.h): every step named with its wall
// and CPU seconds, steps 2-4 as one overlapped stretch when they ran beside each other, and a total
// that counts that stretch once.
#include "report/quickstart_output.h"

#include <gtest/gtest.h>

namespace pt {
namespace {

QuickstartResult timed(bool overlapped) {
  QuickstartResult r;
  r.step_times = {Elapsed{3.0, 4.0}, Elapsed{2.0, 9.0}, Elapsed{1.0, 9.0},
                  Elapsed{6.0, 9.0}, Elapsed{1.0, 1.0}, Elapsed{0.5, 0.5}};
  if (overlapped) r.overlapped = Elapsed{6.5, 12.0};
  return r;
}

TEST(QuickstartTimes, InTurnEveryStepHasWallAndCpuAndTheTotalIsTheirSum) {
  std::string s = format_quickstart_times(timed(false));
  EXPECT_NE(s.find("import git 3.0/4.0 · relabel 2.0/9.0 · collect 1.0/9.0 · student train 6.0/9.0 · "
                   "eval relabel 1.0/1.0 · score 0.5/0.5 · total 13.5/32.5"),
            std::string::npos)
      << s;
}

TEST(QuickstartTimes, OverlappedStepsCountOnceInTheTotal) {
  std::string s = format_quickstart_times(timed(true));
  EXPECT_NE(s.find("relabel 2.0 · collect 1.0 · student train 6.0 (steps 2-4 together 6.5/12.0) · "
                   "eval relabel 1.0/1.0 · score 0.5/0.5 · total 11.0/17.5"),
            std::string::npos)
      << s;
}

}  // namespace
}  // namespace pt
