// Inline SVG charts for the evaluation report: a bar chart of one metric per model with 95% CI
// whiskers, and a grouped histogram (share of traces per number of files picked). Every label is
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

}  // namespace pt
