// Tests for `import git` on small repositories built with git in a temp dir: the trace and truth
// relabel payloads field by field, every skip reason, spaces/renames/deletes/non-UTF-8 names,
// a side branch whose commits must not leak into the recent changes before the merge, bundles,
// --max / --since, and re-runs adding nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/file_tree.h"
#include "core/picker_prompt.h"
#include "pipeline/import/git_trace.h"
#include "pipeline/import/import_git.h"
#include "pipeline/import/test_repo.h"
#include "report/import_summary.h"
#include "store/memory/memory_store.h"

namespace pt {
namespace {

using nlohmann::json;
using testing::TestRepo;

constexpr int64_t T0 = 1700000000;
const std::string kBadName = "caf\xe9.txt";  // Latin-1 e-acute: not UTF-8

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}
std::vector<std::string> subjects(const std::vector<RecentCommit>& recent) {
  std::vector<std::string> out;
  for (const auto& c : recent) out.push_back(c.subject);
  return out;
}
RowFilter truth_only() {
  RowFilter f;
  f.model = "truth";
  return f;
}
bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// One repository exercising every case; hashes kept for the assertions.
struct History {
  TestRepo repo;
  std::string root, fix, move, bot, cabot, lock, big, side, main_work, merge, after_merge, bad_add, bad_mod, bad_only,
      add_only;

  History() {
    repo.write("README.md", "readme\n");
    repo.write("lib/app.js", "app\n");
    repo.write("lib/router/index.js", "router\n");
    repo.write("docs/my notes.txt", "notes\n");
    repo.write("package-lock.json", "{}\n");
    repo.write("old name.js", "a file that will be renamed, long enough for rename detection\n");
    root = repo.commit("Initial commit", T0);
    repo.write("lib/router/index.js", "router v2\n");
    repo.write("docs/my notes.txt", "notes v2\n");
    repo.write("lib/new.js", "new\n");
    fix = repo.commit("Fix router params\n\nThe router dropped params.\n\nSigned-off-by: Alice <alice@example.com>\n",
                      T0 + 100);
    repo.rename("old name.js", "src/new name.js");
    repo.remove("README.md");
    move = repo.commit("Move the old module and drop the readme", T0 + 200);
    repo.write("lib/app.js", "app v2\n");
    bot = repo.commit("Bump deps", T0 + 300, "dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com");
    repo.write("lib/app.js", "app v3\n");
    cabot = repo.commit("Tune app", T0 + 400, "Jane Cabot", "jane@cabot.example");
    repo.write("package-lock.json", "{\"v\":2}\n");
    lock = repo.commit("Update lockfile", T0 + 500);
    for (const char* f : {"lib/app.js", "lib/new.js", "lib/router/index.js", "docs/my notes.txt"})
      repo.write(f, "big\n");
    big = repo.commit("Touch four files", T0 + 600);
    repo.git({"checkout", "-q", "-b", "side"});
    repo.write("lib/side.js", "side\n");
    repo.write("lib/app.js", "app from side\n");
    side = repo.commit("SIDE-ONLY change", T0 + 700);
    repo.git({"checkout", "-q", "main"});
    repo.write("lib/router/index.js", "router v3\n");
    main_work = repo.commit("Main work after branching", T0 + 800);
    merge = repo.merge("side", "Merge branch side", T0 + 900);
    repo.write("lib/new.js", "new v2\n");
    after_merge = repo.commit("After the merge", T0 + 1000);
    repo.write(kBadName, "latin-1 name\n");
    repo.write("lib/app.js", "app v4\n");
    bad_add = repo.commit("Add a latin-1 file", T0 + 1100);
    repo.write(kBadName, "latin-1 name v2\n");
    repo.write("lib/app.js", "app v5\n");
    bad_mod = repo.commit("Change the latin-1 file and app", T0 + 1200);
    repo.write(kBadName, "latin-1 name v3\n");
    bad_only = repo.commit("Change only the latin-1 file", T0 + 1300);
    repo.write("docs/added.md", "added\n");
    add_only = repo.commit("Only add a doc", T0 + 1400);
  }
  ImportGitOptions options() const {
    ImportGitOptions o;
    o.source = repo.dir();
    o.max_files_changed = 3;
    return o;
  }
};

class ImportGit : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { h_ = new History(); }
  static void TearDownTestSuite() { delete h_; }
  static History& h() { return *h_; }
  json trace_payload(MemoryStore& s, const std::string& hash) {
    auto row = s.get(Table::traces, "git:" + hash + ":key");
    EXPECT_TRUE(row.ok() && row->has_value()) << hash;
    return row.ok() && row->has_value() ? json::parse((*row)->payload) : json();
  }
  json truth_payload(MemoryStore& s, const std::string& hash) {
    auto row = s.get(Table::relabels, "truth:" + hash + ":key");
    EXPECT_TRUE(row.ok() && row->has_value()) << hash;
    return row.ok() && row->has_value() ? json::parse((*row)->payload) : json();
  }
  static History* h_;
};
History* ImportGit::h_ = nullptr;

