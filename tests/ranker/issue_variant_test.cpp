// Issue-shaped training requests (ranker/issue_variant.h): what they quote comes from the target's
// contents, they name no file of the tree, they are reproducible from their key, and the trainer
// fits them as extra groups without changing what a seed gives.
#include "ranker/issue_variant.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "ranker/features.h"
#include "ranker/issue_request.h"
#include "ranker/path_tokens.h"
#include "ranker/student.h"
#include "ranker/student_trainer.h"
#include "ranker/tree_contents.h"
#include "support/issue_repo.h"

namespace pt::ranker {
namespace {

namespace ir = pt_test::issue_repo;

TEST(IssueVariant, MaterialHoldsDefinedNamesAndErrorMessages) {
  RepoContents repo;
  repo.add_files_tree("t", {{"lib/a.py",
                             "class RowParser:\n    def parse_rows(self, data):\n        if not data:\n"
                             "            raise ValueError(\"empty row list given\")\n        log('ok')\n"},
                            {"lib/b.py", "x = 1\n"}});
  const auto tree = repo.tree("t");
  const IssueMaterial* m = repo.issue_material(*tree, "lib/a.py");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->names, (std::vector<std::string>{"RowParser", "parse_rows"}));
  EXPECT_EQ(m->messages, std::vector<std::string>{"empty row list given"});
  EXPECT_EQ(repo.issue_material(*tree, "lib/b.py"), nullptr);  // nothing quotable
  EXPECT_EQ(repo.issue_material(*tree, "lib/c.py"), nullptr);  // not in the tree
}

TEST(IssueVariant, QuotesTheTargetNamesNoFileAndIsReproducible) {
  const ir::Repo r = ir::make_repo(12, 60, 0, 5);
  RepoContents repo;
  repo.add_files_tree("t", r.files);
  size_t made = 0, frames = 0;
  for (size_t c = 0; c < r.commits.size(); ++c) {
    TraceView v = make_trace_view(ir::system_prompt(r, c), r.commits[c].text);
    v.tree = repo.tree("t");
    auto a = make_issue_variant(v, r.commits[c].gold, c);
    auto b = make_issue_variant(v, r.commits[c].gold, c);
    ASSERT_EQ(a.has_value(), b.has_value());
    // None only when no target has anything to quote (tests, docs, the changelog).
    if (!a) {
      for (const auto& g : r.commits[c].gold) EXPECT_EQ(repo.issue_material(*v.tree, g), nullptr) << g;
      continue;
    }
    EXPECT_EQ(a->request, b->request);
    EXPECT_EQ(a->target, b->target);
    EXPECT_NE(std::find(r.commits[c].gold.begin(), r.commits[c].gold.end(), a->target), r.commits[c].gold.end());
    EXPECT_FALSE(is_test_path(a->target) && !is_test_path(r.commits[c].gold.front())) << a->target;
    const IssueMaterial* m = repo.issue_material(*v.tree, a->target);
    ASSERT_NE(m, nullptr);
    bool quotes = false;
    for (const auto& s : m->names) quotes = quotes || a->request.find(s) != std::string::npos;
    for (const auto& s : m->messages) quotes = quotes || a->request.find(s) != std::string::npos;
    EXPECT_TRUE(quotes) << a->request;
    for (const auto& p : r.paths) EXPECT_EQ(a->request.find(p), std::string::npos) << p << "\n" << a->request;
    TraceView iv = v;
    set_request(iv, a->request);
    for (const auto& f : iv.frames) EXPECT_EQ(std::count(r.paths.begin(), r.paths.end(), f.path), 0) << f.path;
    frames += iv.frames.empty() ? 0 : 1;
    ++made;
  }
  EXPECT_GT(made, r.commits.size() * 8 / 10);
  EXPECT_GT(frames, 0u);  // some variants carry a traceback
  TraceView no_tree = make_trace_view(ir::system_prompt(r, 0), r.commits[0].text);
  EXPECT_FALSE(make_issue_variant(no_tree, r.commits[0].gold, 1).has_value());
}

std::string train(const ir::Repo& r, const RepoContents& repo, double variants, size_t* fitted) {
  StudentTrainOptions o;
  o.issue_variants = variants;
  o.gbdt.max_trees = 20;
  StudentTrainer t(o);
  for (size_t c = 0; c < r.commits.size(); ++c) {
    TraceView v = make_trace_view(ir::system_prompt(r, c), r.commits[c].text);
    v.tree = repo.tree("t");
    t.add(std::move(v), r.commits[c].gold, c >= r.commits.size() * 85 / 100);
  }
  StudentTrainSummary s;
  auto model = t.finish(StudentMeta{"truth", 0, 0, 1, "test"}, &s);
  *fitted = s.issue_variants;
  return model->serialize();
}

TEST(IssueVariant, TrainerFitsVariantsDeterministically) {
  const ir::Repo r = ir::make_repo(12, 200, 0, 9);
  RepoContents repo;
  repo.add_files_tree("t", r.files);
  size_t none = 0, some = 0, again = 0;
  train(r, repo, 0.0, &none);
  const std::string a = train(r, repo, 0.5, &some);
  const std::string b = train(r, repo, 0.5, &again);
  EXPECT_EQ(none, 0u);
  EXPECT_GT(some, 50u);  // about half of the 170 fit traces
  EXPECT_LT(some, 120u);
  EXPECT_EQ(some, again);
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace pt::ranker

namespace pt::ranker {
namespace {

TEST(IssueShape, CountsCodeFramesErrorLinesAndQuotes) {
  EXPECT_EQ(parse_issue_request("fix the router for empty paths").shape, 0);
  EXPECT_EQ(parse_issue_request("`parse_rows` drops the last row").shape, 1);
  EXPECT_EQ(parse_issue_request("Crash\n```\nTraceback (most recent call last):\n  File \"/tmp/x.py\", line 3, in f\n"
                                "ValueError: empty row list given\n```\n")
                .shape,
            3);
}

TEST(IssueShape, QuotesMessageMarksTheFileHoldingTheQuotedError) {
  RepoContents repo;
  repo.add_files_tree("t", {{"lib/a.py", "def parse_rows(data):\n    raise ValueError(\"empty row list given\")\n"},
                            {"lib/b.py", "def read_rows(data):\n    raise ValueError(\"row list too long\")\n"}});
  TraceView v = make_trace_view("<project_file_tree>\nlib/a.py\nlib/b.py\n</project_file_tree>",
                                "Rows fail\n```\nValueError: empty row list given\n```\n");
  v.tree = repo.tree("t");
  const CandidateSet cs = extract_candidates(v, HistoryStats{}, {});
  ASSERT_EQ(cs.size(), 2u);
  for (size_t i = 0; i < cs.size(); ++i)
    EXPECT_EQ(cs.row(i)[kQuotesMessage], v.files[static_cast<size_t>(cs.file[i])] == "lib/a.py" ? 1.f : 0.f);
  set_request(v, "empty row list given");  // the same words, not written as an issue
  const CandidateSet plain = extract_candidates(v, HistoryStats{}, {});
  for (size_t i = 0; i < plain.size(); ++i) EXPECT_EQ(plain.row(i)[kQuotesMessage], 0.f);
}

}  // namespace
}  // namespace pt::ranker
