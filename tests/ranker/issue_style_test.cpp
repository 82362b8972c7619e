// Issue-style requests (tests/support/issue_repo.h: a title, prose, a code block, an error message
// or a traceback through code outside the repository; no file of the repository named) answered
// by a student trained only on the repository's commit history, against path and content BM25
// over the same files. The issues are never trained on.
#include <gtest/gtest.h>

#include <set>

#include "ranker/bm25.h"
#include "ranker/student.h"
#include "ranker/student_trainer.h"
#include "ranker/tree_contents.h"
#include "support/issue_repo.h"

namespace pt::ranker {
namespace {

namespace ir = pt_test::issue_repo;

struct IssueScores {
  double student = 0, bm25_content = 0, bm25 = 0;
};

IssueScores score_issues(uint64_t seed, double issue_variants = StudentTrainOptions{}.issue_variants) {
  const ir::Repo r = ir::make_repo(40, 800, 60, seed);
  RepoContents repo;
  repo.add_files_tree("t", r.files);
  StudentTrainOptions o;
  o.issue_variants = issue_variants;
  StudentTrainer t(o);
  const size_t tune_from = r.commits.size() - r.commits.size() * 15 / 100;
  for (size_t c = 0; c < r.commits.size(); ++c) {
    TraceView v = make_trace_view(ir::system_prompt(r, c), r.commits[c].text);
    v.tree = repo.tree("t");
    t.add(v, r.commits[c].gold, c >= tune_from);
  }
  auto model = t.finish(StudentMeta{"truth", 0, 0, seed, "test"});
  IssueScores s;
  for (const auto& issue : r.issues) {
    TraceView v = make_trace_view(ir::system_prompt(r, r.commits.size()), issue.text);
    v.tree = repo.tree("t");
    std::vector<std::string> ranked, content, path;
    for (const auto& f : model->score(v)) ranked.push_back(f.path);
    for (const auto& p : bm25_content_rank(repo, v.tree.get(), r.paths, issue.text))
      content.push_back(r.paths[p.index]);
    for (const auto& p : bm25_rank_paths(r.paths, issue.text)) path.push_back(r.paths[p.index]);
    s.student += ir::recall5(ranked, issue.gold);
    s.bm25_content += ir::recall5(content, issue.gold);
    s.bm25 += ir::recall5(path, issue.gold);
  }
  const double n = static_cast<double>(r.issues.size());
  return {s.student / n, s.bm25_content / n, s.bm25 / n};
}

TEST(IssueStyle, FixtureRequestsReadLikeIssuesAndNameNoFile) {
  const ir::Repo r = ir::make_repo(40, 100, 30, 3);
  for (const auto& issue : r.issues) {
    ASSERT_EQ(issue.gold.size(), 1u);
    for (const auto& p : r.paths) EXPECT_EQ(issue.text.find(p), std::string::npos) << p;
    EXPECT_NE(issue.text.find("ValueError: "), std::string::npos);
    EXPECT_NE(issue.text.find("```"), std::string::npos);
    const auto view = make_trace_view("<project_file_tree>\na.py\n</project_file_tree>", issue.text);
    for (const auto& f : view.frames) EXPECT_EQ(std::count(r.paths.begin(), r.paths.end(), f.path), 0) << f.path;
  }
  // The issues are not the commits: no issue text is a training request.
  std::set<std::string> commits;
  for (const auto& c : r.commits) commits.insert(c.text);
  for (const auto& issue : r.issues) EXPECT_EQ(commits.count(issue.text), 0u);
}

// Trained on the commit history (commit messages plus their issue-shaped variants,
// ranker/issue_variant.h), the student answers issues it never saw far better than path BM25 (the
// issues name no file) and better than content BM25: it matches the quoted error message verbatim
// (quotes_message) and the quoted names against definitions, where BM25 sees only shared words.
TEST(IssueStyle, StudentAnswersHeldOutIssuesAboveContentBm25) {
  const IssueScores s = score_issues(3);
  EXPECT_GT(s.student, s.bm25 + 0.4) << "content bm25 " << s.bm25_content;
  EXPECT_GT(s.bm25_content, s.bm25 + 0.4);  // the contents carry the evidence
  EXPECT_GT(s.student, s.bm25_content) << "student " << s.student;
}

// Without the issue-shaped variants the same student leans on its history priors and does not
// answer these issues as well: the variants are what teaches it to read an issue.
TEST(IssueStyle, WithoutIssueVariantsTheStudentDoesWorse) {
  const IssueScores s = score_issues(3, 0.0);
  EXPECT_LT(s.student, score_issues(3).student);
}

}  // namespace
}  // namespace pt::ranker
