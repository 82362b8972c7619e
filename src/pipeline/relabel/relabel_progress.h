// Relabel progress on stderr: a live one-line bar on a terminal (done/total, rate, ETA, dollars so
// far), redrawn at most 10 times a second; plain periodic lines when stderr is not a terminal.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

namespace pt {

class RelabelProgress {
 public:
  // tty: 1 bar, 0 plain lines, -1 decide by isatty(fileno(out)). out == nullptr: silent.
  RelabelProgress(std::FILE* out, int tty, double interval_s, int64_t total);
  // Called often; draws only when due (or when force is set).
  void update(int64_t done, int64_t failed, double cost_usd, bool force = false);
  // Final draw; ends the bar's line so later output starts clean.
  void finish(int64_t done, int64_t failed, double cost_usd);
  bool is_tty() const { return tty_; }

 private:
  std::string line(int64_t done, int64_t failed, double cost_usd, double elapsed) const;
  std::FILE* out_;
  bool tty_ = false;
  double interval_s_;
  int64_t total_;
  int64_t start_ms_;
  int64_t last_draw_ms_ = 0;
  bool drawn_ = false;
};

// "1:02:03" / "2:03" / "45s".
std::string format_duration(double seconds);

}  // namespace pt
