// `picktune pick`: a local model ranks the files of a tree file or of a git repository's HEAD for
// one request and prints them with scores (best first); the student picks what its training
// history points to; usage errors exit 2 with one line.
#include "pipeline/pick/pick.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ranker/student.h"
#include "report/pick_output.h"
#include "support/run_cli.h"
#include "support/student_fixture.h"

namespace pt {
namespace {

namespace fs = std::filesystem;
using pt_test::run_cli;

class Pick : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fixture_ = new pt_test::StudentFixture("pick");
    tree_ = fixture_->dir + "/tree.txt";
    std::ofstream out(tree_);
    for (const auto& f : fixture_->history.files) out << f << "\n";
  }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
  }
  static pt_test::StudentFixture* fixture_;
  static std::string tree_;
};
pt_test::StudentFixture* Pick::fixture_ = nullptr;
std::string Pick::tree_;

TEST_F(Pick, StudentRanksTheTreeWithDescendingScores) {
  // A request naming module 0's word: the student (and BM25) should put its source file first.
  const std::string module = ranker::synthetic::word(0);
  const std::string src = "src/" + ranker::synthetic::word(500) + "/" + module + ".js";
  PickOptions o;
  o.model = "local:student@" + fixture_->model_file;
  o.tree_file = tree_;
  o.request = "fix " + module + " crash";
  auto r = run_pick(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->candidates, fixture_->history.files.size());
  ASSERT_FALSE(r->files.empty());
  EXPECT_LE(r->files.size(), 12u);
  for (size_t i = 1; i < r->files.size(); ++i) EXPECT_GE(r->files[i - 1].score, r->files[i].score);
  std::vector<std::string> paths;
  for (const auto& f : r->files) paths.push_back(f.path);
  EXPECT_NE(std::find(paths.begin(), paths.end(), src), paths.end()) << format_pick(*r);
  // The scores are the student's own, for the same call the serving path would build.
  auto model = ranker::StudentModel::load(fixture_->model_file);
  ASSERT_TRUE(model.ok());
  o.top = 3;
  auto top3 = run_pick(o);
  ASSERT_TRUE(top3.ok());
  ASSERT_EQ(top3->files.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(top3->files[i].path, r->files[i].path);

  o.model = "local:bm25";
  o.top = 0;
  auto bm = run_pick(o);
  ASSERT_TRUE(bm.ok()) << bm.error().message;
  ASSERT_FALSE(bm->files.empty());
  EXPECT_GT(bm->files[0].score, 0);
  EXPECT_NE(bm->files[0].path.find(module), std::string::npos) << format_pick(*bm);
}

TEST_F(Pick, CliPrintsRankedFilesAndJson) {
  const std::string module = ranker::synthetic::word(1);
  auto text = run_cli(
      {PICKTUNE_BINARY, "pick", "--model", "local:bm25", "--tree", tree_, "--top", "2", "handle " + module + " errors"},
      fixture_->dir);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("  1  "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  2  "), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("  3  "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(module), std::string::npos) << text.out;
  auto json = run_cli({PICKTUNE_BINARY, "pick", "--model", "local:student@m.model", "--tree", "tree.txt", "--json",
                       "handle " + module + " errors"},
                      fixture_->dir);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["model"], "local:student@" + fs::canonical(fixture_->model_file).string());
  EXPECT_EQ(doc["candidates"], fixture_->history.files.size());
  ASSERT_GT(doc["files"].size(), 0u);
  EXPECT_TRUE(doc["files"][0]["score"].is_number());
}

TEST_F(Pick, RepoUsesHeadsTreeAndRecentCommits) {
  std::string repo = fixture_->dir + "/repo";
  fs::create_directories(repo + "/src/billing");
  fs::create_directories(repo + "/docs");
  for (const char* f : {"src/billing/invoice.js", "src/billing/tax.js", "src/app.js", "docs/intro.md"})
    std::ofstream(repo + "/" + f) << f << "\n";
  std::vector<std::string> env = {"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
                                  "GIT_COMMITTER_EMAIL=t@example.com"};
  ASSERT_EQ(run_cli({"git", "init", "-q"}, repo, "", env).exit_code, 0);
  ASSERT_EQ(run_cli({"git", "add", "."}, repo, "", env).exit_code, 0);
  ASSERT_EQ(run_cli({"git", "commit", "-q", "-m", "first"}, repo, "", env).exit_code, 0);
  std::ofstream(repo + "/untracked.js") << "x";  // not in HEAD: not a candidate
  PickOptions o;
  o.model = "local:bm25";
  o.repo = repo;
  o.request = "round the invoice totals";
  auto r = run_pick(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->candidates, 4u);
  EXPECT_EQ(r->recent, 1u);
  ASSERT_FALSE(r->files.empty());
  EXPECT_EQ(r->files[0].path, "src/billing/invoice.js");
  // A request matching nothing: BM25 falls back to the files of the recent commits (score 0).
  o.request = "zzzz";
  auto fallback = run_pick(o);
  ASSERT_TRUE(fallback.ok());
  ASSERT_FALSE(fallback->files.empty());
  EXPECT_EQ(fallback->files[0].score, 0);
}

TEST_F(Pick, UsageErrorsExit2WithOneLine) {
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin(), PICKTUNE_BINARY);
    return run_cli(args, fixture_->dir);
  };
  auto both = cli({"pick", "--model", "local:bm25", "--tree", tree_, "--repo", ".", "x"});
  EXPECT_EQ(both.exit_code, 2) << both.err;
  auto neither = cli({"pick", "--model", "local:bm25", "x"});
  EXPECT_EQ(neither.exit_code, 2) << neither.err;
  auto missing = cli({"pick", "--model", "local:bm25", "--tree", "no-such-file", "x"});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("--tree no-such-file"), std::string::npos) << missing.err;
  auto remote = cli({"pick", "--model", "anthropic:claude-x", "--tree", tree_, "x"});
  EXPECT_EQ(remote.exit_code, 2) << remote.err;
  auto not_repo = cli({"pick", "--model", "local:bm25", "--repo", fixture_->dir + "/nothing", "x"});
  EXPECT_EQ(not_repo.exit_code, 2) << not_repo.err;
  auto no_model = cli({"pick", "--model", "local:student@missing.model", "--tree", tree_, "x"});
  EXPECT_NE(no_model.exit_code, 0);
  EXPECT_NE(no_model.err.find("missing.model"), std::string::npos) << no_model.err;
}

}  // namespace
}  // namespace pt
