// The student: a learned file ranker distilled from teacher (or git ground-truth) labels. It picks
// candidates from the trace's own tree, describes them with ranker/features.h, scores them with a
// LambdaMART ensemble and answers with the best few (a count calibrated on validation traces, or
// a fixed top-k). `local:student@PATH` (providers/local.cpp) wraps it; `student train` makes it.
// The model file format is documented in ranker/student_format.h.
#pragma once
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/picker_call.h"
#include "ranker/features.h"
#include "ranker/gbdt.h"
#include "ranker/history_stats.h"
#include "ranker/trace_view.h"
#include "util/result.h"

namespace pt::ranker {

// Answer length: the files scoring within `margin` of the best one, at most max_k, at least one;
// never more than a Key prompt's "limit your selection to N files".
struct Calibration {
  int max_k = 5;
  double margin = std::numeric_limits<double>::infinity();
};

struct StudentMeta {
  std::string teacher;  // model id whose relabels were the targets ("truth" for git)
  int64_t train_traces = 0;
  int64_t tune_traces = 0;  // the newest training traces used for early stopping and calibration
  uint64_t seed = 0;
  std::string trained_at;  // RFC 3339
};

struct ScoredFile {
  std::string path;
  double score;
};

class StudentModel {
 public:
  static Result<std::unique_ptr<StudentModel>> load(const std::string& path);
  // `source` names the text in error messages (usually the file path).
  static Result<std::unique_ptr<StudentModel>> parse(std::string_view text, std::string_view source);
  std::string serialize() const;

  // Paths to answer with, best first. top_k <= 0: the calibrated count.
  std::vector<std::string> rank(const PickerCall& call, int top_k) const;
  // Every candidate with its score, best first (ties by path), before any cut.
  std::vector<ScoredFile> score(const TraceView& view) const;
  // Cuts a scored list to the answer: top_k > 0 -> the first top_k; else the calibrated count,
  // capped by `limit` when the prompt states one (limit <= 0: none).
  std::vector<std::string> answer(const std::vector<ScoredFile>& scored, int top_k, int limit) const;
  std::vector<std::string> answer(const std::vector<ScoredFile>& scored, int top_k, int limit,
                                  const Calibration& calibration) const;
  // The ensemble that scores a call: paths_only's when the call's contents are unknown and the
  // model has one, else `ensemble`.
  const Ensemble& scorer(const TraceView& view) const;
  // Forgets the history statistics: every call is then answered as a cold start, for a repository
  // with no history (no recency, frequency, co-change or word-history evidence).
  void drop_history();

  HistoryStats stats;
  Ensemble ensemble;
  Calibration calibration;
  CandidateOptions candidates;
  StudentMeta meta;
  std::vector<int32_t> hot_files;  // stats.top_files(kHotFiles), cached at load
  // A model trained with contents also carries an ensemble trained on the same traces featurized
  // without them: score() uses it when the call's contents are unknown (empty: none).
  struct PathsOnly {
    Ensemble ensemble;
    Calibration calibration;
  } paths_only;
  // Contents of the repository the calls come from (not part of the file): rank() gives each
  // call the tree its commit (user_input_id) saw; without it the content features are 0.
  std::shared_ptr<const RepoContents> contents;
};

inline constexpr size_t kHotFiles = 20;

// Answer-length calibration on tuning traces: per trace, its candidates' scores best first,
// whether each is a target, and the full number of targets. The answer length trades recall for
// precision, so it is chosen to maximise the sum of the two length-sensitive headline metrics of
// `eval score`: recall@5 + Jaccard (mean over traces), over max_k in 1..20 and margins taken
// from the quantiles of the score gaps.
struct CalibrationTrace {
  std::vector<double> scores;  // descending
  std::vector<uint8_t> hit;
  size_t targets = 0;
};
double answer_value(const Calibration& c, const CalibrationTrace& t);
Calibration calibrate(const std::vector<CalibrationTrace>& traces);

}  // namespace pt::ranker
