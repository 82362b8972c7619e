// Implementation of util/progress.h. Rates are averages since the start; the ETA is what is left at
// that rate. A terminal is redrawn at most ten times a second; other outputs get a line per period.
#include "util/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace pt {
namespace {

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string duration_text(double s) {
  if (s < 60) return fmt::format("{:.0f} s", std::ceil(s));
  if (s < 3600) return fmt::format("{}m{:02}s", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  return fmt::format("{}h{:02}m", static_cast<int>(s) / 3600, static_cast<int>(s) % 3600 / 60);
}

double rate_of(int64_t done, double elapsed_s) { return elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0; }

std::string eta_text(int64_t done, int64_t total, double elapsed_s) {
  double rate = rate_of(done, elapsed_s);
  if (total <= 0 || done >= total || rate <= 0) return "";
  return "ETA " + duration_text(static_cast<double>(total - done) / rate);
}

}  // namespace

bool is_terminal(std::FILE* f) { return ::isatty(::fileno(f)) == 1; }

ProgressPrinter::ProgressPrinter(std::FILE* out, std::string label, std::string unit, bool tty, double every_s,
                                 Clock clock)
    : out_(out),
      label_(std::move(label)),
      unit_(std::move(unit)),
      tty_(tty),
      every_s_(every_s),
      clock_(clock ? std::move(clock) : Clock(steady_seconds)) {
  start_ = last_ = clock_();
}

std::string ProgressPrinter::plain_line(const std::string& label, const std::string& unit, int64_t done, int64_t total,
                                        double elapsed_s) {
  std::string line = total > 0 ? fmt::format("{}: {}/{} {} ({:.0f}%)", label, done, total, unit,
                                             100.0 * static_cast<double>(done) / static_cast<double>(total))
                               : fmt::format("{}: {} {}", label, done, unit);
  line += fmt::format(", {:.1f} {}/s", rate_of(done, elapsed_s), unit);
  std::string eta = eta_text(done, total, elapsed_s);
  if (!eta.empty()) line += ", " + eta;
  return line;
}

std::string ProgressPrinter::bar_line(const std::string& label, const std::string& unit, int64_t done, int64_t total,
                                      double elapsed_s) {
  std::string line = label;
  if (total > 0) {
    constexpr int kWidth = 24;
    double f = std::clamp(static_cast<double>(done) / static_cast<double>(total), 0.0, 1.0);
    int filled = static_cast<int>(f * kWidth);
    line += fmt::format(" [{}{}] {:3.0f}%  {}/{} {}", std::string(filled, '#'), std::string(kWidth - filled, ' '),
                        100 * f, done, total, unit);
  } else {
    line += fmt::format("  {} {}", done, unit);
  }
  line += fmt::format("  {:.1f}/s", rate_of(done, elapsed_s));
  std::string eta = eta_text(done, total, elapsed_s);
  if (!eta.empty()) line += "  " + eta;
  return line;
}

void ProgressPrinter::begin() {
  std::lock_guard lock(mu_);
  if (!printed_) start_ = last_ = clock_();
}

void ProgressPrinter::update(int64_t done, int64_t total) {
  std::lock_guard lock(mu_);
  if (finished_) return;
  total_ = total;
  double now = clock_();
  if (tty_) {
    if (printed_ && now - last_ < 0.1) return;
    std::fprintf(out_, "\r\033[K%s", bar_line(label_, unit_, done, total, now - start_).c_str());
  } else {
    if (now - last_ < every_s_) return;
    std::fprintf(out_, "%s\n", plain_line(label_, unit_, done, total, now - start_).c_str());
  }
  std::fflush(out_);
  printed_ = true;
  last_ = now;
}

void ProgressPrinter::finish(int64_t done) {
  std::lock_guard lock(mu_);
  if (finished_) return;
  finished_ = true;
  if (!printed_) return;  // a short run stays quiet
  double now = clock_();
  int64_t total = std::max(total_, done);
  if (tty_)
    std::fprintf(out_, "\r\033[K%s\n", bar_line(label_, unit_, done, total, now - start_).c_str());
  else
    std::fprintf(out_, "%s: done, %lld %s in %s\n", label_.c_str(), static_cast<long long>(done), unit_.c_str(),
                 duration_text(now - start_).c_str());
  std::fflush(out_);
}

}  // namespace pt
