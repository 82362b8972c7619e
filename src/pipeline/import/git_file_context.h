// `import git --with-file-context`: for each imported trace, a
// `get-expanded-file-context-for-training-blobs` trace (docs/formats.md#blobs) holding the
// parent-tree contents of the files a picker would have been shown: the trace's candidates ranked
// by `local:bm25` on the request (chosen without looking at the commit's changes, so the choice
// leaks no truth), whole text files in rank order within a byte budget. Contents come from three
// `git cat-file` runs per batch.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/row.h"
#include "pipeline/import/git_history.h"
#include "util/process.h"
#include "util/result.h"

namespace pt {

struct FileContextOptions {
  size_t max_bytes = 32 * 1024;  // per trace: the sum of the included files' sizes
  size_t max_files = 8;          // per trace
};

// The files worth reading for a request at a tree: local:bm25's ranking, best first, at most
// 2 x max_files (some may turn out binary or too large).
std::vector<std::string> file_context_candidates(const PathSet& tree, std::string_view request,
                                                 const FileContextOptions& options);

// One trace's request for context.
struct FileContextRequest {
  const Row* trace = nullptr;           // the get-relevant-files trace
  std::string parent;                   // the commit whose tree the trace saw ("HASH^")
  std::vector<std::string> candidates;  // from file_context_candidates
};

struct FileContextStats {
  int64_t traces = 0;  // blob traces written
  int64_t files = 0;   // files in them
  int64_t bytes = 0;
};

class GitFileContext {
 public:
  // `repo_dir`: the repository git reads; `scratch_dir`: where request lists are written.
  GitFileContext(std::string repo_dir, std::string scratch_dir, FileContextOptions options)
      : repo_dir_(std::move(repo_dir)), scratch_dir_(std::move(scratch_dir)), o_(options) {}

  // The blob traces for a batch (a trace whose candidates yield no text file gets none). Safe to
  // call from several threads at once (each call has its own request file and git runs).
  Result<std::vector<Row>> rows(const std::vector<FileContextRequest>& batch);

  FileContextStats stats() const {
    std::lock_guard lock(mu_);
    return stats_;
  }

 private:
  Result<std::unordered_map<std::string, std::string>> tree_prefixes(const std::vector<FileContextRequest>& batch,
                                                                     const std::string& list);
  std::string repo_dir_, scratch_dir_;
  FileContextOptions o_;
  mutable std::mutex mu_;
  FileContextStats stats_;
  std::atomic<uint64_t> calls_{0};
};

}  // namespace pt
