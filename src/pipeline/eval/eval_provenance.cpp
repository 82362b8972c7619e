// Implementation of pipeline/eval/eval_provenance.h.
#include "pipeline/eval/eval_provenance.h"

#include <fmt/format.h>

#include "providers/student_names.h"

namespace pt {

std::optional<std::string> student_model_path(const std::string& model_id) {
  constexpr std::string_view prefix = "local:student@";
  if (model_id.size() <= prefix.size() || model_id.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  auto file = student_model_file(model_id);  // a registered name -> its file
  if (file.ok() && file->has_value()) return **file;
  return model_id.substr(prefix.size());
}

Result<CandidateProvenance> load_candidate_provenance(const std::vector<std::string>& model_ids) {
  CandidateProvenance out;
  for (const auto& id : model_ids) {
    auto path = student_model_path(id);
    if (!path) continue;
    PT_ASSIGN_OR_RETURN(auto p, ranker::load_training_provenance(*path));
    if (!p)
      out.unknown.push_back(id);
    else
      out.students.push_back({id, std::move(*p)});
  }
  return out;
}

std::optional<double> default_newest(const CandidateProvenance& p) {
  for (const auto& s : p.students)
    if (s.training.holdout_newest > 0) return s.training.holdout_newest;
  return std::nullopt;
}

Result<std::vector<StudentTraining>> check_training_overlap(const CandidateProvenance& p,
                                                            const std::vector<std::string>& selected, bool allow,
                                                            const std::string& command) {
  std::vector<StudentTraining> out;
  for (const auto& s : p.students) {
    StudentTraining t;
    t.model = s.model;
    t.teacher = s.training.teacher;
    t.cutoff = s.training.cutoff;
    t.store = s.training.store;
    t.holdout_newest = s.training.holdout_newest;
    t.train_traces = s.training.train_traces;
    t.selected = static_cast<int64_t>(selected.size());
    for (const auto& id : selected) t.in_sample += s.training.trained_on(id) ? 1 : 0;
    if (t.in_sample > 0 && !allow) {
      std::string fix = s.training.holdout_newest > 0
                            ? fmt::format(
                                  "score it on the window it held out (--newest {}, the default when no "
                                  "selection flag is given)",
                                  s.training.holdout_newest)
                            : std::string("retrain it with --holdout-newest F and score it with --newest F");
      return usage_error(fmt::format(
          "{}: {} trained on {} of the {} selected traces; {}, or pass --allow-training-overlap to report the "
          "figures as in-sample",
          command, s.model, t.in_sample, t.selected, fix));
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<std::string> in_sample_lines(const std::vector<StudentTraining>& students) {
  std::vector<std::string> lines;
  for (const auto& s : students)
    if (s.in_sample > 0)
      lines.push_back(fmt::format(
          "IN-SAMPLE: {} trained on {} of the {} selected traces (--allow-training-overlap); its figures are not "
          "an out-of-sample estimate",
          s.model, s.in_sample, s.selected));
  return lines;
}

}  // namespace pt
