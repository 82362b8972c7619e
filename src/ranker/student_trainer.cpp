// Implementation of ranker/student_trainer.h.
#include "ranker/student_trainer.h"

#include <algorithm>
#include <optional>
#include <thread>
#include <unordered_set>

#include "util/hash.h"

namespace pt::ranker {

namespace {
constexpr size_t kQueuedTraces = 256;  // traces extracted together on the threads
}  // namespace

StudentTrainer::StudentTrainer(StudentTrainOptions options) : options_(std::move(options)) {
  main_.stats.params = options_.history;
  fit_.num_features = kFeatureCount;
  tune_.num_features = kFeatureCount;
  int threads = options_.gbdt.threads;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int t = 1; t < std::min(threads, 8); ++t) replicas_.push_back(std::make_unique<Timeline>(main_));
  fit_paths_.num_features = kFeatureCount;
  tune_paths_.num_features = kFeatureCount;
}

CandidateSet StudentTrainer::features_now(const TraceView& view) const {
  return extract_candidates(view, main_.stats, main_.hot, options_.candidates);
}

void StudentTrainer::Timeline::before(bool tune, const StudentTrainOptions& o) {
  if (tune && !tune_started) {
    observe_pending(0);  // tune traces come after every fit trace, as held-out traces do
    tune_started = true;
  }
  if (stats.events != hot_events && stats.events % static_cast<int64_t>(std::max<size_t>(o.hot_refresh, 1)) == 0) {
    hot = stats.top_files(kHotFiles);
    hot_events = stats.events;
  }
}

void StudentTrainer::Timeline::after(const std::vector<std::string>& words, const std::vector<std::string>& targets,
                                     bool tune, const StudentTrainOptions& o) {
  if (o.no_history) return;  // the statistics stay empty
  pending.emplace_back(words, targets);
  if (!(tune && o.freeze_for_tune)) observe_pending(tune ? 0 : o.fit_lag);
}

std::optional<IssueVariant> StudentTrainer::next_variant(const TraceView& view, const std::vector<std::string>& targets,
                                                         bool tune) {
  const uint64_t key = hash64(std::to_string(options_.gbdt.seed) + ":" + std::to_string(traces_++));
  if (tune || !view.tree || options_.issue_variants <= 0) return std::nullopt;
  SplitMix64 rng{key};
  if (rng.uniform() >= options_.issue_variants) return std::nullopt;
  return make_issue_variant(view, targets, rng.next());
}

CandidateSet StudentTrainer::variant_features(const TraceView& view, const IssueVariant& variant,
                                              const Timeline& tl) const {
  TraceView v = view;
  set_request(v, variant.request);
  return extract_candidates(v, tl.stats, tl.hot, options_.candidates);
}

void StudentTrainer::label_variant(const TraceView& view, const IssueVariant& variant, const CandidateSet& cs) {
  std::vector<float> labels(cs.size(), 0.f);
  bool hit = false;
  for (size_t i = 0; i < cs.size(); ++i)
    if (view.files[static_cast<size_t>(cs.file[i])] == variant.target) labels[i] = 1.f, hit = true;
  if (!hit) return;
  fit_.add_group(cs.x.data(), labels.data(), cs.size());
  ++summary_.issue_variants;
}

void StudentTrainer::add(const TraceView& view, const std::vector<std::string>& targets, bool tune) {
  flush();
  main_.before(tune, options_);
  for (auto& r : replicas_) r->before(tune, options_);
  CandidateSet cs = features_now(view);
  std::optional<CandidateSet> paths_cs;
  if (view.tree && options_.paths_only_fallback) paths_cs = paths_only_features(view, main_);
  label(view, targets, tune, cs, paths_cs ? &*paths_cs : nullptr);
  if (auto variant = next_variant(view, targets, tune))
    label_variant(view, *variant, variant_features(view, *variant, main_));
  main_.after(view.unique_words, targets, tune, options_);
  for (auto& r : replicas_) r->after(view.unique_words, targets, tune, options_);
}

