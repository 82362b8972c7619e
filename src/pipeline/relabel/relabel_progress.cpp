// Implementation of pipeline/relabel/relabel_progress.h.
#include "pipeline/relabel/relabel_progress.h"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "pipeline/relabel/relabel_item.h"

namespace pt {

std::string format_duration(double seconds) {
  if (seconds < 0 || seconds > 1e9) return "?";
  auto s = static_cast<int64_t>(seconds + 0.5);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}:{:02}", s / 60, s % 60);
  return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
}

RelabelProgress::RelabelProgress(std::FILE* out, int tty, double interval_s, int64_t total)
    : out_(out), interval_s_(interval_s), total_(total), start_ms_(steady_ms()) {
  if (out_) tty_ = tty < 0 ? isatty(fileno(out_)) != 0 : tty == 1;
  last_draw_ms_ = start_ms_;
}

std::string RelabelProgress::line(int64_t done, int64_t failed, double cost, double elapsed) const {
  int64_t finished = done + failed;
  double rate = elapsed > 0 ? static_cast<double>(finished) / elapsed : 0;
  double eta = rate > 0 ? static_cast<double>(total_ - finished) / rate : -1;
  std::string failed_part = failed ? fmt::format(", {} failed", failed) : "";
  if (!tty_)
    return fmt::format("relabel: {}/{} done{}, {:.1f}/s, ETA {}, ${:.4f}", done, total_, failed_part, rate,
                       format_duration(eta), cost);
  constexpr int kWidth = 24;
  int filled = total_ > 0 ? static_cast<int>(kWidth * std::min<double>(1.0, double(finished) / double(total_))) : 0;
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '-');
  return fmt::format("[{}] {}/{}{} {:.1f}/s ETA {} ${:.4f}", bar, done, total_, failed_part, rate, format_duration(eta),
                     cost);
}

void RelabelProgress::update(int64_t done, int64_t failed, double cost, bool force) {
  if (!out_) return;
  int64_t now = steady_ms();
  int64_t period = tty_ ? 100 : static_cast<int64_t>(interval_s_ * 1000);
  if (!force && now - last_draw_ms_ < period) return;
  last_draw_ms_ = now;
  double elapsed = static_cast<double>(now - start_ms_) / 1000.0;
  if (tty_)
    std::fprintf(out_, "\r\033[K%s", line(done, failed, cost, elapsed).c_str());
  else
    std::fprintf(out_, "%s\n", line(done, failed, cost, elapsed).c_str());
  std::fflush(out_);
  drawn_ = true;
}

void RelabelProgress::finish(int64_t done, int64_t failed, double cost) {
  if (!out_) return;
  if (tty_) {
    update(done, failed, cost, true);
    std::fputc('\n', out_);
    std::fflush(out_);
  }
}

}  // namespace pt
