// Implementation of report/html/curve_chart.h.
#include "report/html/curve_chart.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/html/escape.h"

namespace pt {

std::string recall_precision_svg(const std::vector<CurveSeries>& series) {
  constexpr double W = 640, H = 300, left = 44, right = 16, top = 30, bottom = 36;
  const double pw = W - left - right, ph = H - top - bottom;
  size_t points = 1;
  for (const auto& s : series) points = std::max({points, s.recall.size(), s.precision.size()});
  auto x = [&](size_t i) {
    return left + (points == 1 ? pw / 2 : pw * static_cast<double>(i) / static_cast<double>(points - 1));
  };
  auto y = [&](double v) { return top + ph * (1 - std::clamp(v, 0.0, 1.0)); };
  std::string out = fmt::format(
      R"(<svg class="chart" data-metric="recall_precision_at_k" xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" role="img">)",
      W, H);
  out += R"(<title>recall@k (solid) and precision@k (dashed) per model</title>)";
  out += fmt::format(
      R"(<text x="{}" y="16" font-size="13" font-weight="600" fill="#222">recall@k (solid) and precision@k (dashed), k = 1..{}</text>)",
      left, points);
  for (int t = 0; t <= 4; ++t) {
    double v = t / 4.0;
    out += fmt::format(R"(<line x1="{:.1f}" x2="{:.1f}" y1="{:.1f}" y2="{:.1f}" stroke="#e4e4e4"/>)", left, W - right,
                       y(v), y(v));
    out += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="10" text-anchor="end" fill="#555">{:.2f}</text>)",
                       left - 4, y(v) + 3, v);
  }
  for (size_t i = 0; i < points; ++i)
    out += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="10" text-anchor="middle" fill="#555">{}</text>)", x(i),
                       H - bottom + 14, i + 1);
  out += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="10" text-anchor="middle" fill="#555">k</text>)",
                     left + pw / 2, H - 6);
  auto line = [&](const std::vector<double>& v, const std::string& color, bool dashed, const std::string& label) {
    std::string pts;
    for (size_t i = 0; i < v.size(); ++i)
      if (!std::isnan(v[i])) pts += fmt::format("{:.1f},{:.1f} ", x(i), y(v[i]));
    if (pts.empty()) return;
    out +=
        fmt::format(R"(<polyline fill="none" stroke="{}" stroke-width="2"{} points="{}"><title>{}</title></polyline>)",
                    html_escape(color), dashed ? R"( stroke-dasharray="5 4")" : "", pts, html_escape(label));
    for (size_t i = 0; i < v.size(); ++i)
      if (!std::isnan(v[i]))
        out +=
            fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="2.5" fill="{}"><title>{} k={}: {:.3f}</title></circle>)",
                        x(i), y(v[i]), html_escape(color), html_escape(label), i + 1, v[i]);
  };
  for (const auto& s : series) {
    line(s.recall, s.color, false, s.label + " recall@k");
    line(s.precision, s.color, true, s.label + " precision@k");
  }
  return out + "</svg>";
}

}  // namespace pt
