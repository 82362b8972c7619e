// Progress of a long run (issue 20): the pipeline reports how far it is into a Progress object and
// never prints; the CLI hands it a ProgressPrinter, which draws a bar with rate and ETA on a
// terminal (redrawn in place) and, elsewhere (logs, CI), one plain line every few seconds. A run
// shorter than that prints nothing off a terminal.
#pragma once
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>

namespace pt {

class Progress {
 public:
  virtual ~Progress() = default;
  // The counted work starts now (a run made after other work: rates and ETA count from here).
  virtual void begin() {}
  // `done` units so far out of `total` (0: total unknown).
  virtual void update(int64_t done, int64_t total) = 0;
  // The run ended having done `done` units.
  virtual void finish(int64_t done) = 0;
};

class ProgressPrinter final : public Progress {
 public:
  using Clock = std::function<double()>;  // seconds, monotonic
  // `label` names the run ("import git"), `unit` what is counted ("commits").
  ProgressPrinter(std::FILE* out, std::string label, std::string unit, bool tty, double every_s = 5.0,
                  Clock clock = {});
  void begin() override;
  void update(int64_t done, int64_t total) override;
  void finish(int64_t done) override;

  // "import git: 120/300 commits (40%), 55.0 commits/s, ETA 3 s" (no total: "120 commits, 55.0 commits/s").
  static std::string plain_line(const std::string& label, const std::string& unit, int64_t done, int64_t total,
                                double elapsed_s);
  // "import git [########            ]  40%  120/300 commits  55.0/s  ETA 3 s" (no total: no bar).
  static std::string bar_line(const std::string& label, const std::string& unit, int64_t done, int64_t total,
                              double elapsed_s);

 private:
  std::FILE* out_;
  std::string label_, unit_;
  bool tty_;
  double every_s_;
  Clock clock_;
  double start_ = 0, last_ = 0;
  bool printed_ = false, finished_ = false;
  int64_t total_ = 0;
  std::mutex mu_;
};

// True when the file is a terminal.
bool is_terminal(std::FILE* f);

}  // namespace pt
