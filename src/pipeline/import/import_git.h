// `import git REPO_OR_BUNDLE`: a repository's history as production-shaped `get-relevant-files`
// traces with ground-truth relabels (model `truth`). A bundle is cloned (--mirror) into a
// temporary directory that is removed afterwards. History is read with two git runs (rev-list
// for the graph, one streamed `git log --name-status -z`), trees kept incrementally.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "pipeline/import/git_file_context.h"
#include "store/store.h"
#include "util/progress.h"
#include "util/result.h"

namespace pt {

struct ImportGitOptions {
  std::string source;               // a repository directory (work tree or bare) or a bundle file
  std::string rev = "HEAD";         // history walked: the commits reachable from this
  std::optional<int64_t> max;       // keep only the N newest eligible commits (by commit time)
  std::optional<int64_t> since_us;  // skip commits older than this (commit time)
  int max_files_changed = 20;       // skip commits changing more paths than this
  int selection_limit = 12;         // N of the Key prompt's limit sentence
  size_t recent_commits = 20;       // commits listed in the recent-changes section
  size_t batch_size = 500;          // rows per upsert transaction
  Progress* progress = nullptr;     // commits read out of the commits git will list; null -> none
  bool with_file_context = false;   // also write a blobs trace per trace (git_file_context.h)
  FileContextOptions file_context;
};

struct ImportGitStats {
  std::string repo_name;
  int64_t commits = 0;                     // commits walked
  int64_t eligible = 0;                    // commits that became a trace (before --max)
  std::map<std::string, int64_t> skipped;  // reason -> count (merges, --max included)
  int64_t unrepresentable_paths = 0;       // distinct non-UTF-8 / control-character paths left out
  UpsertStats traces, relabels;
  FileContextStats file_context;  // --with-file-context: blob traces written (added or not)
  double seconds = 0;
};

Result<ImportGitStats> import_git(Store& store, const ImportGitOptions& options);

// "express" for ".../express.bundle", ".../express.git", ".../express/".
std::string repo_name_from_source(const std::string& source);

}  // namespace pt
