// Tests of the per-tree inverted index (ranker/tree_index.cpp): scores from the index equal the
// scan's exactly (so every ranking and feature is unchanged), for trees from files and from git,
// with paths outside the tree, repeated paths and unknown words; the index is built on a tree's
// third use.
#include <gtest/gtest.h>

#include <algorithm>

#include "../pipeline/import/test_repo.h"
#include "ranker/features.h"
#include "ranker/path_tokens.h"
#include "ranker/synthetic_contents.h"
#include "ranker/tree_contents.h"

namespace pt::ranker {
namespace {

using IndexUse = RepoContents::IndexUse;

void expect_same(const ContentScores& a, const ContentScores& b) {
  ASSERT_EQ(a.bm25.size(), b.bm25.size());
  for (size_t i = 0; i < a.bm25.size(); ++i) {
    EXPECT_EQ(a.bm25[i], b.bm25[i]) << i;
    EXPECT_EQ(a.content_only[i], b.content_only[i]) << i;
    EXPECT_EQ(a.defines[i], b.defines[i]) << i;
  }
}

// A name the file at `i` defines ("function NAME(").
std::string defined_name(const std::string& text) {
  size_t at = text.find("function ");
  if (at == std::string::npos) return "";
  size_t end = text.find('(', at);
  return text.substr(at + 9, end - at - 9);
}

TEST(TreeIndex, SameScoresAsTheScanOnSyntheticTrees) {
  const auto h = synthetic::make_history(600, 10, 3);
  const auto files = synthetic::file_contents(h.files, 40, 11);
  RepoContents repo;
  repo.add_files_tree("t", files);
  auto tree = repo.tree("t");
  ASSERT_TRUE(tree);
  // The request's paths: the tree's, one unknown to the tree, one repeated, one twice more.
  std::vector<std::string> paths = h.files;
  paths.push_back("not/in/the/tree.js");
  paths.push_back(h.files[5]);
  paths.insert(paths.begin() + 3, h.files[100]);
  size_t nonzero = 0, defined = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::string request = synthetic::issue_request(h.files, seed) + " and " + defined_name(files[seed * 7].second) +
                          " mentions zzunknownword tree";
    auto words = request_words(request);
    auto ids = raw_identifiers(request);
    auto scan = repo.score(tree.get(), paths, words, ids, IndexUse::kNever);
    auto indexed = repo.score(tree.get(), paths, words, ids, IndexUse::kIndexNow);
    expect_same(scan, indexed);
    nonzero += static_cast<size_t>(
        std::count_if(scan.content_only.begin(), scan.content_only.end(), [](double s) { return s > 0; }));
    defined +=
        static_cast<size_t>(std::count_if(scan.defines.begin(), scan.defines.end(), [](float s) { return s > 0; }));
  }
  // The comparison is not vacuous: contents, paths and definitions all matched somewhere.
  EXPECT_GT(nonzero, 100u);
  EXPECT_GE(defined, 20u);
  // Without words or identifiers both give zeros.
  expect_same(repo.score(tree.get(), paths, {}, {}, IndexUse::kNever),
              repo.score(tree.get(), paths, {}, {}, IndexUse::kIndexNow));
}

TEST(TreeIndex, BuiltOnTheThirdUseAndRankingsUnchanged) {
  const auto h = synthetic::make_history(300, 10, 4);
  RepoContents repo;
  repo.add_files_tree("t", synthetic::file_contents(h.files, 30, 12));
  auto tree = repo.tree("t");
  const std::string request = synthetic::issue_request(h.files, 9);
  EXPECT_EQ(tree->index, nullptr);
  auto first = bm25_content_rank(repo, tree.get(), h.files, request);                     // a scan
  EXPECT_EQ(bm25_content_rank(repo, tree.get(), h.files, request).size(), first.size());  // a scan
  EXPECT_EQ(tree->index, nullptr);
  auto second = bm25_content_rank(repo, tree.get(), h.files, request);  // builds and uses the index
  EXPECT_NE(tree->index, nullptr);
  ASSERT_FALSE(first.empty());
  ASSERT_EQ(first.size(), second.size());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].index, second[i].index);
    EXPECT_EQ(first[i].score, second[i].score);
  }
  // The student's candidates and features too.
  std::string system = "You pick files.\n\n" + render_file_tree(h.files);
  TraceView v = make_trace_view(system, request);
  v.tree = repo.tree("t");
  HistoryStats stats;
  auto plain_repo = RepoContents();
  plain_repo.add_files_tree("t", synthetic::file_contents(h.files, 30, 12));
  TraceView w = v;
  w.tree = plain_repo.tree("t");  // first use of this tree: a scan
  auto a = extract_candidates(w, stats, {});
  auto b = extract_candidates(v, stats, {});  // fourth use of `tree`: the index
  EXPECT_EQ(a.file, b.file);
  EXPECT_EQ(a.x, b.x);
}

TEST(TreeIndex, SameScoresOnAGitTree) {
  testing::TestRepo r;
  r.write("lib/router.js", "function handleRequest(req) { return dispatch(req) }\n");
  r.write("lib/view.js", "class View { render() { return dispatch } }\n");
  r.write("docs/router.md", "The router dispatches requests.\n");
  r.commit("first", 1000);
  r.write("lib/view.js", "class View { render() { return template } }\n");
  std::string second = r.commit("second", 2000);
  auto repo = RepoContents::load_git(r.dir());
  ASSERT_TRUE(repo.ok()) << repo.error().message;
  auto tree = (*repo)->parent_tree(second);
  ASSERT_TRUE(tree);
  std::vector<std::string> paths = {"lib/router.js", "lib/view.js", "docs/router.md", "README.md"};
  const std::string request = "router dispatch breaks in handleRequest and View";
  auto words = request_words(request);
  auto ids = raw_identifiers(request);
  auto scan = (*repo)->score(tree.get(), paths, words, ids, IndexUse::kNever);
  auto indexed = (*repo)->score(tree.get(), paths, words, ids, IndexUse::kIndexNow);
  expect_same(scan, indexed);
  EXPECT_GT(scan.bm25[0], scan.bm25[3]);
  EXPECT_GT(scan.defines[0], 0.f);
}

}  // namespace
}  // namespace pt::ranker
