// Training provenance at evaluation time (issue 17): a `local:student@PATH` candidate carries the
// ids of the traces it trained on (ranker/student_format.h). `eval relabel` and `eval score` count
// how many of their selected traces the student trained on and refuse (usage error, exit 2) unless
// --allow-training-overlap, in which case the figure is reported as in-sample. With no selection
// flag, a student is scored on the window it held out (`--newest` = its --holdout-newest).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "pipeline/eval/eval_summary.h"
#include "ranker/student_format.h"
#include "util/result.h"

namespace pt {

// The model file of "local:student@PATH|NAME" (a registered name resolved); nullopt for any other id.
std::optional<std::string> student_model_path(const std::string& model_id);

struct StudentProvenance {
  std::string model;  // the id as given
  ranker::TrainingProvenance training;
};

// The provenance of every student among `model_ids` that has one (older files have none: they are
// listed in `unknown`, and cannot be checked).
struct CandidateProvenance {
  std::vector<StudentProvenance> students;
  std::vector<std::string> unknown;
};
Result<CandidateProvenance> load_candidate_provenance(const std::vector<std::string>& model_ids);

// The window to take when the user gave no selection: the first student's --holdout-newest (> 0).
std::optional<double> default_newest(const CandidateProvenance& p);

// Per student, how many of `selected` it trained on. Any overlap without `allow` -> usage error
// naming the model, the count and the two fixes. `command` prefixes the message ("eval score").
Result<std::vector<StudentTraining>> check_training_overlap(const CandidateProvenance& p,
                                                            const std::vector<std::string>& selected, bool allow,
                                                            const std::string& command);

// One line per in-sample student ("IN-SAMPLE: ..."), for warnings in every output.
std::vector<std::string> in_sample_lines(const std::vector<StudentTraining>& students);

}  // namespace pt
