// Implementation of ranker/student.h: ranking and answer-length calibration (the file format
// lives in student_format.cpp).
#include "ranker/student.h"

#include <algorithm>
#include <cmath>

#include "core/picker_prompt.h"

namespace pt::ranker {
namespace {

size_t answer_length(const Calibration& c, const std::vector<double>& scores_desc) {
  size_t n = 0;
  while (n < scores_desc.size() && n < static_cast<size_t>(std::max(c.max_k, 1))) {
    if (n > 0 && scores_desc[0] - scores_desc[n] > c.margin) break;
    ++n;
  }
  return n;
}

}  // namespace

double answer_value(const Calibration& c, const CalibrationTrace& t) {
  size_t n = answer_length(c, t.scores);
  size_t hits = 0, hits5 = 0;
  for (size_t i = 0; i < n; ++i) {
    hits += t.hit[i];
    if (i < 5) hits5 += t.hit[i];
  }
  size_t uni = n + t.targets - hits;
  double jaccard = uni == 0 ? 1.0 : static_cast<double>(hits) / static_cast<double>(uni);
  double recall5 = t.targets == 0 ? (n == 0 ? 1.0 : 0.0) : static_cast<double>(hits5) / static_cast<double>(t.targets);
  return recall5 + jaccard;
}

std::vector<ScoredFile> StudentModel::score(const TraceView& view) const {
  CandidateSet cs = extract_candidates(view, stats, hot_files, candidates);
  const Ensemble& e = scorer(view);
  std::vector<ScoredFile> out;
  out.reserve(cs.size());
  for (size_t i = 0; i < cs.size(); ++i)
    out.push_back({view.files[static_cast<size_t>(cs.file[i])], e.predict(cs.row(i))});
  std::sort(out.begin(), out.end(), [](const ScoredFile& a, const ScoredFile& b) {
    return a.score != b.score ? a.score > b.score : a.path < b.path;
  });
  return out;
}

const Ensemble& StudentModel::scorer(const TraceView& view) const {
  return !view.tree && !paths_only.ensemble.trees.empty() ? paths_only.ensemble : ensemble;
}

void StudentModel::drop_history() {
  HistoryStats none;
  none.params = stats.params;
  stats = std::move(none);
  hot_files.clear();
}

std::vector<std::string> StudentModel::answer(const std::vector<ScoredFile>& scored, int top_k, int limit) const {
  return answer(scored, top_k, limit, calibration);
}

std::vector<std::string> StudentModel::answer(const std::vector<ScoredFile>& scored, int top_k, int limit,
                                              const Calibration& cal) const {
  size_t n;
  if (top_k > 0) {
    n = std::min(scored.size(), static_cast<size_t>(top_k));
  } else {
    std::vector<double> s;
    for (size_t i = 0; i < scored.size() && i < static_cast<size_t>(std::max(cal.max_k, 1)); ++i)
      s.push_back(scored[i].score);
    n = answer_length(cal, s);
    if (limit > 0) n = std::min(n, static_cast<size_t>(limit));
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(scored[i].path);
  return out;
}

std::vector<std::string> StudentModel::rank(const PickerCall& call, int top_k) const {
  TraceView view = make_trace_view(call);
  if (contents && !view.tree) view.tree = contents->parent_tree(view.commit);
  auto limit = selection_limit(last_user_text(call));
  const bool fallback = &scorer(view) == &paths_only.ensemble;
  return answer(score(view), top_k, limit ? *limit : 0, fallback ? paths_only.calibration : calibration);
}

Calibration calibrate(const std::vector<CalibrationTrace>& traces) {
  // Candidate margins: quantiles of the score gaps to the best candidate, plus "no margin".
  std::vector<double> gaps;
  for (const auto& t : traces)
    for (size_t i = 1; i < t.scores.size() && i < 20; ++i) gaps.push_back(t.scores[0] - t.scores[i]);
  std::sort(gaps.begin(), gaps.end());
  std::vector<double> margins = {std::numeric_limits<double>::infinity()};
  for (int q = 1; q < 20 && !gaps.empty(); ++q) margins.push_back(gaps[gaps.size() * static_cast<size_t>(q) / 20]);

  Calibration best;
  double best_value = -1;
  for (int k = 1; k <= 20; ++k) {
    for (double m : margins) {
      Calibration c{k, m};
      double total = 0;
      for (const auto& t : traces) total += answer_value(c, t);
      if (total > best_value + 1e-9) {
        best_value = total;
        best = c;
      }
    }
  }
  return best;
}

}  // namespace pt::ranker
