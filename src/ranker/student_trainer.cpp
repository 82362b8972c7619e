// Implementation of ranker/student_trainer.h.
#include "ranker/student_trainer.h"

#include <algorithm>
#include <unordered_set>

namespace pt::ranker {

StudentTrainer::StudentTrainer(StudentTrainOptions options) : options_(std::move(options)) {
  stats_.params = options_.history;
  fit_.num_features = kFeatureCount;
  tune_.num_features = kFeatureCount;
  fit_paths_.num_features = kFeatureCount;
  tune_paths_.num_features = kFeatureCount;
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
  std::unordered_set<std::string_view> target_set(targets.begin(), targets.end());
  auto labels_of = [&](const CandidateSet& cs, size_t& hits) {
    std::vector<float> labels(cs.size(), 0.f);
    hits = 0;
    for (size_t i = 0; i < cs.size(); ++i) {
      if (target_set.count(view.files[static_cast<size_t>(cs.file[i])])) {
        labels[i] = 1.f;
        ++hits;
      }
    }
    return labels;
  };
  CandidateSet cs = features_now(view);
  size_t hits = 0;
  std::vector<float> labels = labels_of(cs, hits);
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
  if (view.tree && options_.paths_only_fallback) {
    // The same trace as a call served without contents sees it, for the paths-only ensemble.
    TraceView paths_only = view;
    paths_only.tree.reset();
    CandidateSet po = features_now(paths_only);
    std::vector<float> po_labels = labels_of(po, hits);
    if (tune) {
      tune_paths_.add_group(po.x.data(), po_labels.data(), po.size());
      tune_paths_targets_.push_back(target_set.size());
    } else if (hits > 0)
      fit_paths_.add_group(po.x.data(), po_labels.data(), po.size());
    ++summary_.paths_only_traces;
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

// Mean recall@5 of the tune traces (full target counts) under `model`.
double tune_recall5(const RankingData& tune, const std::vector<size_t>& targets, const Ensemble& model) {
  double sum = 0;
  for (const auto& t : calibration_traces(tune, targets, model)) {
    size_t hits = 0;
    for (size_t i = 0; i < t.hit.size() && i < 5; ++i) hits += t.hit[i];
    sum += t.targets ? static_cast<double>(hits) / static_cast<double>(t.targets) : 0.0;
  }
  return tune.groups() ? sum / static_cast<double>(tune.groups()) : 0.0;
}

}  // namespace

std::vector<GbdtParams> default_hyper_grid(const GbdtParams& base) {
  std::vector<GbdtParams> grid = {base, base, base};
  grid[1].max_leaves = std::max(4, base.max_leaves / 2);
  grid[1].min_leaf_rows = base.min_leaf_rows * 2;
  grid[2].max_leaves = base.max_leaves * 2;
  grid[2].min_leaf_rows = std::max(1, base.min_leaf_rows / 2);
  return grid;
}

std::vector<CalibrationTrace> StudentTrainer::tune_traces_scored_by(const Ensemble& model) const {
  return calibration_traces(tune_, tune_targets_, model);
}

std::unique_ptr<StudentModel> StudentTrainer::finish(StudentMeta meta, StudentTrainSummary* summary) {
  auto model = std::make_unique<StudentModel>();
  const bool have_tune = tune_.rows() > 0;
  // Phase 1: fit on the older traces, stop early and calibrate on the newest (tune) ones; with a
  // grid, each candidate is fitted so and the best on the tune traces is kept.
  GbdtParams chosen = options_.gbdt;
  if (have_tune && options_.grid.size() > 1) {
    for (size_t k = 0; k < options_.grid.size(); ++k) {
      GbdtParams p = options_.grid[k];
      p.seed = options_.gbdt.seed;
      p.threads = options_.gbdt.threads;
      TrainReport rep;
      Ensemble e = train_lambdamart(fit_, &tune_, p, &rep);
      HyperTrial t{p.max_leaves,
                   p.min_leaf_rows,
                   p.learning_rate,
                   static_cast<int>(e.trees.size()),
                   tune_recall5(tune_, tune_targets_, e),
                   rep.best_valid_ndcg};
      const bool better =
          summary_.chosen < 0 ||
          t.valid_recall5 > summary_.trials[static_cast<size_t>(summary_.chosen)].valid_recall5 + 1e-12 ||
          (t.valid_recall5 >= summary_.trials[static_cast<size_t>(summary_.chosen)].valid_recall5 - 1e-12 &&
           t.valid_ndcg > summary_.trials[static_cast<size_t>(summary_.chosen)].valid_ndcg + 1e-12);
      summary_.trials.push_back(t);
      if (better) {
        summary_.chosen = static_cast<int>(k);
        summary_.gbdt = rep;
        model->ensemble = std::move(e);
        chosen = p;
      }
    }
  } else {
    model->ensemble = train_lambdamart(fit_, have_tune ? &tune_ : nullptr, options_.gbdt, &summary_.gbdt);
  }
  if (have_tune) {
    // Phase 2: the newest traces matter most for what comes next, so refit on everything with
    // the tree count phase 1 chose.
    if (options_.refit_all && !model->ensemble.trees.empty()) {
      GbdtParams p = chosen;
      p.max_trees = static_cast<int>(model->ensemble.trees.size());
      model->ensemble = train_lambdamart(merged(fit_, tune_), nullptr, p);
    }
    // Calibrate the model that answers (issue 17): the margin is in its score units, which a refit
    // changes. After a refit the tune traces are in its training data, so the answer length may be
    // a little optimistic; a margin from the phase-1 model would be in the wrong units altogether.
    model->calibration = calibrate(calibration_traces(tune_, tune_targets_, model->ensemble));
  }
  if (summary_.paths_only_traces > 0 && fit_paths_.groups() > 0) {
    // Served without contents, the model answers with an ensemble trained on the same traces
    // featurized without them (its own tree count, refit and calibration, same hyper-parameters).
    const bool have_tune_paths = tune_paths_.rows() > 0;
    model->paths_only.ensemble = train_lambdamart(fit_paths_, have_tune_paths ? &tune_paths_ : nullptr, chosen);
    if (have_tune_paths) {
      if (options_.refit_all && !model->paths_only.ensemble.trees.empty()) {
        GbdtParams p = chosen;
        p.max_trees = static_cast<int>(model->paths_only.ensemble.trees.size());
        model->paths_only.ensemble = train_lambdamart(merged(fit_paths_, tune_paths_), nullptr, p);
      }
      model->paths_only.calibration =
          calibrate(calibration_traces(tune_paths_, tune_paths_targets_, model->paths_only.ensemble));
    }
  }
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
