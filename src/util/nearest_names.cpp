// Edit distance and nearest-name suggestions (see nearest_names.h).
#include "util/nearest_names.h"

#include <algorithm>

namespace pt {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string> nearest_names(std::string_view word, const std::vector<std::string>& candidates,
                                       size_t max_results) {
  const size_t threshold = std::max<size_t>(2, word.size() / 3);
  std::vector<std::pair<size_t, size_t>> scored;  // (distance, index)
  for (size_t i = 0; i < candidates.size(); ++i) {
    size_t d = edit_distance(word, candidates[i]);
    bool prefix = !word.empty() && candidates[i].rfind(word, 0) == 0;
    if (d <= threshold || prefix) scored.emplace_back(prefix ? std::min<size_t>(d, 1) : d, i);
  }
  std::stable_sort(scored.begin(), scored.end(), [](auto& x, auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (auto& [d, i] : scored) {
    if (out.size() == max_results) break;
    out.push_back(candidates[i]);
  }
  return out;
}

}  // namespace pt
