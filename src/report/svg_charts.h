// Inline SVG charts for the evaluation report: a bar chart of one metric per model with 95% CI
// whiskers, a grouped histogram (share of traces per number of files picked), and one metric over
// runs (a line per model with its 95% CI as a band and whiskers). Every label is
// HTML-escaped; the SVG carries explicit width/height so it renders the same in any browser.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/metrics.h"
#include "report/html/escape.h"

namespace pt {

// The colour of series i (a fixed, colour-blind-friendly palette, cycled).
std::string_view series_color(size_t i);

struct Bar {
  std::string label;  // shown as the bar's tooltip
  MeanCI value;       // NaN mean -> no bar, "n/a"
  std::string color;
};

// One metric: bars with CI whiskers and the mean printed above each. `unit` fixes the axis to
// [0, 1]; otherwise it spans 0 to the largest CI end (rounded up).
std::string bar_chart_svg(std::string_view title, const std::vector<Bar>& bars, bool unit);

struct HistogramSeries {
  std::string label;
  std::string color;
  std::vector<size_t> counts;  // per bin
};

// Grouped bars: for each bin, each series' share of its own total. `bin_labels` names the bins.
std::string histogram_svg(std::string_view title, const std::vector<std::string>& bin_labels,
                          const std::vector<HistogramSeries>& series);

struct TrendPoint {
  MeanCI value;      // NaN mean: no point (the line breaks)
  std::string note;  // appended to the point's tooltip (run id, n, ...)
};
struct TrendSeries {
  std::string label, color;
  std::vector<TrendPoint> points;  // one per x slot; fewer than the slots: the rest are missing
};

// A metric over ordered x slots (e.g. runs, oldest first): per series a band from lo to hi, a line
// through the means, and a dot with whiskers at each point. Each series is one <g class="series"
// data-series="LABEL">. `unit` fixes the axis to [0, 1]; otherwise 0 to the largest CI end.
std::string trend_chart_svg(std::string_view title, const std::vector<std::string>& x_labels,
                            const std::vector<TrendSeries>& series, bool unit);

}  // namespace pt
