// Implementation of util/stopwatch.h: CLOCK_MONOTONIC and getrusage (self + children).
#include "util/stopwatch.h"

#include <sys/resource.h>

#include <ctime>
#include <initializer_list>

namespace pt {
namespace {

double wall_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; }

double cpu_now() {
  double total = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage u{};
    if (::getrusage(who, &u) == 0) total += seconds(u.ru_utime) + seconds(u.ru_stime);
  }
  return total;
}

}  // namespace

Stopwatch::Stopwatch() : wall0_(wall_now()), cpu0_(cpu_now()) {}

Elapsed Stopwatch::elapsed() const { return Elapsed{wall_now() - wall0_, cpu_now() - cpu0_}; }

}  // namespace pt
