// Implementation of report/svg_charts.h: hand-written SVG (rect, line, text), no scripts.
#include "report/svg_charts.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

namespace pt {
namespace {

// Smallest of 1, 2, 2.5, 5 x 10^k that is >= v.
double nice_ceiling(double v) {
  if (!(v > 0)) return 1;
  double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * p >= v * (1 - 1e-12)) return m * p;
  return 10 * p;
}

std::string tick_label(double v) {
  std::string s = fmt::format("{:.2f}", v);
  while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
    bool dot = s.back() == '.';
    s.pop_back();
    if (dot) break;
  }
  return s;
}

// Horizontal grid lines with labels on the left, 4 intervals from 0 to ymax.
void y_axis(std::string& out, double x0, double x1, double y0, double h, double ymax) {
  for (int i = 0; i <= 4; ++i) {
    double v = ymax * i / 4, y = y0 + h - h * i / 4;
    out += fmt::format(R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="#ddd" stroke-width="1"/>)", x0,
                       y, x1, y);
    out += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="10" text-anchor="end" fill="#555">{}</text>)", x0 - 4,
                       y + 3.5, tick_label(v));
  }
}

}  // namespace

std::string_view series_color(size_t i) {
  static constexpr std::array<std::string_view, 10> palette = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1",
                                                               "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac"};
  return palette[i % palette.size()];
}

std::string bar_chart_svg(std::string_view title, const std::vector<Bar>& bars, bool unit) {
  const double W = 280, H = 210, left = 38, right = 10, top = 30, bottom = 14;
  const double pw = W - left - right, ph = H - top - bottom;
  double ymax = 1;
  if (!unit) {
    double hi = 0;
    for (const Bar& b : bars)
      if (!std::isnan(b.value.mean)) hi = std::max({hi, b.value.mean, b.value.hi});
    ymax = nice_ceiling(hi);
  }
  auto y_of = [&](double v) { return top + ph - ph * std::clamp(v / ymax, 0.0, 1.0); };
  std::string out = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-metric="{}" width="{}" height="{}" viewBox="0 0 {} {}" role="img">)",
      html_escape(title), W, H, W, H);
  out += fmt::format(R"(<title>{}</title>)", html_escape(title));
  out += fmt::format(R"(<text x="{}" y="16" font-size="13" font-weight="600" fill="#222">{}</text>)", left,
                     html_escape(title));
  y_axis(out, left, W - right, top, ph, ymax);
  const double slot = pw / std::max<size_t>(bars.size(), 1), bw = std::min(slot * 0.62, 56.0);
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    double cx = left + slot * (i + 0.5);
    if (std::isnan(b.value.mean)) {
      out += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="10" text-anchor="middle" fill="#888">n/a</text>)",
                         cx, top + ph - 4);
      continue;
    }
    double y = y_of(b.value.mean), ylo = y_of(b.value.lo), yhi = y_of(b.value.hi);
    out += fmt::format(
        R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}"><title>{}: {:.4f} [{:.4f}, {:.4f}], n={}</title></rect>)",
        cx - bw / 2, y, bw, std::max(top + ph - y, 0.5), html_escape(b.color), html_escape(b.label), b.value.mean,
        b.value.lo, b.value.hi, b.value.n);
    out += fmt::format(
        R"(<line class="ci" x1="{0:.1f}" y1="{1:.1f}" x2="{0:.1f}" y2="{2:.1f}" stroke="#222" stroke-width="1.4"/>)",
        cx, ylo, yhi);
    for (double yy : {ylo, yhi})
      out += fmt::format(R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="#222" stroke-width="1.4"/>)",
                         cx - bw / 5, yy, cx + bw / 5, yy);
    out += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="10" text-anchor="middle" fill="#222">{:.3f}</text>)",
                       cx, std::min(y, yhi) - 4, b.value.mean);
  }
  out += fmt::format(R"(<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="#888" stroke-width="1"/>)", left, top + ph,
                     W - right);
  out += "</svg>";
  return out;
}

