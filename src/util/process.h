// Running `git` without a shell: an argument vector handed to posix_spawnp, stdout streamed to a
// callback in chunks, stderr kept (its first lines go into the error message). Also a temporary
// directory that removes itself, for cloning bundles.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace pt {

struct GitCommand {
  std::vector<std::string> args;                         // after "git"
  std::vector<std::pair<std::string, std::string>> env;  // set (or override) in the child
};

// Runs git, calling `on_output` with each chunk of its stdout as it arrives. Fails when git
// cannot start, exits non-zero (message: "git ARGS[0]: first line of stderr") or `on_output`
// returns an error (git is then killed and reaped).
Result<void> run_git_streaming(const GitCommand& cmd, const std::function<Result<void>(std::string_view)>& on_output);

// Runs git and returns its whole stdout.
Result<std::string> run_git(const GitCommand& cmd);
// The same with the file `stdin_path` as git's stdin (for `cat-file --batch` request lists).
Result<std::string> run_git_with_input(const GitCommand& cmd, const std::string& stdin_path);

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  static Result<TempDir> create(std::string_view prefix);
  TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace pt
