// `import git --with-file-context` (issue 20): per trace, a get-expanded-file-context-for-training-blobs
// trace with the parent-tree contents of the files local:bm25 ranks first for the request, whole
// text files within the byte budget (binary and oversized files left out); and, end to end through
// the binary on a small repository, every registry recipe in data/finetunes.json collects > 0 samples.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/row.h"
#include "pipeline/import/git_file_context.h"
#include "pipeline/import/import_git.h"
#include "pipeline/import/test_repo.h"
#include "report/import_summary.h"
#include "source_dir.h"
#include "store/memory/memory_store.h"

namespace pt {
namespace {

using nlohmann::json;
using testing::TestRepo;

constexpr int64_t T0 = 1700000000;

// A small web app: a router, views, docs, a binary logo, and a large generated file.
struct AppHistory {
  TestRepo repo;
  std::string router_fix, view_change;
  AppHistory() {
    repo.write("src/router.js", "// router v1\nfunction route(path) { return match(path); }\n");
    repo.write("src/view.js", "// view v1\nfunction render(view) { return view; }\n");
    repo.write("src/session.js", "// session v1\nfunction session() {}\n");
    repo.write("docs/router.md", "# Router\nHow routing works.\n");
    repo.write("assets/router-logo.png", std::string("\x89PNG\0\0router", 12));
    repo.write("src/router_table.js", std::string(5000, 'x') + "\n");  // larger than the test's budget
    repo.commit("initial import", T0);
    for (int i = 0; i < 6; ++i) {
      repo.write("src/router.js", "// router v" + std::to_string(i + 2) + "\nfunction route(path) {}\n");
      repo.write("docs/router.md", "# Router\nRevision " + std::to_string(i) + "\n");
      router_fix = repo.commit("Fix router path matching, take " + std::to_string(i), T0 + 100 * (i + 1));
      repo.write("src/view.js", "// view v" + std::to_string(i + 2) + "\nfunction render(view) {}\n");
      view_change = repo.commit("Render view templates faster, round " + std::to_string(i), T0 + 100 * (i + 1) + 50);
    }
  }
};

json context_payload(MemoryStore& store, const std::string& hash) {
  auto row = store.get(Table::traces, "git:" + hash + ":context");
  EXPECT_TRUE(row.ok() && row->has_value()) << hash;
  if (!row.ok() || !row->has_value()) return json();
  EXPECT_EQ((*row)->type, kExpandedContextBlobs);
  EXPECT_EQ((*row)->agent_step_id, "git:" + hash);
  return json::parse((*row)->payload);
}

TEST(ImportGitFileContext, StoresParentTreeContentsOfTheTopRankedTextFilesWithinTheBudget) {
  AppHistory h;
  MemoryStore store;
  ImportGitOptions o;
  o.source = h.repo.dir();
  o.with_file_context = true;
  o.file_context.max_bytes = 1000;
  auto stats = import_git(store, o);
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->traces.inserted, 12);  // traces count get-relevant-files rows only
  EXPECT_EQ(stats->file_context.traces, 12);
  EXPECT_NE(format_import_git_summary(*stats).find("file context:   12 traces"), std::string::npos);