std::string histogram_svg(std::string_view title, const std::vector<std::string>& bin_labels,
                          const std::vector<HistogramSeries>& series) {
  const double W = 920, H = 270, left = 44, right = 12, top = 44, bottom = 30;
  const double pw = W - left - right, ph = H - top - bottom;
  std::vector<std::vector<double>> share(series.size());
  double hi = 0;
  for (size_t s = 0; s < series.size(); ++s) {
    size_t total = 0;
    for (size_t c : series[s].counts) total += c;
    for (size_t c : series[s].counts)
      share[s].push_back(total ? static_cast<double>(c) / static_cast<double>(total) : 0.0);
    for (double v : share[s]) hi = std::max(hi, v);
  }
  double ymax = nice_ceiling(hi);
  std::string out = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" class="chart histogram" data-metric="files_picked_histogram" width="{}" height="{}" viewBox="0 0 {} {}" role="img">)",
      W, H, W, H);
  out += fmt::format(R"(<title>{}</title>)", html_escape(title));
  out += fmt::format(R"(<text x="{}" y="16" font-size="13" font-weight="600" fill="#222">{}</text>)", left,
                     html_escape(title));
  double lx = left;
  for (const auto& s : series) {
    out += fmt::format(R"(<rect x="{:.1f}" y="25" width="10" height="10" fill="{}"/>)", lx, html_escape(s.color));
    out +=
        fmt::format(R"(<text x="{:.1f}" y="34" font-size="11" fill="#222">{}</text>)", lx + 14, html_escape(s.label));
    lx += 24 + 6.5 * static_cast<double>(s.label.size());
  }
  y_axis(out, left, W - right, top, ph, ymax);
  const size_t bins = bin_labels.size();
  const double group = pw / std::max<size_t>(bins, 1), bw = group * 0.8 / std::max<size_t>(series.size(), 1);
  for (size_t b = 0; b < bins; ++b) {
    double gx = left + group * b + group * 0.1;
    for (size_t s = 0; s < series.size(); ++s) {
      double v = b < share[s].size() ? share[s][b] : 0, h = ph * v / ymax;
      if (h > 0)
        out += fmt::format(
            R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}"><title>{} · {} files: {:.1f}%</title></rect>)",
            gx + bw * s, top + ph - h, bw, h, html_escape(series[s].color), html_escape(series[s].label),
            html_escape(bin_labels[b]), 100 * v);
    }
    out += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="10" text-anchor="middle" fill="#555">{}</text>)",
                       left + group * (b + 0.5), top + ph + 13, html_escape(bin_labels[b]));
  }
  out += fmt::format(
      R"(<text x="{:.1f}" y="{:.1f}" font-size="10" text-anchor="middle" fill="#555">files picked (share of each model's traces)</text>)",
      left + pw / 2, H - 3);
  out += fmt::format(R"(<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="#888" stroke-width="1"/>)", left, top + ph,
                     W - right);
  out += "</svg>";
  return out;
}

}  // namespace pt