TEST_F(ImportGit, CountsEveryCommitAndSkipsByReason) {
  MemoryStore store;
  auto stats = import_git(store, h().options());
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->repo_name, "my repo");
  EXPECT_EQ(stats->commits, 15);
  EXPECT_EQ(stats->skipped, (std::map<std::string, int64_t>{{"merge commit", 1},
                                                            {"no parent", 1},
                                                            {"bot author", 1},
                                                            {"lockfiles only", 1},
                                                            {"too many files changed", 1},
                                                            {"empty truth", 2}}));
  // fix, move, cabot, side, main_work, after_merge, bad_add, bad_mod
  EXPECT_EQ(stats->eligible, 8);
  EXPECT_EQ(stats->traces.inserted, 8);
  EXPECT_EQ(stats->relabels.inserted, 8);
  EXPECT_EQ(stats->unrepresentable_paths, 1);
  EXPECT_EQ(store.rows(Table::traces).size(), 8u);
  EXPECT_EQ(store.rows(Table::relabels, truth_only()).size(), 8u);
  for (const auto& hash : {h().root, h().bot, h().lock, h().big, h().merge, h().bad_only, h().add_only})
    EXPECT_FALSE(store.get(Table::traces, "git:" + hash + ":key")->has_value()) << hash;
  EXPECT_TRUE(store.get(Table::traces, "git:" + h().cabot + ":key")->has_value()) << "a surname Cabot is no bot";
}

TEST_F(ImportGit, TraceRowAndPayloadHaveTheProductionShape) {
  MemoryStore store;
  ASSERT_TRUE(import_git(store, h().options()).ok());
  auto row = store.get(Table::traces, "git:" + h().fix + ":key");
  ASSERT_TRUE(row.ok() && row->has_value());
  const Row& r = **row;
  EXPECT_EQ(r.agent_step_id, "git:" + h().fix);
  EXPECT_EQ(r.type, "get-relevant-files");
  EXPECT_EQ(r.created_at_us, (T0 + 100) * 1'000'000);
  EXPECT_EQ(r.user_id, author_user_id("alice@example.com"));
  EXPECT_EQ(r.user_id.size(), 16u);
  EXPECT_EQ(r.user_id.find('@'), std::string::npos);
  EXPECT_EQ(r.payload.find("alice@example.com"), std::string::npos) << "no raw e-mail anywhere";

  json p = json::parse(r.payload);
  EXPECT_EQ(p["request_type"], "Key");
  EXPECT_EQ(p["model"], "git");
  EXPECT_EQ(p["output"], "");
  EXPECT_EQ(p["repo_name"], "my repo");
  EXPECT_EQ(p["user_input_id"], h().fix);
  ASSERT_TRUE(p["system"].is_string());
  ASSERT_EQ(p["messages"].size(), 1u);
  EXPECT_EQ(p["messages"][0]["role"], "user");
  const std::string request = "Fix router params\n\nThe router dropped params.";
  EXPECT_EQ(p["messages"][0]["content"], key_picker_prompt(request, 12));
  EXPECT_EQ(selection_limit(p["messages"][0]["content"].get<std::string>()), 12);

  std::string system = p["system"];
  EXPECT_EQ(sorted(extract_file_tree(system)), sorted({"README.md", "docs/my notes.txt", "lib/app.js",
                                                       "lib/router/index.js", "old name.js", "package-lock.json"}))
      << "the tree at the parent: lib/new.js is not there yet";
  auto recent = extract_recent_commits(system);
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0].subject, "Initial commit");
  EXPECT_EQ(recent[0].files.size(), 6u);
  EXPECT_EQ(recent[0].files[0].status, 'A');
}

