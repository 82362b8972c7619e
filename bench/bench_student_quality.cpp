// The student's quality across repositories (issue 21): on each history (a store made by `import
// git` of a bundle, the bundle's contents), the newest 20% held out, ranking recall@5 with 95%
// bootstrap CIs of local:bm25, local:bm25-content, the student (`student train`'s protocol), the
// same rows fitted by XGBoost (rank:ndcg) and by a logistic regression; served without contents;
// leave-one-repository-out (the learner fitted on the other histories' rows); a feature-group
// ablation; and the issue-style requests of tests/support/issue_repo.h.
// Usage: bench_student_quality --repo=NAME=STORE_URI@BUNDLE [...] [--out=FILE.json] [--threads=N]
#include <fmt/format.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/file_list.h"
#include "core/metrics.h"
#include "core/picker_call.h"
#include "pipeline/join/teacher_answers.h"
#include "pipeline/student/student_train.h"
#include "providers/model.h"
#include "ranker/bm25.h"
#include "ranker/student_trainer.h"
#include "ranker/tree_contents.h"
#include "store/newest_window.h"
#include "store/store.h"
#include "support/issue_repo.h"
#include "util/atomic_file.h"

namespace {

using namespace pt;
using namespace pt::ranker;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int g_threads = 2;

// Held-out rows: one group per held-out trace, with its full target count (targets outside the
// candidates count as misses).
struct TestSet {
  RankingData rows;
  std::vector<size_t> targets;
};

struct History {
  std::string name;
  RankingData fit, tune;
  std::unique_ptr<StudentModel> model;
  StudentTrainSummary summary;
  TestSet test, test_without_contents, test_cold;
  std::vector<double> bm25, bm25_content;  // per held-out trace
  double seconds_features = 0, seconds_student = 0;
};

using Scorer = std::function<double(const float*)>;

// Per-trace recall@5 of a scorer's ranking (ties: candidate order).
std::vector<double> recall5(const TestSet& t, const Scorer& score) {
  std::vector<double> out;
  for (size_t g = 0; g < t.rows.groups(); ++g) {
    const uint32_t b = t.rows.group_start[g], e = t.rows.group_start[g + 1];
    std::vector<std::pair<double, uint32_t>> order;
    for (uint32_t r = b; r < e; ++r) order.push_back({-score(t.rows.row(r)), r});
    std::stable_sort(order.begin(), order.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    size_t hits = 0;
    for (size_t i = 0; i < order.size() && i < 5; ++i) hits += t.rows.label[order[i].second] > 0 ? 1 : 0;
    out.push_back(t.targets[g] ? static_cast<double>(hits) / static_cast<double>(t.targets[g]) : 0.0);
  }
  return out;
}

Json ci(const std::vector<double>& v, const std::string& series) {
  BootstrapOptions o;
  o.seed = series_seed(o.seed, series);
  MeanCI m = bootstrap_mean(v, o);
  return {{"mean", m.mean}, {"lo", m.lo}, {"hi", m.hi}, {"n", v.size()}};
}

void add_group(TestSet& t, const CandidateSet& cs, const TraceView& view, const std::vector<std::string>& targets) {
  t.rows.num_features = kFeatureCount;
  std::unordered_set<std::string_view> set(targets.begin(), targets.end());
  std::vector<float> labels(cs.size(), 0.f);
  for (size_t i = 0; i < cs.size(); ++i) labels[i] = set.count(view.files[static_cast<size_t>(cs.file[i])]) ? 1.f : 0.f;
  t.rows.add_group(cs.x.data(), labels.data(), cs.size());
  t.targets.push_back(set.size());
}

double r5(const std::vector<std::string>& paths, const std::vector<PathScore>& ranked,
          const std::vector<std::string>& targets) {
  std::vector<std::string> top;
  for (size_t i = 0; i < ranked.size() && i < 5; ++i) top.push_back(paths[ranked[i].index]);
  return pt_test::issue_repo::recall5(top, targets);
}

// One history: features exactly as `student train --repo` makes them, the product model, and
// the held-out rows under the model's statistics (with contents, without, and with no history).
Result<History> load_history(const std::string& name, const std::string& uri, const std::string& bundle) {
  History h;
  h.name = name;
  PT_ASSIGN_OR_RETURN(auto store, open_store(StoreOptions{uri, "dev"}));
  PT_ASSIGN_OR_RETURN(auto answers,
                      TeacherAnswers::load(*store, "truth", {}, [](const std::string&, const std::string&) {}));
  RowFilter filter;
  filter.type = std::string(kGetRelevantFiles);
  PT_ASSIGN_OR_RETURN(NewestWindow window, newest_window(*store, filter, 0.2));
  const std::unordered_set<std::string> held_ids(window.ids.begin(), window.ids.end());
  std::shared_ptr<const RepoContents> contents;
  PT_ASSIGN_OR_RETURN(auto loaded, RepoContents::load_git(bundle));
  contents = std::move(loaded);
  filter.order = RowFilter::Order::oldest_first;
  Recipe recipe;
  struct Example {
    TraceView view;
    std::vector<std::string> targets;
    bool held;
    double bm25 = 0;  // local:bm25's answer (held-out traces), as the provider gives it
  };
  PT_ASSIGN_OR_RETURN(auto bm25_model, make_local_model("local:bm25"));
  std::vector<Example> examples;
  PT_TRY(store->scan(Table::traces, filter, [&](Row&& row) {
    StudentExample j = join_student_example(answers, recipe, row);
    if (j.dropped) return true;
    TraceView v = make_trace_view(j.call);
    v.tree = contents->parent_tree(v.commit);
    const bool held = held_ids.count(row.id) > 0;
    double bm25 = 0;
    if (held) {
      auto a = bm25_model->answer(TeacherInput{&j.call, ""});
      if (a.ok()) bm25 = pt_test::issue_repo::recall5(parse_file_list(a->text), j.targets);
    }
    examples.push_back({std::move(v), std::move(j.targets), held, bm25});
    return true;
  }));
  size_t train = 0;
  for (const auto& e : examples) train += e.held ? 0 : 1;
  const size_t tune_from = train - static_cast<size_t>(std::floor(0.15 * static_cast<double>(train)));
  StudentTrainOptions options;
  options.gbdt.threads = g_threads;
  options.grid = default_hyper_grid(options.gbdt);
  StudentTrainer trainer(options);
  auto t0 = Clock::now();
  size_t i = 0;
  for (const auto& e : examples)
    if (!e.held) trainer.add(e.view, e.targets, i++ >= tune_from);
  h.seconds_features = since(t0);
  h.fit = trainer.fit_data();
  h.tune = trainer.tune_data();
  auto t1 = Clock::now();
  h.model = trainer.finish(StudentMeta{"truth", 0, 0, 1, "bench"}, &h.summary);
  h.seconds_student = since(t1);
  const HistoryStats none;
  for (auto& e : examples) {
    if (!e.held) continue;
    add_group(h.test, extract_candidates(e.view, h.model->stats, h.model->hot_files, h.model->candidates), e.view,
              e.targets);
    const std::string request = e.view.request;
    h.bm25_content.push_back(
        r5(e.view.files, bm25_content_rank(*contents, e.view.tree.get(), e.view.files, request), e.targets));
    h.bm25.push_back(e.bm25);
    add_group(h.test_cold, extract_candidates(e.view, none, {}, h.model->candidates), e.view, e.targets);
    e.view.tree.reset();
    add_group(h.test_without_contents,
              extract_candidates(e.view, h.model->stats, h.model->hot_files, h.model->candidates), e.view, e.targets);
  }
  return h;
}

RankingData concat(const std::vector<const RankingData*>& parts) {
  RankingData all;
  all.num_features = kFeatureCount;
  for (const RankingData* d : parts)
    for (size_t g = 0; g < d->groups(); ++g) {
      const uint32_t b = d->group_start[g], e = d->group_start[g + 1];
      all.add_group(d->row(b), d->label.data() + b, e - b);
    }
  return all;
}

// Groups with a relevant row (what the learners fit on).
RankingData with_hits(const RankingData& d) {
  RankingData out;
  out.num_features = d.num_features;
  for (size_t g = 0; g < d.groups(); ++g) {
    const uint32_t b = d.group_start[g], e = d.group_start[g + 1];
    if (std::any_of(d.label.begin() + b, d.label.begin() + e, [](float l) { return l > 0; }))
      out.add_group(d.row(b), d.label.data() + b, e - b);
  }
  return out;
}

// Ours: early stopping on `tune`, then a refit on fit + tune with that many trees (the trainer's protocol).
Ensemble fit_ours(const RankingData& fit, const RankingData& tune, GbdtParams p, bool refit = true) {
  p.threads = g_threads;
  Ensemble e = train_lambdamart(fit, &tune, p);
  if (!refit || e.trees.empty()) return e;
  p.max_trees = static_cast<int>(e.trees.size());
  return train_lambdamart(with_hits(concat({&fit, &tune})), nullptr, p);
}

// ---- XGBoost (C API of Debian's libxgboost) ----
#define XGB_OK(call)                                                           \
  do {                                                                         \
    if ((call) != 0) throw std::runtime_error(std::string(XGBGetLastError())); \
  } while (0)

struct XgbModel {
  std::shared_ptr<void> booster;
  int rounds = 0;
  std::vector<double> mean, scale;  // standardisation (linear models)
  std::vector<double> predict(const RankingData& d) const {
    std::vector<float> x = d.x;
    if (!mean.empty())
      for (size_t r = 0; r < d.rows(); ++r)
        for (int f = 0; f < kFeatureCount; ++f) {
          float& v = x[r * kFeatureCount + static_cast<size_t>(f)];
          v = static_cast<float>((v - mean[static_cast<size_t>(f)]) / scale[static_cast<size_t>(f)]);
        }
    DMatrixHandle m;
    XGB_OK(XGDMatrixCreateFromMat(x.data(), d.rows(), kFeatureCount, NAN, &m));
    std::string config = fmt::format(
        R"({{"type": 0, "training": false, "iteration_begin": 0, "iteration_end": {}, "strict_shape": false}})",
        mean.empty() ? rounds : 0);
    const bst_ulong* shape;
    bst_ulong dim;
    const float* out;
    XGB_OK(XGBoosterPredictFromDMatrix(booster.get(), m, config.c_str(), &shape, &dim, &out));
    std::vector<double> s(out, out + d.rows());
    XGDMatrixFree(m);
    return s;
  }
};

std::shared_ptr<void> dmatrix(const RankingData& d, const std::vector<float>* x = nullptr) {
  DMatrixHandle m;
  XGB_OK(XGDMatrixCreateFromMat(x ? x->data() : d.x.data(), d.rows(), kFeatureCount, NAN, &m));
  XGB_OK(XGDMatrixSetFloatInfo(m, "label", d.label.data(), d.rows()));
  std::vector<unsigned> sizes;
  for (size_t g = 0; g < d.groups(); ++g) sizes.push_back(d.group_start[g + 1] - d.group_start[g]);
  XGB_OK(XGDMatrixSetUIntInfo(m, "group", sizes.data(), sizes.size()));
  return std::shared_ptr<void>(m, [](void* p) { XGDMatrixFree(p); });
}

std::shared_ptr<void> booster(const std::shared_ptr<void>& train, const std::map<std::string, std::string>& params) {
  BoosterHandle b;
  DMatrixHandle d = train.get();
  XGB_OK(XGBoosterCreate(&d, 1, &b));
  for (const auto& [k, v] : params) XGB_OK(XGBoosterSetParam(b, k.c_str(), v.c_str()));
  XGB_OK(XGBoosterSetParam(b, "nthread", std::to_string(g_threads).c_str()));
  XGB_OK(XGBoosterSetParam(b, "seed", "1"));
  return std::shared_ptr<void>(b, [](void* p) { XGBoosterFree(p); });
}

const std::map<std::string, std::string> kXgbRank = {
    {"objective", "rank:ndcg"}, {"eta", "0.1"},       {"max_depth", "6"},        {"tree_method", "hist"},
    {"max_bin", "64"},          {"subsample", "0.8"}, {"min_child_weight", "1"}, {"lambda", "1"}};

// rank:ndcg with early stopping on the tune groups' NDCG@10 (checked every 10 rounds), then a
// refit on fit + tune with that many rounds.
XgbModel fit_xgb(const RankingData& fit, const RankingData& tune) {
  auto dfit = dmatrix(fit);
  XgbModel m;
  m.booster = booster(dfit, kXgbRank);
  double best = -1;
  int best_rounds = 10;
  for (int it = 0; it < 400; ++it) {
    XGB_OK(XGBoosterUpdateOneIter(m.booster.get(), it, dfit.get()));
    if ((it + 1) % 10) continue;
    m.rounds = it + 1;
    auto s = m.predict(tune);
    double ndcg = mean_ndcg(tune, s, 10);
    if (ndcg > best + 1e-9) {
      best = ndcg;
      best_rounds = it + 1;
    } else if (it + 1 - best_rounds >= 30) {
      break;
    }
  }
  RankingData all = with_hits(concat({&fit, &tune}));
  auto dall = dmatrix(all);
  XgbModel out;
  out.booster = booster(dall, kXgbRank);
  out.rounds = best_rounds;
  for (int it = 0; it < best_rounds; ++it) XGB_OK(XGBoosterUpdateOneIter(out.booster.get(), it, dall.get()));
  return out;
}

// Logistic regression (pointwise, every candidate row of fit + tune, standardised features, L2):
// XGBoost's linear booster with the logistic loss, by coordinate descent.
XgbModel fit_logistic(const RankingData& fit, const RankingData& tune) {
  RankingData all = with_hits(concat({&fit, &tune}));
  XgbModel m;
  m.mean.assign(kFeatureCount, 0);
  m.scale.assign(kFeatureCount, 0);
  const double n = static_cast<double>(all.rows());
  for (size_t r = 0; r < all.rows(); ++r)
    for (int f = 0; f < kFeatureCount; ++f) m.mean[static_cast<size_t>(f)] += all.row(r)[f] / n;
  for (size_t r = 0; r < all.rows(); ++r)
    for (int f = 0; f < kFeatureCount; ++f) {
      double d = all.row(r)[f] - m.mean[static_cast<size_t>(f)];
      m.scale[static_cast<size_t>(f)] += d * d / n;
    }
  for (double& s : m.scale) s = s > 1e-12 ? std::sqrt(s) : 1.0;
  std::vector<float> x = all.x;
  for (size_t r = 0; r < all.rows(); ++r)
    for (int f = 0; f < kFeatureCount; ++f) {
      float& v = x[r * kFeatureCount + static_cast<size_t>(f)];
      v = static_cast<float>((v - m.mean[static_cast<size_t>(f)]) / m.scale[static_cast<size_t>(f)]);
    }
  auto d = dmatrix(all, &x);
  m.booster = booster(d, {{"booster", "gblinear"},
                          {"objective", "binary:logistic"},
                          {"updater", "coord_descent"},
                          {"lambda", "1"},
                          {"alpha", "0"},
                          {"eta", "0.5"}});
  for (int it = 0; it < 200; ++it) XGB_OK(XGBoosterUpdateOneIter(m.booster.get(), it, d.get()));
  return m;
}

std::vector<double> recall5_of(const TestSet& t, const std::vector<double>& scores) {
  size_t k = 0;
  std::vector<double> copy = scores;
  return recall5(t, [&](const float*) { return copy[k++]; });
}

// ---- feature groups for the ablation ----
const std::vector<std::pair<std::string, std::vector<int>>> kGroups = {
    {"path lexical", {kBm25Path, kBm25Name, kNameCoverage, kMention, kPathRel, kPartnerBm25}},
    {"path shape", {kDepth, kIsTest, kDirPrior, kExtPrior}},
    {"recent commits",
     {kRecencyInv, kInPrev, kWindowCount, kWindowDecay, kWindowAdded, kWindowLocalCc, kPartnerRecency}},
    {"history rates", {kLogCount, kShortRate, kLongRate}},
    {"co-change", {kCochangePrev, kCochangeWindow, kCochangeMention, kCochangeLexical}},
    {"word associations", {kWordFileMax, kWordFileSum, kWordDirMax, kWordExtMax}},
    {"contents", {kBm25Content, kContentOnly, kContentRel, kHasContents}},
    {"symbols + frames", {kDefines, kFrame, kIssueShape, kQuotesMessage}},
    {"context", {kTreeSizeLog, kWordCount}},
};

// Ablation fits: default settings, but early stopping after 20 trees without gain (at most 150).
GbdtParams ablation_params() {
  GbdtParams p;
  p.max_trees = 150;
  p.early_stopping = 20;
  return p;
}

RankingData without(const RankingData& d, const std::vector<int>& features) {
  RankingData out = d;
  for (size_t r = 0; r < out.rows(); ++r)
    for (int f : features) out.x[r * kFeatureCount + static_cast<size_t>(f)] = 0.f;
  return out;
}
TestSet without(const TestSet& t, const std::vector<int>& features) { return {without(t.rows, features), t.targets}; }

// ---- the issue-style fixture: commits for training, issues never trained on ----
Json issue_fixture() {
  namespace ir = pt_test::issue_repo;
  Json out = Json::array();
  for (uint64_t seed : {3u, 7u, 11u, 19u}) {
    const ir::Repo r = ir::make_repo(40, 800, 60, seed);
    RepoContents repo;
    repo.add_files_tree("t", r.files);
    StudentTrainOptions o;
    o.gbdt.threads = g_threads;
    StudentTrainer t(o);
    const size_t tune_from = r.commits.size() - r.commits.size() * 15 / 100;
    for (size_t c = 0; c < r.commits.size(); ++c) {
      TraceView v = make_trace_view(ir::system_prompt(r, c), r.commits[c].text);
      v.tree = repo.tree("t");
      t.add(v, r.commits[c].gold, c >= tune_from);
    }
    auto model = t.finish(StudentMeta{"truth", 0, 0, 1, "bench"});
    std::vector<double> s, bc, b;
    for (const auto& issue : r.issues) {
      TraceView v = make_trace_view(ir::system_prompt(r, r.commits.size()), issue.text);
      v.tree = repo.tree("t");
      std::vector<std::string> ranked;
      for (const auto& f : model->score(v)) ranked.push_back(f.path);
      s.push_back(ir::recall5(ranked, issue.gold));
      bc.push_back(r5(r.paths, bm25_content_rank(repo, v.tree.get(), r.paths, issue.text), issue.gold));
      b.push_back(r5(r.paths, bm25_rank_paths(r.paths, issue.text), issue.gold));
    }
    out.push_back({{"seed", seed},
                   {"student", ci(s, "issues/student")},
                   {"bm25_content", ci(bc, "issues/bm25c")},
                   {"bm25", ci(b, "issues/bm25")}});
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::array<std::string, 3>> repos;
  std::string out_path;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--repo=", 0) == 0) {
      std::string v = a.substr(7);
      auto eq = v.find('='), at = v.rfind('@');
      if (eq == std::string::npos || at == std::string::npos || at < eq)
        return std::fprintf(stderr, "--repo=NAME=STORE_URI@BUNDLE, not %s\n", v.c_str()), 2;
      repos.push_back({v.substr(0, eq), v.substr(eq + 1, at - eq - 1), v.substr(at + 1)});
    } else if (a.rfind("--out=", 0) == 0) {
      out_path = a.substr(6);
    } else if (a.rfind("--threads=", 0) == 0) {
      g_threads = std::max(1, std::atoi(a.c_str() + 10));
    } else {
      return std::fprintf(stderr,
                          "usage: bench_student_quality --repo=NAME=STORE_URI@BUNDLE... [--out=F] [--threads=N]\n"),
             2;
    }
  }
  Json result;
  const auto t_all = Clock::now();
  // The JSON so far, after each stage (a long run interrupted still leaves its finished parts).
  auto save = [&](const Json& r) {
    if (!out_path.empty()) (void)write_file_atomic(out_path, r.dump(1) + "\n");
  };
  try {
    auto ti = Clock::now();
    result["issues"] = issue_fixture();
    result["issues_seconds"] = since(ti);
    std::fprintf(stderr, "issue fixture: %.1f s\n", since(ti));
    std::vector<History> hs;
    for (const auto& [name, uri, bundle] : repos) {
      auto t0 = Clock::now();
      auto h = load_history(name, uri, bundle);
      if (!h.ok()) return std::fprintf(stderr, "%s: %s\n", name.c_str(), h.error().message.c_str()), 1;
      hs.push_back(std::move(*h));
      const auto& b = hs.back().bm25;
      std::fprintf(stderr, "%s: %zu held out (local:bm25 recall@5 %.3f), loaded and trained in %.1f s\n", name.c_str(),
                   b.size(), b.empty() ? 0.0 : std::accumulate(b.begin(), b.end(), 0.0) / static_cast<double>(b.size()),
                   since(t0));
    }
    for (auto& h : hs) {
      Json j = result["histories"][h.name];
      j["held_out"] = h.test.targets.size();
      j["fit_groups"] = h.fit.groups();
      j["bm25"] = ci(h.bm25, h.name + "/bm25");
      j["bm25_content"] = ci(h.bm25_content, h.name + "/bm25c");
      const StudentModel& m = *h.model;
      j["student"] = ci(recall5(h.test, [&](const float* x) { return m.ensemble.predict(x); }), h.name + "/student");
      j["student_seconds"] = h.seconds_student;
      j["features_seconds"] = h.seconds_features;
      Json trials = Json::array();
      for (const auto& t : h.summary.trials)
        trials.push_back({{"max_leaves", t.max_leaves},
                          {"min_leaf_rows", t.min_leaf_rows},
                          {"trees", t.trees},
                          {"valid_recall5", t.valid_recall5}});
      j["hyper_trials"] = trials;
      j["hyper_chosen"] = h.summary.chosen;
      const Ensemble& po = m.paths_only.ensemble.trees.empty() ? m.ensemble : m.paths_only.ensemble;
      j["served_without_contents"] =
          ci(recall5(h.test_without_contents, [&](const float* x) { return po.predict(x); }), h.name + "/nocontents");
      j["served_without_contents_no_fallback"] =
          ci(recall5(h.test_without_contents, [&](const float* x) { return m.ensemble.predict(x); }), h.name + "/nofb");
      // Learners on the same rows: ours with default settings, XGBoost, logistic regression.
      auto t0 = Clock::now();
      Ensemble ours = fit_ours(h.fit, h.tune, GbdtParams{});
      j["ours_default_seconds"] = since(t0);
      j["ours_default"] = ci(recall5(h.test, [&](const float* x) { return ours.predict(x); }), h.name + "/ours");
      t0 = Clock::now();
      XgbModel xgb = fit_xgb(h.fit, h.tune);
      j["xgboost_seconds"] = since(t0);
      j["xgboost"] = ci(recall5_of(h.test, xgb.predict(h.test.rows)), h.name + "/xgb");
      j["xgboost_rounds"] = xgb.rounds;
      t0 = Clock::now();
      XgbModel lr = fit_logistic(h.fit, h.tune);
      j["logistic_seconds"] = since(t0);
      j["logistic"] = ci(recall5_of(h.test, lr.predict(h.test.rows)), h.name + "/lr");
      result["histories"][h.name] = j;
      save(result);
      std::fprintf(stderr, "%s: learners done (%.0f s)\n", h.name.c_str(), since(t_all));
      // Ablation (phase-1 fits, no refit, default settings): each group zeroed in fit, tune and test.
      Ensemble base = fit_ours(h.fit, h.tune, ablation_params(), false);
      j["ablation"]["none"] = ci(recall5(h.test, [&](const float* x) { return base.predict(x); }), h.name + "/abl");
      for (const auto& [group, features] : kGroups) {
        Ensemble e = fit_ours(without(h.fit, features), without(h.tune, features), ablation_params(), false);
        j["ablation"][group] =
            ci(recall5(without(h.test, features), [&](const float* x) { return e.predict(x); }), h.name + "/abl");
      }
      result["histories"][h.name] = j;
      save(result);
      std::fprintf(stderr, "%s: ablation done (%.0f s)\n", h.name.c_str(), since(t_all));
    }
    // Leave one repository out: the learner fitted on the other histories' rows (their own
    // statistics), applied to this one's held-out rows (its own history's statistics; cold: none).
    for (size_t k = 0; k < hs.size() && hs.size() > 1; ++k) {
      std::vector<const RankingData*> fits, tunes;
      for (size_t o = 0; o < hs.size(); ++o)
        if (o != k) fits.push_back(&hs[o].fit), tunes.push_back(&hs[o].tune);
      RankingData fit = concat(fits), tune = concat(tunes);
      Ensemble e = fit_ours(fit, tune, GbdtParams{});
      auto score = [&](const float* x) { return e.predict(x); };
      Json& j = result["histories"][hs[k].name];
      j["loro"] = ci(recall5(hs[k].test, score), hs[k].name + "/loro");
      j["loro_cold"] = ci(recall5(hs[k].test_cold, score), hs[k].name + "/loro_cold");
      save(result);
      std::fprintf(stderr, "%s: leave-one-out done (%.0f s)\n", hs[k].name.c_str(), since(t_all));
    }
  } catch (const std::exception& e) {
    return std::fprintf(stderr, "xgboost: %s\n", e.what()), 1;
  }
  std::string text = result.dump(1);
  std::puts(text.c_str());
  if (!out_path.empty()) {
    auto w = write_file_atomic(out_path, text + "\n");
    if (!w.ok()) return std::fprintf(stderr, "%s\n", w.error().message.c_str()), 1;
  }
  return 0;
}