void StudentTrainer::add(TraceView&& view, std::vector<std::string> targets, bool tune) {
  std::optional<IssueVariant> variant = next_variant(view, targets, tune);
  queue_.push_back({std::move(view), std::move(targets), tune, std::move(variant)});
  if (queue_.size() >= kQueuedTraces) flush();
}

void StudentTrainer::begin_history() {
  flush();
  main_ = Timeline{};
  main_.stats.params = options_.history;
  for (auto& r : replicas_) *r = main_;
}

// Thread t advances its timeline through every queued trace and extracts the features of traces
// t, t + T, t + 2T, ...; then this thread labels them all in order.
void StudentTrainer::flush() {
  if (queue_.empty()) return;
  std::vector<CandidateSet> cs(queue_.size());
  std::vector<std::optional<CandidateSet>> paths_cs(queue_.size()), variant_cs(queue_.size());
  auto run = [&](Timeline& tl, size_t t, size_t stride) {
    for (size_t j = 0; j < queue_.size(); ++j) {
      const Queued& q = queue_[j];
      tl.before(q.tune, options_);
      if (j % stride == t) {
        cs[j] = extract_candidates(q.view, tl.stats, tl.hot, options_.candidates);
        if (q.view.tree && options_.paths_only_fallback) paths_cs[j] = paths_only_features(q.view, tl);
        if (q.variant) variant_cs[j] = variant_features(q.view, *q.variant, tl);
      }
      tl.after(q.view.unique_words, q.targets, q.tune, options_);
    }
  };
  const size_t stride = replicas_.size() + 1;
  std::vector<std::thread> threads;
  for (size_t t = 1; t < stride; ++t) threads.emplace_back(run, std::ref(*replicas_[t - 1]), t, stride);
  run(main_, 0, stride);
  for (auto& th : threads) th.join();
  for (size_t j = 0; j < queue_.size(); ++j) {
    label(queue_[j].view, queue_[j].targets, queue_[j].tune, cs[j], paths_cs[j] ? &*paths_cs[j] : nullptr);
    if (variant_cs[j]) label_variant(queue_[j].view, *queue_[j].variant, *variant_cs[j]);
  }
  queue_.clear();
}

// The same trace as a call served without contents sees it (for the paths-only ensemble), with
// the statistics of `tl` at that trace.
CandidateSet StudentTrainer::paths_only_features(const TraceView& view, const Timeline& tl) const {
  TraceView paths_only = view;
  paths_only.tree.reset();
  return extract_candidates(paths_only, tl.stats, tl.hot, options_.candidates);
}

void StudentTrainer::label(const TraceView& view, const std::vector<std::string>& targets, bool tune,
                           const CandidateSet& cs, const CandidateSet* paths_cs) {
  std::unordered_set<std::string_view> target_set(targets.begin(), targets.end());
  auto labels_of = [&](const CandidateSet& set, size_t& hits) {
    std::vector<float> labels(set.size(), 0.f);
    hits = 0;
    for (size_t i = 0; i < set.size(); ++i) {
      if (target_set.count(view.files[static_cast<size_t>(set.file[i])])) {
        labels[i] = 1.f;
        ++hits;
      }
    }
    return labels;
  };
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
  if (paths_cs) {
    std::vector<float> po_labels = labels_of(*paths_cs, hits);
    if (tune) {
      tune_paths_.add_group(paths_cs->x.data(), po_labels.data(), paths_cs->size());
      tune_paths_targets_.push_back(target_set.size());
    } else if (hits > 0) {
      fit_paths_.add_group(paths_cs->x.data(), po_labels.data(), paths_cs->size());
    }
    ++summary_.paths_only_traces;
  }
}

void StudentTrainer::Timeline::observe_pending(size_t keep) {
  while (pending.size() - pending_head > keep) {
    auto& [words, targets] = pending[pending_head++];
    stats.observe(words, targets);
    words.clear();
    targets.clear();
  }
  if (pending_head == pending.size()) {
    pending.clear();
    pending_head = 0;
  }
}