TEST_F(ImportGit, TruthIsModifiedOrDeletedParentPathsAndAddedIsKeptApart) {
  MemoryStore store;
  ASSERT_TRUE(import_git(store, h().options()).ok());
  auto row = store.get(Table::relabels, "truth:" + h().fix + ":key");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->model, "truth");
  EXPECT_EQ((*row)->agent_step_id, "git:" + h().fix);
  EXPECT_EQ((*row)->user_id, author_user_id("alice@example.com"));
  EXPECT_EQ((*row)->created_at_us, (T0 + 100) * 1'000'000);
  json t = json::parse((*row)->payload);
  EXPECT_EQ(t["request_type"], "Key");
  EXPECT_EQ(t["trace_id"], "git:" + h().fix + ":key");
  EXPECT_EQ(t["files"], json({"docs/my notes.txt", "lib/router/index.js"}));
  EXPECT_EQ(t["output"], "docs/my notes.txt\nlib/router/index.js");
  EXPECT_EQ(t["added"], json({"lib/new.js"}));
  EXPECT_EQ(t["usage"], json({{"input_tokens", 0}, {"output_tokens", 0}, {"cached_input_tokens", 0}}));
  EXPECT_EQ(t["cost_usd"], 0);
  EXPECT_EQ(t["latency_ms"], 0);

  json mv = truth_payload(store, h().move);
  EXPECT_EQ(sorted(mv["files"].get<std::vector<std::string>>()), sorted({"README.md", "old name.js"}))
      << "a rename counts with its old path, a delete with its path";
  EXPECT_EQ(mv["added"], json::array()) << "a rename's new path is not an added file";
  // The next commit's tree has the rename applied and shows it as R old + A new.
  json cab = trace_payload(store, h().cabot);
  auto tree = extract_file_tree(cab["system"].get<std::string>());
  EXPECT_TRUE(contains(tree, "src/new name.js"));
  EXPECT_FALSE(contains(tree, "old name.js"));
  EXPECT_FALSE(contains(tree, "README.md"));
  auto recent = extract_recent_commits(cab["system"].get<std::string>());
  ASSERT_GE(recent.size(), 2u);
  EXPECT_EQ(recent[0].subject, "Bump deps") << "bot commits are history too";
  EXPECT_EQ(recent[1].subject, "Move the old module and drop the readme");
  bool saw_r = false, saw_a = false;
  for (const auto& f : recent[1].files) {
    saw_r = saw_r || (f.status == 'R' && f.path == "old name.js");
    saw_a = saw_a || (f.status == 'A' && f.path == "src/new name.js");
  }
  EXPECT_TRUE(saw_r && saw_a);
}

TEST_F(ImportGit, SideBranchCommitsAppearOnlyAfterTheyAreMerged) {
  MemoryStore store;
  ASSERT_TRUE(import_git(store, h().options()).ok());
  json before = trace_payload(store, h().main_work);
  auto before_subjects = subjects(extract_recent_commits(before["system"].get<std::string>()));
  EXPECT_FALSE(contains(before_subjects, "SIDE-ONLY change")) << "not an ancestor of main_work, although older";
  EXPECT_EQ(before_subjects.front(), "Touch four files");
  EXPECT_FALSE(contains(extract_file_tree(before["system"].get<std::string>()), "lib/side.js"));

  json side = trace_payload(store, h().side);
  EXPECT_FALSE(
      contains(subjects(extract_recent_commits(side["system"].get<std::string>())), "Main work after branching"));

  json after = trace_payload(store, h().after_merge);
  auto after_subjects = subjects(extract_recent_commits(after["system"].get<std::string>()));
  ASSERT_GE(after_subjects.size(), 3u);
  EXPECT_EQ(after_subjects[0], "Main work after branching") << "newest first; the merge itself is not listed";
  EXPECT_EQ(after_subjects[1], "SIDE-ONLY change");
  EXPECT_EQ(after_subjects[2], "Touch four files");
  EXPECT_FALSE(contains(after_subjects, "Merge branch side"));
  EXPECT_FALSE(contains(after_subjects, "After the merge")) << "a commit never lists itself";
  EXPECT_TRUE(contains(extract_file_tree(after["system"].get<std::string>()), "lib/side.js")) << "tree at the merge";
  EXPECT_EQ(truth_payload(store, h().after_merge)["files"], json({"lib/new.js"}));
}

