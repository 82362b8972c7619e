// Implementation of ranker/student_trainer.h.
#include "ranker/student_trainer.h"

#include <algorithm>
#include <unordered_set>

namespace pt::ranker {

StudentTrainer::StudentTrainer(StudentTrainOptions options) : options_(std::move(options)) {
  stats_.params = options_.history;
  fit_.num_features = kFeatureCount;
  tune_.num_features = kFeatureCount;
}

CandidateSet StudentTrainer::features_now(const TraceView& view) const {
  return extract_candidates(view, stats_, hot_, options_.candidates);
}

void StudentTrainer::add(const TraceView& view, const std::vector<std::string>& targets, bool tune) {
  if (tune && !tune_started_) {
    observe_pending(0);  // tune traces come after every fit trace, as held-out traces do
    tune_started_ = true;
  }
  if (stats_.events != hot_events_ &&
      stats_.events % static_cast<int64_t>(std::max<size_t>(options_.hot_refresh, 1)) == 0) {
    hot_ = stats_.top_files(kHotFiles);
    hot_events_ = stats_.events;
  }
  CandidateSet cs = features_now(view);
  std::unordered_set<std::string_view> target_set(targets.begin(), targets.end());
  std::vector<float> labels(cs.size(), 0.f);
  size_t hits = 0;
  for (size_t i = 0; i < cs.size(); ++i) {
    if (target_set.count(view.files[static_cast<size_t>(cs.file[i])])) {
      labels[i] = 1.f;
      ++hits;
    }
  }
  (tune ? summary_.tune_targets : summary_.targets) += target_set.size();
  (tune ? summary_.tune_targets_in_candidates : summary_.targets_in_candidates) += hits;
  if (tune) {
    // Tune groups keep every trace (even without a hit) so calibration sees the real misses.
    tune_.add_group(cs.x.data(), labels.data(), cs.size());
    tune_targets_.push_back(target_set.size());
    ++summary_.tune_traces;
  } else {
    if (hits > 0) fit_.add_group(cs.x.data(), labels.data(), cs.size());
    ++summary_.fit_traces;
  }
  pending_.emplace_back(view.unique_words, targets);
  if (!(tune && options_.freeze_for_tune)) observe_pending(tune ? 0 : options_.fit_lag);
}

void StudentTrainer::observe_pending(size_t keep) {
  while (pending_.size() - pending_head_ > keep) {
    auto& [words, targets] = pending_[pending_head_++];
    stats_.observe(words, targets);
    words.clear();
    targets.clear();
  }
  if (pending_head_ == pending_.size()) {
    pending_.clear();
    pending_head_ = 0;
  }
}

namespace {

// The tune groups as calibration traces, scored by `model`.
std::vector<CalibrationTrace> calibration_traces(const RankingData& tune, const std::vector<size_t>& targets,
                                                 const Ensemble& model) {
  std::vector<CalibrationTrace> traces;
  for (size_t g = 0; g < tune.groups(); ++g) {
    uint32_t b = tune.group_start[g], e = tune.group_start[g + 1];
    std::vector<std::pair<double, uint32_t>> order;
    for (uint32_t r = b; r < e; ++r) order.push_back({-model.predict(tune.row(r)), r});
    std::sort(order.begin(), order.end());
    CalibrationTrace t;
    for (const auto& [neg, r] : order) {
      t.scores.push_back(-neg);
      t.hit.push_back(tune.label[r] > 0 ? 1 : 0);
    }
    t.targets = targets[g];
    traces.push_back(std::move(t));
  }
  return traces;
}

// fit + the tune groups that have a relevant candidate.
RankingData merged(const RankingData& fit, const RankingData& tune) {
  RankingData all = fit;
  for (size_t g = 0; g < tune.groups(); ++g) {
    uint32_t b = tune.group_start[g], e = tune.group_start[g + 1];
    bool any = false;
    for (uint32_t r = b; r < e; ++r) any = any || tune.label[r] > 0;
    if (any) all.add_group(tune.row(b), tune.label.data() + b, e - b);
  }
  return all;
}

}  // namespace

std::vector<CalibrationTrace> StudentTrainer::tune_traces_scored_by(const Ensemble& model) const {
  return calibration_traces(tune_, tune_targets_, model);
}

std::unique_ptr<StudentModel> StudentTrainer::finish(StudentMeta meta, StudentTrainSummary* summary,
                                                     Progress* fit_progress) {
  auto model = std::make_unique<StudentModel>();
  const bool have_tune = tune_.rows() > 0;
  const bool refit = have_tune && options_.refit_all;
  int64_t built = 0;  // trees built so far, both phases
  if (fit_progress) fit_progress->begin();
  auto phase1_tick = [&](int trees) {
    built = trees;
    if (fit_progress) fit_progress->update(built, int64_t{options_.gbdt.max_trees} * (refit ? 2 : 1));
  };
  // Phase 1: fit on the older traces, stop early and calibrate on the newest (tune) ones.
  model->ensemble = train_lambdamart(fit_, have_tune ? &tune_ : nullptr, options_.gbdt, &summary_.gbdt, phase1_tick);
  if (have_tune) {
    // Phase 2: the newest traces matter most for what comes next, so refit on everything with
    // the tree count phase 1 chose.
    if (options_.refit_all && !model->ensemble.trees.empty()) {
      GbdtParams p = options_.gbdt;
      p.max_trees = static_cast<int>(model->ensemble.trees.size());
      const int64_t phase1 = built;
      model->ensemble = train_lambdamart(merged(fit_, tune_), nullptr, p, nullptr, [&](int trees) {
        built = phase1 + trees;
        if (fit_progress) fit_progress->update(built, phase1 + p.max_trees);
      });
    }
    // Calibrate the model that answers (issue 17): the margin is in its score units, which a refit
    // changes. After a refit the tune traces are in its training data, so the answer length may be
    // a little optimistic; a margin from the phase-1 model would be in the wrong units altogether.
    model->calibration = calibrate(calibration_traces(tune_, tune_targets_, model->ensemble));
  }
  if (fit_progress) fit_progress->finish(built);
  summary_.fit_rows = fit_.rows();
  summary_.tune_rows = tune_.rows();
  summary_.calibration = model->calibration;
  meta.train_traces = static_cast<int64_t>(summary_.fit_traces + summary_.tune_traces);
  meta.tune_traces = static_cast<int64_t>(summary_.tune_traces);
  meta.seed = options_.gbdt.seed;
  model->meta = std::move(meta);
  model->candidates = options_.candidates;
  observe_pending(0);
  model->stats = stats_;
  model->hot_files = model->stats.top_files(kHotFiles);
  if (summary) *summary = summary_;
  return model;
}
}  // namespace pt::ranker