namespace {

// The tune groups as calibration traces, scored by `model` (rows scored on `threads` threads).
std::vector<CalibrationTrace> calibration_traces(const RankingData& tune, const std::vector<size_t>& targets,
                                                 const Ensemble& model, int threads) {
  const std::vector<double> scores = predict_rows(model, tune, threads);
  std::vector<CalibrationTrace> traces;
  for (size_t g = 0; g < tune.groups(); ++g) {
    uint32_t b = tune.group_start[g], e = tune.group_start[g + 1];
    std::vector<std::pair<double, uint32_t>> order;
    for (uint32_t r = b; r < e; ++r) order.push_back({-scores[r], r});
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
double tune_recall5(const RankingData& tune, const std::vector<size_t>& targets, const Ensemble& model, int threads) {
  double sum = 0;
  for (const auto& t : calibration_traces(tune, targets, model, threads)) {
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
  return calibration_traces(tune_, tune_targets_, model, options_.gbdt.threads);
}

std::unique_ptr<StudentModel> StudentTrainer::finish(StudentMeta meta, StudentTrainSummary* summary,
                                                     Progress* fit_progress) {
  flush();
  replicas_.clear();
  auto model = std::make_unique<StudentModel>();
  const bool have_tune = tune_.rows() > 0;
  const bool refit = have_tune && options_.refit_all;
  const bool search = have_tune && options_.grid.size() > 1;
  const int64_t fits = search ? static_cast<int64_t>(options_.grid.size()) : 1;
  int64_t built = 0;  // trees built so far, every phase
  if (fit_progress) fit_progress->begin();
  auto phase1_total = [&] { return int64_t{options_.gbdt.max_trees} * (fits + (refit ? 1 : 0)); };
  // Phase 1: fit on the older traces, stop early and calibrate on the newest (tune) ones; with a
  // grid, each candidate is fitted so and the best on the tune traces is kept.
  GbdtParams chosen = options_.gbdt;
  if (search) {
    // The grid's fits share the fit set, so they share its binning (the same trees as their own).
    const BinnedData binned = bin_ranking_data(fit_, options_.grid[0].max_bins, options_.gbdt.threads);
    for (size_t k = 0; k < options_.grid.size(); ++k) {
      GbdtParams p = options_.grid[k];
      p.seed = options_.gbdt.seed;
      p.threads = options_.gbdt.threads;
      TrainReport rep;
      const int64_t before = built;
      Ensemble e = train_lambdamart(
          fit_, &tune_, p, &rep,
          [&](int trees) {
            built = before + trees;
            if (fit_progress) fit_progress->update(built, phase1_total());
          },
          &binned);
      HyperTrial t{p.max_leaves,
                   p.min_leaf_rows,
                   p.learning_rate,
                   static_cast<int>(e.trees.size()),
                   tune_recall5(tune_, tune_targets_, e, p.threads),
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
    model->ensemble =
        train_lambdamart(fit_, have_tune ? &tune_ : nullptr, options_.gbdt, &summary_.gbdt, [&](int trees) {
          built = trees;
          if (fit_progress) fit_progress->update(built, phase1_total());
        });
  }
  if (have_tune) {
    // Phase 2: the newest traces matter most for what comes next, so refit on everything with
    // the tree count phase 1 chose.
    if (options_.refit_all && !model->ensemble.trees.empty()) {
      GbdtParams p = chosen;
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
    model->calibration = calibrate(calibration_traces(tune_, tune_targets_, model->ensemble, chosen.threads));
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
          calibrate(calibration_traces(tune_paths_, tune_paths_targets_, model->paths_only.ensemble, chosen.threads));
    }
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
  main_.observe_pending(0);
  model->stats = main_.stats;
  model->hot_files = model->stats.top_files(kHotFiles);
  if (summary) *summary = summary_;
  return model;
}
}  // namespace pt::ranker