TEST_F(ImportGit, NonUtf8PathsAreLeftOutOfEveryText) {
  MemoryStore store;
  ASSERT_TRUE(import_git(store, h().options()).ok());
  auto row = store.get(Table::traces, "git:" + h().bad_mod + ":key");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_TRUE(valid_utf8((*row)->payload));
  json p = json::parse((*row)->payload);  // strict parse: throws on invalid UTF-8
  std::string system = p["system"];
  EXPECT_EQ(system.find("caf"), std::string::npos);
  EXPECT_TRUE(contains(extract_file_tree(system), "lib/app.js"));
  auto recent = extract_recent_commits(system);
  ASSERT_FALSE(recent.empty());
  EXPECT_EQ(recent[0].subject, "Add a latin-1 file");
  ASSERT_EQ(recent[0].files.size(), 1u);
  EXPECT_EQ(recent[0].files[0].path, "lib/app.js");
  json t = truth_payload(store, h().bad_mod);
  EXPECT_EQ(t["files"], json({"lib/app.js"}));
  json added = truth_payload(store, h().bad_add)["added"];
  EXPECT_EQ(added, json::array()) << "the latin-1 name is not representable, so not listed as added either";
  for (const Row& r : store.rows(Table::relabels)) EXPECT_TRUE(valid_utf8(r.payload)) << r.id;
}

TEST_F(ImportGit, ReRunAddsNothing) {
  MemoryStore store;
  auto first = import_git(store, h().options());
  ASSERT_TRUE(first.ok());
  auto second = import_git(store, h().options());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->traces.inserted, 0);
  EXPECT_EQ(second->relabels.inserted, 0);
  // The same rows again: the store reports them unchanged (the old test fake called them updated).
  EXPECT_EQ(second->traces.updated + second->traces.unchanged, 8);
  EXPECT_EQ(second->traces.unchanged, 8);
  EXPECT_EQ(store.rows(Table::traces).size(), 8u);
  EXPECT_NE(format_import_git_summary(*second).find("0 added, 0 updated, 8 unchanged"), std::string::npos);
}

TEST_F(ImportGit, MaxKeepsTheNewestEligibleAndSinceDropsOlder) {
  MemoryStore store;
  ImportGitOptions o = h().options();
  o.max = 2;
  auto stats = import_git(store, o);
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->traces.inserted, 2);
  EXPECT_EQ(stats->skipped.at("older than the --max newest"), 6);
  EXPECT_TRUE(store.get(Table::traces, "git:" + h().bad_mod + ":key")->has_value());
  EXPECT_TRUE(store.get(Table::traces, "git:" + h().bad_add + ":key")->has_value());

  MemoryStore since_store;
  ImportGitOptions s = h().options();
  s.since_us = (T0 + 800) * 1'000'000;
  auto since = import_git(since_store, s);
  ASSERT_TRUE(since.ok());
  EXPECT_EQ(since->traces.inserted, 4);  // main_work, after_merge, bad_add, bad_mod
  EXPECT_TRUE(since_store.get(Table::traces, "git:" + h().main_work + ":key")->has_value());
  // The recent-changes window still reaches back before --since.
  json p = trace_payload(since_store, h().main_work);
  EXPECT_TRUE(contains(subjects(extract_recent_commits(p["system"].get<std::string>())), "Fix router params"));
}

TEST_F(ImportGit, BundleGivesTheSameRowsAndLeavesNoTempDir) {
  std::string bundle = h().repo.tmp() + "/history.bundle";
  h().repo.git({"bundle", "create", "-q", bundle, "main"});
  std::string tmpdir = h().repo.tmp() + "/tmp";
  std::filesystem::create_directories(tmpdir);
  const char* old = std::getenv("TMPDIR");
  std::string saved = old ? old : "";
  ::setenv("TMPDIR", tmpdir.c_str(), 1);
  MemoryStore from_bundle, from_dir;
  ImportGitOptions o = h().options();
  o.source = bundle;
  auto stats = import_git(from_bundle, o);
  old ? ::setenv("TMPDIR", saved.c_str(), 1) : ::unsetenv("TMPDIR");
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->repo_name, "history");
  EXPECT_TRUE(std::filesystem::is_empty(tmpdir)) << "the clone is removed";
  ASSERT_TRUE(import_git(from_dir, h().options()).ok());
  auto a = from_bundle.rows(Table::relabels), b = from_dir.rows(Table::relabels);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].payload, b[i].payload);
}

TEST_F(ImportGit, BadSourcesAndOptionsAreOneLineErrors) {
  MemoryStore store;
  ImportGitOptions o = h().options();
  o.source = h().repo.tmp() + "/missing";
  auto r = import_git(store, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::usage);
  EXPECT_NE(r.error().message.find("missing: no such file"), std::string::npos);

  std::string junk = h().repo.tmp() + "/junk.bundle";
  std::ofstream(junk) << "not a bundle\n";
  o.source = junk;
  r = import_git(store, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("cannot read as a git bundle"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos);

  o = h().options();
  o.max = 0;
  EXPECT_EQ(import_git(store, o).error().kind, ErrorKind::usage);
  EXPECT_EQ(store.rows(Table::traces).size(), 0u);
}

}  // namespace
}  // namespace pt