  json files = context_payload(store, h.router_fix)["files"];
  ASSERT_TRUE(files.is_object());
  // The tree before the commit: router v6 (the commit writes v7), not the commit's own version.
  ASSERT_TRUE(files.contains("src/router.js")) << files.dump();
  EXPECT_EQ(files["src/router.js"]["content"], "// router v6\nfunction route(path) {}\n");
  EXPECT_GT(files["src/router.js"]["tokens"].get<int>(), 0);
  EXPECT_TRUE(files.contains("docs/router.md"));
  EXPECT_FALSE(files.contains("assets/router-logo.png")) << "binary files are left out";
  EXPECT_FALSE(files.contains("src/router_table.js")) << "files over the byte budget are left out";
  EXPECT_FALSE(files.contains("src/session.js")) << "files the request does not match are not shown";
  // In local:bm25's order (file_context_candidates), skipped files left out.
  PathSet tree = {"src/router.js",          "src/view.js",        "src/session.js", "docs/router.md",
                  "assets/router-logo.png", "src/router_table.js"};
  std::vector<std::string> expected;
  for (const auto& p : file_context_candidates(tree, "Fix router path matching, take 5", o.file_context))
    if (files.contains(p)) expected.push_back(p);
  std::vector<std::string> keys;
  for (auto it = files.begin(); it != files.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(keys.size(), 2u);

  json view_files = context_payload(store, h.view_change)["files"];
  ASSERT_TRUE(view_files.contains("src/view.js")) << view_files.dump();
  EXPECT_EQ(view_files["src/view.js"]["content"], "// view v6\nfunction render(view) {}\n");

  // A re-run adds nothing.
  auto again = import_git(store, o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->traces.inserted, 0);
  RowFilter blobs;
  blobs.type = std::string(kExpandedContextBlobs);
  EXPECT_EQ(store.rows(Table::traces, blobs).size(), 12u);
}

TEST(ImportGitFileContext, WithoutTheFlagNoContextTraceIsWritten) {
  AppHistory h;
  MemoryStore store;
  ImportGitOptions o;
  o.source = h.repo.dir();
  ASSERT_TRUE(import_git(store, o).ok());
  RowFilter blobs;
  blobs.type = std::string(kExpandedContextBlobs);
  EXPECT_TRUE(store.rows(Table::traces, blobs).empty());
}

// Every row of both tables, as "table id payload" lines in store order by id.
std::vector<std::string> all_rows(MemoryStore& store) {
  std::vector<std::string> out;
  for (Table t : {Table::traces, Table::relabels})
    for (const Row& r : store.rows(t, RowFilter{}))
      out.push_back(std::to_string(static_cast<int>(t)) + " " + r.id + " " + r.payload);
  std::sort(out.begin(), out.end());
  return out;
}

// Small batches go through the background stages (contents of one batch read while the one
// before is written, at most two in flight): the store ends with the rows of one big batch.
TEST(ImportGitFileContext, PipelinedSmallBatchesStoreTheRowsOfOneBigBatch) {
  AppHistory h;
  ImportGitOptions o;
  o.source = h.repo.dir();
  o.with_file_context = true;
  o.file_context.max_bytes = 1000;
  o.batch_size = 1000;
  MemoryStore whole;
  auto base = import_git(whole, o);
  ASSERT_TRUE(base.ok()) << base.error().message;
  const std::vector<std::string> expected = all_rows(whole);
  ASSERT_EQ(expected.size(), 36u);  // 12 traces, their 12 blob traces and 12 truths
  for (size_t batch : {1u, 2u, 5u}) {
    o.batch_size = batch;
    MemoryStore store;
    auto stats = import_git(store, o);
    ASSERT_TRUE(stats.ok()) << batch << ": " << stats.error().message;
    EXPECT_EQ(stats->traces.inserted, 12) << batch;
    EXPECT_EQ(stats->relabels.inserted, 12) << batch;
    EXPECT_EQ(stats->file_context.traces, 12) << batch;
    EXPECT_EQ(all_rows(store), expected) << batch;
  }
}

// Candidates are looked up under their parent's tree; a parent git cannot name (here a commit
// that does not exist) leaves only its own request without context, not the batch.
TEST(ImportGitFileContext, ParentsGitCannotNameLoseOnlyTheirOwnContext) {
  AppHistory h;
  TempDir scratch = TempDir::create("picktune-context-test-").value();
  FileContextOptions options;
  options.max_bytes = 1000;
  GitFileContext context(h.repo.dir(), scratch.path(), options);
  const std::string missing(40, '7');
  Row fix{"git:" + h.router_fix, "git:" + h.router_fix, "u", T0, "get-relevant-files", "", "{}"};
  Row lost{"git:" + missing, "git:" + missing, "u", T0, "get-relevant-files", "", "{}"};
  std::vector<FileContextRequest> batch = {
      {&lost, missing + "^", {"src/router.js"}},
      {&fix, h.router_fix + "^", {"src/router.js", "src/no-such-file.js", "docs/router.md"}},
      {&lost, missing + "^", {"docs/router.md"}},
  };
  auto rows = context.rows(batch);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].id, "git:" + h.router_fix + ":context");
  json files = json::parse((*rows)[0].payload)["files"];
  EXPECT_EQ(files["src/router.js"]["content"], "// router v6\nfunction route(path) {}\n");
  EXPECT_EQ(files["docs/router.md"]["content"], "# Router\nRevision 4\n");
  EXPECT_FALSE(files.contains("src/no-such-file.js"));
  EXPECT_EQ(context.stats().traces, 1);
  EXPECT_EQ(context.stats().files, 2);
}

struct CliRun {
  int exit_code = -1;
  std::string output;
};
CliRun picktune(const std::string& args) {
  CliRun r;
  FILE* p = ::popen((std::string(PICKTUNE_BINARY) + " " + args + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(ImportGitFileContext, EveryRegistryRecipeCollectsSamples) {
  AppHistory h;
  const std::string store = "--store 'sqlite:" + h.repo.tmp() + "/p.db' ";
  const std::string repo = "'" + h.repo.dir() + "'";
  CliRun imported = picktune(store + "import git " + repo + " --with-file-context");
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  for (const char* flags : {"", " --with-context"}) {
    CliRun r = picktune(store + "relabel --teacher local:bm25" + flags);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  std::ifstream registry(std::string(PICKTUNE_SOURCE_DIR) + "/data/finetunes.json");
  json reg = json::parse(registry);
  std::set<bool> with_context_seen;
  for (const auto& ft : reg["finetunes"]) {
    const std::string id = ft["id"];
    with_context_seen.insert(ft["recipe"]["with_file_context"].get<bool>());
    const std::string prefix = h.repo.tmp() + "/data-" + id;
    CliRun r = picktune(store + "collect --teacher local:bm25 --recipe " + id + " -o '" + prefix + "'");
    ASSERT_EQ(r.exit_code, 0) << id << ": " << r.output;
    std::ifstream manifest(prefix + ".manifest.json");
    ASSERT_TRUE(manifest.good()) << id;
    json m = json::parse(manifest);
    EXPECT_GT(m["samples"].get<int64_t>(), 0) << id << ": " << m.dump();
    EXPECT_EQ(r.output.find("0 samples"), std::string::npos) << id << ": " << r.output;
  }
  EXPECT_EQ(with_context_seen, (std::set<bool>{false, true})) << "the registry has recipes of both kinds";
}

}  // namespace
}  // namespace pt
