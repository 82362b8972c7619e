// Wall and CPU time of a stretch of work: a Stopwatch started now reads the seconds elapsed on the
// monotonic clock and the CPU seconds this process (every thread, plus the child processes it has
// waited for, e.g. git) spent since. Used to record each step of a long run.
#pragma once

namespace pt {

struct Elapsed {
  double wall_s = 0;
  double cpu_s = 0;  // user + system, this process and its waited-for children
};

class Stopwatch {
 public:
  Stopwatch();
  Elapsed elapsed() const;

 private:
  double wall0_, cpu0_;
};

}  // namespace pt
