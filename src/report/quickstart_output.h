// What `picktune quickstart` prints on stdout: one short section per step ("[3/6] collect ...")
// as the step starts, what the step found when it ends, and where everything is at the end.
#pragma once
#include <cstdio>
#include <string>

#include "pipeline/quickstart/quickstart.h"

namespace pt {

// One line: each step's wall and CPU seconds and their sum ("step times (wall / CPU, s): import git
// 3.2/4.0 · ... · total 9.8/14.1").
std::string format_quickstart_times(const QuickstartResult& result);

class QuickstartPrinter : public QuickstartObserver {
 public:
  QuickstartPrinter(std::FILE* out, double holdout_newest) : out_(out), holdout_(holdout_newest) {}
  void step_started(QuickstartStep step) override;
  void step_done(QuickstartStep step, const QuickstartResult& result) override;

 private:
  std::FILE* out_;
  double holdout_;
};

}  // namespace pt
