// The student with and without file contents on a generated repository (tests/support/issue_repo.h):
// a model trained with contents must still answer sensibly when served with paths only (as
// local:student@PATH is, knowing only the prompt's tree), falling back to its path features.
#include <gtest/gtest.h>

#include <memory>

#include "ranker/bm25.h"
#include "ranker/student.h"
#include "ranker/student_trainer.h"
#include "ranker/tree_contents.h"
#include "support/issue_repo.h"

namespace pt::ranker {
namespace {

namespace ir = pt_test::issue_repo;

struct Trained {
  std::unique_ptr<StudentModel> model;
  size_t held_from = 0;  // commits [held_from, end) are held out, never trained on
};

// Trains on the oldest 80% of the commits (the newest 15% of those as tune traces).
Trained train(const ir::Repo& r, const RepoContents* repo, bool paths_only_fallback) {
  StudentTrainOptions o;
  o.paths_only_fallback = paths_only_fallback;
  StudentTrainer t(o);
  Trained out;
  out.held_from = r.commits.size() * 8 / 10;
  const size_t tune_from = out.held_from - out.held_from * 15 / 100;
  for (size_t c = 0; c < out.held_from; ++c) {
    TraceView v = make_trace_view(ir::system_prompt(r, c), r.commits[c].text);
    if (repo) v.tree = repo->tree("t");
    t.add(v, r.commits[c].gold, c >= tune_from);
  }
  out.model = t.finish(StudentMeta{"truth", 0, 0, 1, "test"});
  return out;
}

// Mean recall@5 on the held-out commits, each served with or without the tree's contents.
double held_out_recall(const ir::Repo& r, const Trained& m, const RepoContents* serve_with) {
  double sum = 0;
  for (size_t c = m.held_from; c < r.commits.size(); ++c) {
    TraceView v = make_trace_view(ir::system_prompt(r, c), r.commits[c].text);
    if (serve_with) v.tree = serve_with->tree("t");
    std::vector<std::string> ranked;
    for (const auto& s : m.model->score(v)) ranked.push_back(s.path);
    sum += ir::recall5(ranked, r.commits[c].gold);
  }
  return sum / static_cast<double>(r.commits.size() - m.held_from);
}

double bm25_recall(const ir::Repo& r, size_t from) {
  double sum = 0;
  for (size_t c = from; c < r.commits.size(); ++c) {
    std::vector<std::string> ranked;
    for (const auto& s : bm25_rank_paths(r.paths, r.commits[c].text)) ranked.push_back(r.paths[s.index]);
    sum += ir::recall5(ranked, r.commits[c].gold);
  }
  return sum / static_cast<double>(r.commits.size() - from);
}

TEST(StudentContents, TrainedWithContentsStillAnswersWithPathsOnly) {
  for (uint64_t seed : {3u, 17u}) {
    SCOPED_TRACE(seed);
    const ir::Repo r = ir::make_repo(30, 1000, 0, seed);
    RepoContents repo;
    repo.add_files_tree("t", r.files);
    const Trained with = train(r, &repo, true);
    const Trained no_fallback = train(r, &repo, false);  // one ensemble, trained with contents only
    const Trained paths = train(r, nullptr, false);
    const double served_with = held_out_recall(r, with, &repo);
    const double served_without = held_out_recall(r, with, nullptr);
    const double paths_model = held_out_recall(r, paths, nullptr);
    const double bm25 = bm25_recall(r, with.held_from);
    // Contents help when they are there; without them the model falls back to its paths-only
    // ensemble: as good as a model that never saw contents, well above local:bm25, and better than
    // the contents ensemble fed zeros for its content features.
    EXPECT_GT(served_with, paths_model + 0.05);
    EXPECT_GE(served_without, paths_model - 0.02) << "with contents " << served_with;
    // The paths-only ensemble only answers calls without contents.
    EXPECT_EQ(held_out_recall(r, with, &repo), held_out_recall(r, no_fallback, &repo));
    EXPECT_GT(served_without, bm25 + 0.3);
    EXPECT_GT(served_without, held_out_recall(r, no_fallback, nullptr) + 0.03);
  }
}

TEST(StudentContents, PathsOnlyEnsembleIsTrainedOnTheSameTracesWithoutContentsAndSaved) {
  const ir::Repo r = ir::make_repo(20, 200, 0, 5);
  RepoContents repo;
  repo.add_files_tree("t", r.files);
  StudentTrainer t(StudentTrainOptions{});
  for (size_t c = 0; c < 150; ++c) {
    TraceView v = make_trace_view(ir::system_prompt(r, c), r.commits[c].text);
    if (c % 10 != 0) v.tree = repo.tree("t");  // every 10th call's commit is unknown
    t.add(v, r.commits[c].gold, c >= 130);
  }
  auto has_contents = [](const RankingData& d, size_t g) { return d.row(d.group_start[g])[kHasContents] != 0.f; };
  for (size_t g = 0; g < t.tune_paths_data().groups(); ++g) EXPECT_FALSE(has_contents(t.tune_paths_data(), g));
  for (size_t g = 0; g < t.fit_paths_data().groups(); ++g) EXPECT_FALSE(has_contents(t.fit_paths_data(), g));
  EXPECT_EQ(t.tune_paths_data().groups(), 18u);  // tune traces 130..149 with contents
  StudentTrainSummary summary;
  auto model = t.finish(StudentMeta{"truth", 0, 0, 1, "test"}, &summary);
  EXPECT_EQ(summary.paths_only_traces, 135u);
  ASSERT_FALSE(model->paths_only.ensemble.trees.empty());
  auto back = StudentModel::parse(model->serialize(), "m.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  TraceView v = make_trace_view(ir::system_prompt(r, 160), r.commits[160].text);
  auto a = model->score(v), b = (*back)->score(v);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].path, b[i].path);
  EXPECT_EQ(&model->scorer(v), &model->paths_only.ensemble);
  v.tree = repo.tree("t");
  EXPECT_EQ(&model->scorer(v), &model->ensemble);
  // Trained without any contents: no second ensemble, nothing extra in the file.
  StudentTrainer plain(StudentTrainOptions{});
  for (size_t c = 0; c < 150; ++c)
    plain.add(make_trace_view(ir::system_prompt(r, c), r.commits[c].text), r.commits[c].gold, c >= 130);
  auto m2 = plain.finish(StudentMeta{"truth", 0, 0, 1, "test"});
  EXPECT_TRUE(m2->paths_only.ensemble.trees.empty());
  EXPECT_EQ(m2->serialize().find("paths_only"), std::string::npos);
}

}  // namespace
}  // namespace pt::ranker
