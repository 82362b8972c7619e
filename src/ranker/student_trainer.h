// Training the student from labelled traces streamed in time order. Each trace is first turned
// into candidate features using the statistics of strictly earlier traces only, then its targets
// are added to those statistics. The oldest traces fit the ensemble; the newest `tune` ones
// (still training data, never the caller's held-out validation) drive early stopping and the
// answer-length calibration. The returned model carries the statistics of every trace added.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "ranker/features.h"
#include "ranker/gbdt.h"
#include "ranker/history_stats.h"
#include "ranker/student.h"
#include "ranker/student_format.h"
#include "ranker/trace_view.h"

namespace pt::ranker {

struct StudentTrainOptions {
  GbdtParams gbdt;
  // Hyper-parameter candidates (seed and threads are taken from `gbdt`): each is fitted on the fit
  // traces and scored on the tune traces; the best recall@5 there is refitted. Empty: `gbdt` only.
  std::vector<GbdtParams> grid;
  HistoryParams history;
  CandidateOptions candidates;
  size_t hot_refresh = 25;  // recompute the hot-file list every this many traces
  // A deployed model's statistics stop at its last training trace while the traces it answers go
  // on. Training mimics that: fit traces see statistics `fit_lag` traces old, and tune traces see
  // the statistics frozen at the end of the fit traces.
  size_t fit_lag = 0;
  bool freeze_for_tune = true;
  // After early stopping and calibration on the tune traces, refit on fit + tune traces.
  bool refit_all = true;
  // A model trained with file contents may be served without them (local:student@PATH knows only
  // the paths of the prompt's tree). So each trace with contents is also featurized as if it had
  // none (content features 0, has_contents 0), and a second, paths-only ensemble is fitted on
  // those rows; StudentModel::score uses it for calls whose contents are unknown.
  bool paths_only_fallback = true;
};

struct StudentTrainSummary {
  size_t fit_traces = 0, tune_traces = 0;
  size_t paths_only_traces = 0;  // traces with contents also featurized without them
  size_t fit_rows = 0, tune_rows = 0;
  size_t targets = 0, targets_in_candidates = 0;  // fit traces: candidate recall
  size_t tune_targets = 0, tune_targets_in_candidates = 0;
  TrainReport gbdt;
  Calibration calibration;
  std::vector<HyperTrial> trials;  // the grid as scored on the tune traces (empty without a search)
  int chosen = -1;
};

// The candidates `student train` tries by default around `base`: base, a simpler and a more
// detailed tree shape.
std::vector<GbdtParams> default_hyper_grid(const GbdtParams& base);

class StudentTrainer {
 public:
  explicit StudentTrainer(StudentTrainOptions options);

  // Adds the next trace (oldest first). `tune`: use it for early stopping and calibration
  // rather than for fitting; callers pass the newest share of their training traces as tune.
  void add(const TraceView& view, const std::vector<std::string>& targets, bool tune);

  // Fits the ensemble, calibrates, and returns the model (statistics of every added trace).
  std::unique_ptr<StudentModel> finish(StudentMeta meta, StudentTrainSummary* summary = nullptr);

  // The tune traces as calibration input, ranked by `model`'s scores (finish() calibrates the
  // returned model on exactly these; tests).
  std::vector<CalibrationTrace> tune_traces_scored_by(const Ensemble& model) const;
  // The features a trace would get now (tests): the candidates before adding it.
  CandidateSet features_now(const TraceView& view) const;
  const HistoryStats& stats() const { return stats_; }
  // The ranking data built so far (benchmarks compare other learners on exactly these rows).
  const RankingData& fit_data() const { return fit_; }
  const RankingData& tune_data() const { return tune_; }
  const RankingData& fit_paths_data() const { return fit_paths_; }
  const RankingData& tune_paths_data() const { return tune_paths_; }
  const std::vector<size_t>& tune_target_counts() const { return tune_targets_; }

 private:
  StudentTrainOptions options_;
  HistoryStats stats_;
  std::vector<int32_t> hot_;
  int64_t hot_events_ = -1;
  bool tune_started_ = false;
  RankingData fit_, tune_;
  std::vector<size_t> tune_targets_;  // full target count per tune group
  // Labelled traces not yet added to the statistics (words, targets), oldest first.
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> pending_;
  size_t pending_head_ = 0;
  RankingData fit_paths_, tune_paths_;  // traces with contents, featurized without them
  std::vector<size_t> tune_paths_targets_;
  void observe_pending(size_t keep);
  StudentTrainSummary summary_;
};

}  // namespace pt::ranker
