// Test helper: under CI=true (or CI=1) a test that needs a service or tool that is missing
// (PostgreSQL, Chromium) must fail, not skip — a skip reads as green in CI. Local runs skip with
// one line. Use PT_SKIP_UNLESS_CI("why") at the top of such a test.
#pragma once
#include <cstdlib>
#include <string>

namespace pt_test {

inline bool ci_run() {
  const char* ci = std::getenv("CI");
  return ci && (std::string(ci) == "true" || std::string(ci) == "1");
}

}  // namespace pt_test

#define PT_SKIP_UNLESS_CI(why)                                                       \
  do {                                                                               \
    if (pt_test::ci_run()) FAIL() << (why) << " (CI=true: a missing service fails)"; \
    GTEST_SKIP() << (why);                                                           \
  } while (0)
