// Training the student from labelled traces streamed in time order. Each trace is first turned
// into candidate features using the statistics of strictly earlier traces only, then its targets
// are added to those statistics. The oldest traces fit the ensemble; the newest `tune` ones
// (still training data, never the caller's held-out validation) drive early stopping and the
// answer-length calibration. The returned model carries the statistics of every trace added.
// With gbdt.threads > 1, traces given by value are queued and their features extracted on several
// threads: each thread keeps its own copy of the statistics timeline (advanced through every
// trace, in order) and extracts the features of its share, so every trace sees exactly the
// statistics the single-threaded run gives it and the model does not depend on the thread count.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ranker/features.h"
#include "ranker/gbdt.h"
#include "ranker/history_stats.h"
#include "ranker/issue_variant.h"
#include "ranker/student.h"
#include "ranker/student_format.h"
#include "ranker/trace_view.h"
#include "util/progress.h"

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
  // Featurize every trace with no history statistics at all, as a cold start serves it (a general
  // model, which carries no repository's history, is trained so: as it will answer).
  bool no_history = false;
  // Share of fit traces with contents that are also given an issue-shaped request about one of
  // their targets (ranker/issue_variant.h), featurized with the same statistics and fitted as one
  // more group: commit messages alone teach history over contents, issues need the reverse. Tune
  // traces never are (early stopping and calibration stay on real requests). 0: none.
  double issue_variants = 0.25;
};

struct StudentTrainSummary {
  size_t fit_traces = 0, tune_traces = 0;
  size_t paths_only_traces = 0;  // traces with contents also featurized without them
  size_t issue_variants = 0;     // issue-shaped variants fitted (with their target among the candidates)
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
  // The same, queued: features are extracted in batches on gbdt.threads threads.
  void add(TraceView&& view, std::vector<std::string> targets, bool tune);
  // The traces added from now on are another repository's history (`student train` on several
  // stores): they start from empty statistics, as the first trace did, and go through fit then
  // tune traces again. The rows fitted and tuned on so far are kept. finish() returns the
  // statistics of the last history only.
  void begin_history();

  // Fits the ensemble, calibrates, and returns the model (statistics of every added trace).
  // `fit_progress` counts trees built: phase 1 out of max_trees (early stopping may end it sooner;
  // with a refit the first total is 2 x max_trees), then the refit's trees added on, the total
  // becoming phase 1's count plus the refit's; begin() before the first tree, finish() after the last.
  std::unique_ptr<StudentModel> finish(StudentMeta meta, StudentTrainSummary* summary = nullptr,
                                       Progress* fit_progress = nullptr);

  // The tune traces as calibration input, ranked by `model`'s scores (finish() calibrates the
  // returned model on exactly these; tests).
  std::vector<CalibrationTrace> tune_traces_scored_by(const Ensemble& model) const;
  // The features a trace would get now (tests): the candidates before adding it.
  CandidateSet features_now(const TraceView& view) const;
  const HistoryStats& stats() const { return main_.stats; }
  // The ranking data built so far (benchmarks compare other learners on exactly these rows).
  const RankingData& fit_data() const { return fit_; }
  const RankingData& tune_data() const { return tune_; }
  const RankingData& fit_paths_data() const { return fit_paths_; }
  const RankingData& tune_paths_data() const { return tune_paths_; }
  const std::vector<size_t>& tune_target_counts() const { return tune_targets_; }

 private:
  // What a trace's features depend on besides the trace: the statistics of earlier traces (with
  // the fit lag), the hot-file list, whether the tune traces have begun.
  struct Timeline {
    HistoryStats stats;
    std::vector<int32_t> hot;
    int64_t hot_events = -1;
    bool tune_started = false;
    // Labelled traces not yet added to the statistics (words, targets), oldest first.
    std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> pending;
    size_t pending_head = 0;
    void before(bool tune, const StudentTrainOptions& o);  // before a trace's features
    void after(const std::vector<std::string>& words, const std::vector<std::string>& targets, bool tune,
               const StudentTrainOptions& o);  // once they are taken
    void observe_pending(size_t keep);
  };
  struct Queued {
    TraceView view;
    std::vector<std::string> targets;
    bool tune;
    std::optional<IssueVariant> variant;
  };
  // The issue variant of the next trace, if it gets one (counts the traces).
  std::optional<IssueVariant> next_variant(const TraceView& view, const std::vector<std::string>& targets, bool tune);
  // The variant's candidates, with the statistics of `tl` at its trace.
  CandidateSet variant_features(const TraceView& view, const IssueVariant& variant, const Timeline& tl) const;
  void label_variant(const TraceView& view, const IssueVariant& variant, const CandidateSet& cs);
  // Adds a trace's candidates (and, for the paths-only ensemble, `paths_cs`) as labelled groups.
  void label(const TraceView& view, const std::vector<std::string>& targets, bool tune, const CandidateSet& cs,
             const CandidateSet* paths_cs);
  CandidateSet paths_only_features(const TraceView& view, const Timeline& tl) const;
  void flush();

  StudentTrainOptions options_;
  Timeline main_;
  std::vector<std::unique_ptr<Timeline>> replicas_;  // one per extra thread
  std::vector<Queued> queue_;
  uint64_t traces_ = 0;  // traces added, the key of their issue variants
  RankingData fit_, tune_;
  std::vector<size_t> tune_targets_;    // full target count per tune group
  RankingData fit_paths_, tune_paths_;  // traces with contents, featurized without them
  std::vector<size_t> tune_paths_targets_;
  StudentTrainSummary summary_;
};

}  // namespace pt::ranker
