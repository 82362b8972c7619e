// End to end through the `picktune` binary: `import git data/sample/express.bundle` into a fresh
// SQLite store yields > 4,000 traces with as many truth relabels, and a re-run adds nothing.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/file_tree.h"
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
