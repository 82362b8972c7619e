// End to end through the `picktune` binary: `import git data/sample/express.bundle` into a fresh
// SQLite store yields > 4,000 traces with as many truth relabels, and a re-run adds nothing; a
// repository or bundle with missing objects is a one-line runtime error that imports nothing.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/file_tree.h"
#include "pipeline/import/test_repo.h"
#include "source_dir.h"
#include "store/store.h"
#include "util/process.h"

namespace pt {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CliRun picktune(const std::string& args) {
  CliRun r;
  std::string cmd = std::string(PICKTUNE_BINARY) + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

int64_t number_before(const std::string& text, const std::string& label_then_count_suffix,
                      const std::string& line_key) {
  std::smatch m;
  std::regex re(line_key + R"(\s+(\d+) )" + label_then_count_suffix);
  return std::regex_search(text, m, re) ? std::stoll(m[1]) : -1;
}

TEST(CliImportGit, ExpressBundleGivesOver4000TracesAndReRunAddsNothing) {
  auto tmp = TempDir::create("picktune-cli-git-");
  ASSERT_TRUE(tmp.ok());
  const std::string db = tmp->path() + "/express.db";
  const std::string bundle = std::string(PICKTUNE_SOURCE_DIR) + "/data/sample/express.bundle";
  const std::string args = "--store sqlite:" + db + " import git " + bundle;

  CliRun first = picktune(args);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  int64_t added = number_before(first.output, "added", "traces:");
  EXPECT_GT(added, 4000) << first.output;
  EXPECT_EQ(number_before(first.output, "added", "truth relabels:"), added) << first.output;
  EXPECT_NE(first.output.find("bot author"), std::string::npos) << first.output;

  CliRun second = picktune(args);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(number_before(second.output, "added", "traces:"), 0) << second.output;
  EXPECT_EQ(number_before(second.output, "added", "truth relabels:"), 0) << second.output;

  auto store = open_store(StoreOptions{"sqlite:" + db, "dev"});
  ASSERT_TRUE(store.ok()) << store.error().message;
  RowFilter trace_filter, truth_filter;
  trace_filter.type = "get-relevant-files";
  truth_filter.model = "truth";
  auto traces = (*store)->count(Table::traces, trace_filter);
  auto truths = (*store)->count(Table::relabels, truth_filter);
  ASSERT_TRUE(traces.ok() && truths.ok());
  EXPECT_EQ(*traces, added);
  EXPECT_EQ(*truths, added);

  // The newest trace reads back as a picker call with a tree and recent changes.
  RowFilter newest = trace_filter;
  newest.limit = 1;
  std::optional<Row> row;
  ASSERT_TRUE((*store)
                  ->scan(Table::traces, newest,
                         [&](Row&& r) {
                           row = std::move(r);
                           return false;
                         })
                  .ok());
  ASSERT_TRUE(row.has_value());
  auto p = nlohmann::json::parse(row->payload);
  std::string system = p["system"];
  EXPECT_GT(extract_file_tree(system).size(), 50u);
  EXPECT_EQ(extract_recent_commits(system).size(), 20u);
  EXPECT_EQ(p["repo_name"], "express");
}

int64_t stored_traces(const std::string& db) {
  if (!std::filesystem::exists(db)) return 0;
  auto store = open_store(StoreOptions{"sqlite:" + db, "dev"});
  if (!store.ok()) return -1;
  auto n = (*store)->count(Table::traces, RowFilter{});
  return n.ok() ? *n : -1;
}

// One line on stderr naming the source, exit 1 (a runtime error), no trace stored.
void expect_one_line_failure(const CliRun& r, const std::string& source, const std::string& why,
                             const std::string& db) {
  EXPECT_EQ(r.exit_code, 1) << r.output;
  std::string out = r.output;
  out.erase(out.find_last_not_of('\n') + 1);
  EXPECT_EQ(out.find('\n'), std::string::npos) << r.output;
  EXPECT_NE(out.find(source), std::string::npos) << r.output;
  EXPECT_NE(out.find(why), std::string::npos) << r.output;
  EXPECT_EQ(stored_traces(db), 0) << "nothing half-imported";
}

TEST(CliImportGit, MissingObjectsAreAOneLineRuntimeErrorThatImportsNothing) {
  auto tmp = TempDir::create("picktune-cli-git-");
  ASSERT_TRUE(tmp.ok());
  testing::TestRepo repo;
  for (int i = 0; i < 30; ++i) {
    repo.write("src/f" + std::to_string(i % 5) + ".js", "v" + std::to_string(i) + "\n");
    repo.write("docs/n" + std::to_string(i) + ".md", "note\n");
    repo.commit("Change number " + std::to_string(i), 1700000000 + i * 3600);
  }
  // A bundle of the last 10 commits only: its prerequisite commits are not in it.
  const std::string thin = tmp->path() + "/thin.bundle", full = tmp->path() + "/full.bundle";
  repo.git({"bundle", "create", "-q", thin, "HEAD~10..main"});
  repo.git({"bundle", "create", "-q", full, "main"});
  CliRun from_full = picktune("--store sqlite:" + tmp->path() + "/full.db import git " + full);
  ASSERT_EQ(from_full.exit_code, 0) << from_full.output;
  EXPECT_GT(stored_traces(tmp->path() + "/full.db"), 20);
  const std::string thin_db = tmp->path() + "/thin.db";
  expect_one_line_failure(picktune("--store sqlite:" + thin_db + " import git " + thin), thin, "prerequisite", thin_db);

  // A repository whose old root tree object is gone (as after a broken copy or a bad gc).
  std::string tree = repo.git({"rev-parse", "HEAD~28^{tree}"});
  tree.erase(tree.find_last_not_of('\n') + 1);
  std::filesystem::path object =
      std::filesystem::path(repo.dir()) / ".git" / "objects" / tree.substr(0, 2) / tree.substr(2);
  std::filesystem::permissions(object, std::filesystem::perms::owner_all);
  ASSERT_TRUE(std::filesystem::remove(object)) << object;
  const std::string broken_db = tmp->path() + "/broken.db";
  expect_one_line_failure(picktune("--store sqlite:" + broken_db + " import git '" + repo.dir() + "'"), repo.dir(),
                          "unable to read", broken_db);
  // A window whose traces (the last 5 hours: 5 commits) and recent changes (20 before each) never
  // need that tree imports (import_git_window_test covers more).
  CliRun windowed =
      picktune("--store sqlite:" + broken_db + " import git '" + repo.dir() + "' --since 2023-11-15T23:00:00Z");
  EXPECT_EQ(windowed.exit_code, 0) << windowed.output;
  EXPECT_EQ(stored_traces(broken_db), 5);
}

TEST(CliImportGit, MissingRepositoryOrBadDateIsAUsageError) {
  auto tmp = TempDir::create("picktune-cli-git-");
  ASSERT_TRUE(tmp.ok());
  CliRun r = picktune("--store sqlite:" + tmp->path() + "/x.db import git " + tmp->path() + "/nope");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("nope: no such file or directory"), std::string::npos) << r.output;
  CliRun bad_since = picktune("--store sqlite:" + tmp->path() + "/x.db import git . --since yesterday");
  EXPECT_EQ(bad_since.exit_code, 2) << bad_since.output;
  EXPECT_NE(bad_since.output.find("--since"), std::string::npos) << bad_since.output;
}

}  // namespace
}  // namespace pt
