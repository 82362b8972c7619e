// Implementation of report/student_summary.h.
#include "report/student_summary.h"

#include <fmt/format.h>

#include <cmath>
#include <utility>

namespace pt {

std::string format_student_train_report(const StudentTrainReport& r) {
  std::string out = fmt::format(
      "student trained from teacher \"{}\": {} traces read, {} joined; {} fit + {} tune, {} held out (newest)\n",
      r.teacher, r.traces_read, r.joined, r.train, r.tune, r.holdout);
  if (r.stores.size() > 1) {
    for (const auto& s : r.stores)
      out += fmt::format("  {}: {} traces read, {} joined; {} fit + {} tune, {} held out (its newest)\n", s.store,
                         s.traces_read, s.joined, s.train, s.tune, s.holdout);
    out += fmt::format(
        "  a general model of {} histories: trained and answering with no history (every repository is a cold "
        "start)\n",
        r.stores.size());
  }
  for (const auto& [reason, n] : r.dropped)
    if (n > 0) out += fmt::format("  dropped {:>7}  {}\n", n, reason);
  const auto& s = r.summary;
  out += fmt::format(
      "  {} trees; candidate recall {:.3f} (fit) {:.3f} (tune); answer: up to {} files{}\n", s.gbdt.trees,
      s.targets ? static_cast<double>(s.targets_in_candidates) / static_cast<double>(s.targets) : 0.0,
      s.tune_targets ? static_cast<double>(s.tune_targets_in_candidates) / static_cast<double>(s.tune_targets) : 0.0,
      s.calibration.max_k,
      std::isfinite(s.calibration.margin) ? fmt::format(" within {:.3g} of the best score", s.calibration.margin) : "");
  if (s.chosen >= 0) {
    out += fmt::format("  hyper-parameters chosen on the {} tune traces (recall@5):", s.tune_traces);
    for (size_t k = 0; k < s.trials.size(); ++k) {
      const auto& t = s.trials[k];
      out += fmt::format("{} {}leaves {}, min rows {}: {:.3f} ({} trees)", k ? ";" : "",
                         static_cast<int>(k) == s.chosen ? "*" : "", t.max_leaves, t.min_leaf_rows, t.valid_recall5,
                         t.trees);
    }
    out += "\n";
  }
  out += fmt::format("  {}features {:.1f} s, fit {:.1f} s\n",
                     r.seconds_contents > 0 ? fmt::format("contents {:.1f} s, ", r.seconds_contents) : "",
                     r.seconds_features, r.seconds_fit);
  if (r.holdout > 0) {
    out += fmt::format("validation on the newest {} traces (mean [95% CI]):\n", r.holdout);
    out += fmt::format("  {:<18} {:>24} {:>24} {:>24} {:>6}\n", "model", "recall@5", "MRR", "Jaccard", "files");
    auto cell = [](const MeanCI& m) { return fmt::format("{:.3f} [{:.3f}, {:.3f}]", m.mean, m.lo, m.hi); };
    for (const auto& [name, m] : {std::pair<const char*, const ModelMetrics*>{"student", &r.student},
                                  {"local:bm25", &r.bm25},
                                  {"local:bm25-content", &r.bm25_content}})
      if (m->recall5.n > 0 || m == &r.student || m == &r.bm25)
        out += fmt::format("  {:<18} {:>24} {:>24} {:>24} {:>6.2f}\n", name, cell(m->recall5), cell(m->mrr),
                           cell(m->jaccard), m->files.mean);
  }
  out += fmt::format("wrote {} (use it as local:student@{})\n", r.output, r.output);
  return out;
}

std::string format_student_registration(const StudentRegistration& r, const std::string& names_path) {
  std::string out;
  if (r.unchanged)
    out = fmt::format("{} already names {}\n", r.name, r.file);
  else if (!r.previous_file.empty())
    out = fmt::format("{} now names {} (was {})\n", r.name, r.file, r.previous_file);
  else
    out = fmt::format("{} names {}\n", r.name, r.file);
  out += fmt::format("use it as local:student@{} (names kept in {})\n", r.name, names_path);
  return out;
}

}  // namespace pt
