// The report's recall@k / precision@k chart: one solid line (recall) and one dashed line
// (precision) per model over k = 1..N, on a fixed [0, 1] axis, as inline SVG with a legend. It
// replaces the bar chart per metric: where the curves cross is where the models' trade-off flips.
#pragma once
#include <string>
#include <vector>

namespace pt {

struct CurveSeries {
  std::string label, color;
  std::vector<double> recall, precision;  // index k-1; NaN points are skipped
};

std::string recall_precision_svg(const std::vector<CurveSeries>& series);

}  // namespace pt
