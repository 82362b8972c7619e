// `import git --since / --max` read only their window: the rows are exactly those of a full
// import (same ids, same payloads: file trees seeded from `git ls-tree`, recent-changes lists
// reaching back before the window), git reads far fewer commits, and an object missing from old
// history outside the window does not matter (without a window: a one-line error).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "pipeline/import/import_git.h"
#include "pipeline/import/test_repo.h"
#include "store/memory/memory_store.h"

namespace pt {
namespace {

using MemStore = MemoryStore;
using testing::TestRepo;
constexpr int64_t T0 = 1700000000;

std::map<std::string, std::string> payloads(MemStore& store, Table table) {
  std::map<std::string, std::string> out;
  for (const Row& r : store.rows(table)) out[r.id] = r.payload;
  return out;
}

// Ids whose payloads differ or that only one side has (short, for failure messages).
std::string differences(const std::map<std::string, std::string>& got, const std::map<std::string, std::string>& want) {
  std::string out;
  for (const auto& [id, p] : want)
    if (!got.count(id))
      out += "missing " + id + "\n";
    else if (got.at(id) != p)
      out += "differs " + id + "\n";
  for (const auto& [id, p] : got)
    if (!want.count(id)) out += "extra " + id + "\n";
  return out;
}

// A history of `n` commits on main (one an hour, each touching two files, some renames and
// deletions), with a side branch merged in near commit 3n/4.
struct History {
  TestRepo repo;
  std::vector<std::string> commits;  // main's first-parent commits, oldest first
  explicit History(int n) {
    for (int i = 0; i < n; ++i) {
      repo.write("src/f" + std::to_string(i % 17) + ".js", "v" + std::to_string(i) + "\n");
      repo.write("docs/n" + std::to_string(i) + ".md", "note " + std::to_string(i) + "\n");
      if (i % 9 == 5) repo.rename("docs/n" + std::to_string(i - 1) + ".md", "docs/moved" + std::to_string(i) + ".md");
      if (i % 11 == 7) repo.remove("docs/n" + std::to_string(i - 3) + ".md");
      commits.push_back(repo.commit("Change number " + std::to_string(i) + " of the app", T0 + i * 3600));
      if (i == 3 * n / 4) {
        repo.git({"checkout", "-q", "-b", "side"});
        repo.write("lib/side.js", "side\n");
        repo.commit("Side branch work", T0 + i * 3600 + 60);
        repo.git({"checkout", "-q", "main"});
        repo.write("lib/main.js", "main\n");
        commits.push_back(repo.commit("Main work during the side branch", T0 + i * 3600 + 120));
        commits.push_back(repo.merge("side", "Merge side", T0 + i * 3600 + 180));
      }
    }
  }
  ImportGitOptions options() const {
    ImportGitOptions o;
    o.source = repo.dir();
    o.recent_commits = 4;
    return o;
  }
};

TEST(ImportGitWindow, SinceGivesTheFullImportsRowsReadingOnlyTheWindow) {
  History h(90);
  MemStore full, windowed;
  auto all = import_git(full, h.options());
  ASSERT_TRUE(all.ok()) << all.error().message;
  ImportGitOptions o = h.options();
  o.since_us = (T0 + 60 * 3600) * 1'000'000;
  auto w = import_git(windowed, o);
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_LT(w->commits, all->commits / 2) << "git read the window (and a few context commits) only";
  std::map<std::string, std::string> expected;
  for (const Row& r : full.rows(Table::traces))
    if (r.created_at_us >= *o.since_us) expected[r.id] = r.payload;
  ASSERT_GT(expected.size(), 20u);
  EXPECT_EQ(differences(payloads(windowed, Table::traces), expected), "");
  std::map<std::string, std::string> expected_truth;
  for (const Row& r : full.rows(Table::relabels))
    if (r.created_at_us >= *o.since_us) expected_truth[r.id] = r.payload;
  EXPECT_EQ(differences(payloads(windowed, Table::relabels), expected_truth), "");
}

TEST(ImportGitWindow, MaxGivesTheNewestOfTheFullImportReadingOnlyTheWindow) {
  History h(100);
  MemStore full, windowed;
  auto all = import_git(full, h.options());
  ASSERT_TRUE(all.ok()) << all.error().message;
  ImportGitOptions o = h.options();
  o.max = 6;
  auto w = import_git(windowed, o);
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_LT(w->commits, all->commits) << "git read the newest commits (and a few context commits) only";
  std::map<std::string, std::string> expected;
  std::vector<Row> rows = full.rows(Table::traces);
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.created_at_us > b.created_at_us; });
  for (size_t i = 0; i < 6; ++i) expected[rows[i].id] = rows[i].payload;
  EXPECT_EQ(differences(payloads(windowed, Table::traces), expected), "");
}

TEST(ImportGitWindow, SinceInTheFutureReadsNothing) {
  History h(12);
  ImportGitOptions o = h.options();
  o.since_us = (T0 + 100 * 3600) * 1'000'000;
  MemStore store;
  auto stats = import_git(store, o);
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->commits, 0);
  EXPECT_EQ(stats->traces.inserted, 0);
  EXPECT_EQ(store.rows(Table::traces).size(), 0u);
}

// Deletes commit's root tree object from the repository (loose, as a fresh repo keeps them).
void delete_tree_of(TestRepo& repo, const std::string& commit) {
  std::string tree = repo.git({"rev-parse", commit + "^{tree}"});
  tree.erase(tree.find_last_not_of('\n') + 1);
  std::filesystem::path object =
      std::filesystem::path(repo.dir()) / ".git" / "objects" / tree.substr(0, 2) / tree.substr(2);
  ASSERT_TRUE(std::filesystem::exists(object)) << object;
  std::filesystem::permissions(object, std::filesystem::perms::owner_all);
  ASSERT_TRUE(std::filesystem::remove(object));
}

TEST(ImportGitWindow, MissingOldObjectsOutsideTheWindowDoNotMatter) {
  History h(80);
  delete_tree_of(h.repo, h.commits[5]);
  ImportGitOptions since = h.options();
  since.since_us = (T0 + 60 * 3600) * 1'000'000;
  MemStore a;
  auto by_since = import_git(a, since);
  ASSERT_TRUE(by_since.ok()) << by_since.error().message;
  EXPECT_GE(by_since->traces.inserted, 10);

  ImportGitOptions max = h.options();
  max.max = 3;
  MemStore b;
  auto by_max = import_git(b, max);
  ASSERT_TRUE(by_max.ok()) << by_max.error().message;
  EXPECT_EQ(by_max->traces.inserted, 3);

  MemStore c;
  auto whole = import_git(c, h.options());
  ASSERT_FALSE(whole.ok());
  EXPECT_EQ(whole.error().message.find('\n'), std::string::npos) << whole.error().message;
  EXPECT_NE(whole.error().message.find("git log"), std::string::npos) << whole.error().message;
  EXPECT_EQ(c.rows(Table::traces).size(), 0u) << "nothing half-imported";
}

}  // namespace
}  // namespace pt