namespace pt {

std::string trend_chart_svg(std::string_view title, const std::vector<std::string>& x_labels,
                            const std::vector<TrendSeries>& series, bool unit) {
  const double W = 640, H = 290, left = 44, right = 16, top = 30, bottom = 40;
  const double pw = W - left - right, ph = H - top - bottom;
  const size_t slots = std::max<size_t>(x_labels.size(), 1);
  double ymax = 1;
  if (!unit) {
    double hi = 0;
    for (const TrendSeries& s : series)
      for (const TrendPoint& p : s.points)
        if (!std::isnan(p.value.mean)) hi = std::max({hi, p.value.mean, p.value.hi});
    ymax = nice_ceiling(hi);
  }
  auto x_of = [&](size_t i) { return left + pw * (static_cast<double>(i) + 0.5) / static_cast<double>(slots); };
  auto y_of = [&](double v) { return top + ph - ph * std::clamp(v / ymax, 0.0, 1.0); };
  std::string out = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" class="chart trend" data-metric="{}" width="{}" height="{}" viewBox="0 0 {} {}" role="img">)",
      html_escape(title), W, H, W, H);
  out += fmt::format(R"(<title>{}</title>)", html_escape(title));
  out += fmt::format(R"(<text x="{}" y="16" font-size="13" font-weight="600" fill="#222">{}</text>)", left,
                     html_escape(title));
  y_axis(out, left, W - right, top, ph, ymax);
  // At most ~8 x labels: every step-th slot, and always the last.
  const size_t step = (x_labels.size() + 7) / 8;
  for (size_t i = 0; i < x_labels.size(); ++i)
    if (i % std::max<size_t>(step, 1) == 0 || i + 1 == x_labels.size())
      out += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="10" text-anchor="middle" fill="#555">{}</text>)",
                         x_of(i), top + ph + 14, html_escape(x_labels[i]));
  const double spread = std::min(pw / static_cast<double>(slots) * 0.5, 12.0);  // series side by side per slot
  for (size_t s = 0; s < series.size(); ++s) {
    const TrendSeries& ts = series[s];
    const double dx =
        series.size() > 1 ? spread * (static_cast<double>(s) / static_cast<double>(series.size() - 1) - 0.5) : 0.0;
    out += fmt::format(R"(<g class="series" data-series="{}">)", html_escape(ts.label));
    // Runs of consecutive defined points: a band (lo..hi) and a line each.
    size_t i = 0;
    while (i < ts.points.size()) {
      if (std::isnan(ts.points[i].value.mean)) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < ts.points.size() && !std::isnan(ts.points[j].value.mean)) ++j;
      std::string upper, lower, line;
      for (size_t k = i; k < j; ++k) {
        upper += fmt::format("{:.1f},{:.1f} ", x_of(k) + dx, y_of(ts.points[k].value.hi));
        line += fmt::format("{:.1f},{:.1f} ", x_of(k) + dx, y_of(ts.points[k].value.mean));
      }
      for (size_t k = j; k-- > i;) lower += fmt::format("{:.1f},{:.1f} ", x_of(k) + dx, y_of(ts.points[k].value.lo));
      if (j - i > 1) {
        out += fmt::format(R"(<polygon class="band" points="{}{}" fill="{}" fill-opacity="0.15" stroke="none"/>)",
                           upper, lower, html_escape(ts.color));
        out += fmt::format(R"(<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>)", html_escape(ts.color),
                           line);
      }
      i = j;
    }
    for (size_t k = 0; k < ts.points.size(); ++k) {
      const MeanCI& v = ts.points[k].value;
      if (std::isnan(v.mean)) continue;
      double cx = x_of(k) + dx;
      out += fmt::format(
          R"(<line class="ci" x1="{0:.1f}" y1="{1:.1f}" x2="{0:.1f}" y2="{2:.1f}" stroke="{3}" stroke-width="1.2"/>)",
          cx, y_of(v.lo), y_of(v.hi), html_escape(ts.color));
      out += fmt::format(
          R"(<circle cx="{:.1f}" cy="{:.1f}" r="3" fill="{}"><title>{} · {}: {:.4f} [{:.4f}, {:.4f}], n={}{}</title></circle>)",
          cx, y_of(v.mean), html_escape(ts.color), html_escape(ts.label),
          html_escape(k < x_labels.size() ? x_labels[k] : ""), v.mean, v.lo, v.hi, v.n,
          ts.points[k].note.empty() ? "" : " · " + html_escape(ts.points[k].note));
    }
    out += "</g>";
  }
  out += fmt::format(R"(<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="#888" stroke-width="1"/>)", left, top + ph,
                     W - right);
  out += fmt::format(
      R"(<text x="{:.1f}" y="{:.1f}" font-size="10" text-anchor="middle" fill="#555">run (oldest to newest, UTC)</text>)",
      left + pw / 2, H - 6);
  return out + "</svg>";
}

}  // namespace pt
