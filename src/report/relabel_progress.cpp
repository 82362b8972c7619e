// Implementation of report/relabel_progress.h.
#include "report/relabel_progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

namespace pt {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string format_duration(double seconds) {
  if (seconds < 0 || seconds > 1e9) return "?";
  auto s = static_cast<int64_t>(seconds + 0.5);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}:{:02}", s / 60, s % 60);
  return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
}

RelabelProgressBar::RelabelProgressBar(std::FILE* out, int tty, double interval_s)
    : out_(out), interval_s_(interval_s) {
  if (out_) tty_ = tty < 0 ? isatty(fileno(out_)) != 0 : tty == 1;
}

std::string RelabelProgressBar::line(const RelabelTick& t, double elapsed) const {
  int64_t finished = t.done + t.failed;
  double rate = elapsed > 0 ? static_cast<double>(finished) / elapsed : 0;
  double eta = rate > 0 ? static_cast<double>(t.total - finished) / rate : -1;
  std::string failed_part = t.failed ? fmt::format(", {} failed", t.failed) : "";
  if (!tty_)
    return fmt::format("relabel: {}/{} done{}, {:.1f}/s, ETA {}, ${:.4f}", t.done, t.total, failed_part, rate,
                       format_duration(eta), t.cost_usd);
  constexpr int kWidth = 24;
  int filled = t.total > 0 ? static_cast<int>(kWidth * std::min<double>(1.0, double(finished) / double(t.total))) : 0;
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '-');
  return fmt::format("[{}] {}/{}{} {:.1f}/s ETA {} ${:.4f}", bar, t.done, t.total, failed_part, rate,
                     format_duration(eta), t.cost_usd);
}

void RelabelProgressBar::draw(const RelabelTick& t, int64_t now) {
  last_draw_ms_ = now;
  double elapsed = static_cast<double>(now - start_ms_) / 1000.0;
  if (tty_)
    std::fprintf(out_, "\r\033[K%s", line(t, elapsed).c_str());
  else
    std::fprintf(out_, "%s\n", line(t, elapsed).c_str());
  std::fflush(out_);
}

void RelabelProgressBar::operator()(const RelabelTick& t) {
  if (!out_) return;
  int64_t now = now_ms();
  if (!running_) {
    running_ = true;
    start_ms_ = last_draw_ms_ = now;
  }
  if (t.final) {
    running_ = false;
    if (tty_) {
      draw(t, now);
      std::fputc('\n', out_);
      std::fflush(out_);
    }
    return;
  }
  int64_t period = tty_ ? 100 : static_cast<int64_t>(interval_s_ * 1000);
  if (now - last_draw_ms_ >= period) draw(t, now);
}

}  // namespace pt
