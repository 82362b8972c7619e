// Reading a repository's history from git's own output: the commit graph from
// `git rev-list --parents` and, streamed, each commit's metadata, message and changed paths from
// `git log --name-status -z` (paths are raw bytes: spaces, renames and non-UTF-8 names intact).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pt {

struct GitChange {
  char status = 'M';     // git's letter: A, C, D, M, R, T (U, X, B are passed through)
  std::string path;      // the path after the change (for D: the deleted path)
  std::string old_path;  // R and C only: the path before
};

struct GitCommit {
  std::string hash;
  int64_t commit_time = 0;  // committer time, seconds since the epoch
  std::string author_email, author_name;
  std::string message;             // raw bytes as git printed them (UTF-8 unless the commit lies)
  std::vector<GitChange> changes;  // against the first parent (merges included)
};

// The argument vector (after `git`) for a history walk of `rev` in `repo_dir`, parents first.
std::vector<std::string> git_log_args(const std::string& repo_dir, const std::string& rev);
std::vector<std::string> git_rev_list_args(const std::string& repo_dir, const std::string& rev);

// Incremental parser of the output of git_log_args(): feed chunks as they arrive; each complete
// commit goes to the callback (whose error stops the parse).
class GitLogParser {
 public:
  explicit GitLogParser(std::function<Result<void>(GitCommit&&)> on_commit) : on_commit_(std::move(on_commit)) {}
  Result<void> feed(std::string_view chunk);
  Result<void> finish();  // flushes the last commit; fails on truncated output

 private:
  Result<void> token(std::string_view tok);
  enum class State { start, header, changes, path, second_path };
  std::function<Result<void>(GitCommit&&)> on_commit_;
  std::string pending_;
  State state_ = State::start;
  int field_ = 0;
  bool have_commit_ = false;
  GitCommit commit_;
};

// One line of `git rev-list --parents`: a commit and its parents' hashes.
struct GitGraphLine {
  std::string hash;
  std::vector<std::string> parents;
};
Result<std::vector<GitGraphLine>> parse_rev_list(std::string_view text);

}  // namespace pt
