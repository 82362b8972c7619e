// Relabel progress for the terminal: a live one-line bar (done/total, rate, ETA, dollars so far),
// redrawn at most 10 times a second, or plain periodic lines when the output is not a terminal.
// It draws the ticks the relabel engine reports through RelabelOptions::on_progress.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

#include "pipeline/relabel/relabel.h"

namespace pt {

class RelabelProgressBar {
 public:
  // tty: 1 bar, 0 plain lines, -1 decide by isatty(fileno(out)).
  RelabelProgressBar(std::FILE* out, int tty, double interval_s);
  // Draws when due; a final tick ends the bar's line. A tick after a final one starts a new run.
  void operator()(const RelabelTick& tick);
  bool is_tty() const { return tty_; }

 private:
  std::string line(const RelabelTick& t, double elapsed) const;
  void draw(const RelabelTick& t, int64_t now);
  std::FILE* out_;
  bool tty_ = false;
  double interval_s_;
  int64_t start_ms_ = 0;
  int64_t last_draw_ms_ = 0;
  bool running_ = false;  // a run has started and not yet finished
};

// "1:02:03" / "2:03" / "45s".
std::string format_duration(double seconds);

}  // namespace pt
