// Building small git repositories for the import tests: files written directly, commits made by
// running git with fixed author, e-mail and dates (so hashes and times are known to the test).
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "util/process.h"

namespace pt::testing {

class TestRepo {
 public:
  TestRepo() : tmp_(TempDir::create("picktune-gitrepo-").value()) {
    dir_ = tmp_.path() + "/my repo";
    std::filesystem::create_directories(dir_);
    git({"init", "-q", "-b", "main"});
  }
  const std::string& dir() const { return dir_; }
  const std::string& tmp() const { return tmp_.path(); }

  void write(const std::string& path, const std::string& content) {
    std::filesystem::path p = std::filesystem::path(dir_) / path;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  void remove(const std::string& path) { std::filesystem::remove(std::filesystem::path(dir_) / path); }
  void rename(const std::string& from, const std::string& to) {
    std::filesystem::path t = std::filesystem::path(dir_) / to;
    std::filesystem::create_directories(t.parent_path());
    std::filesystem::rename(std::filesystem::path(dir_) / from, t);
  }

  std::string git(std::vector<std::string> args, std::vector<std::pair<std::string, std::string>> env = {}) {
    std::vector<std::string> full = {"-C", dir_, "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"};
    full.insert(full.end(), args.begin(), args.end());
    auto out = run_git(GitCommand{full, env});
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? *out : "";
  }

  // Stages everything and commits; returns the new commit's hash.
  std::string commit(const std::string& message, int64_t time, const std::string& name = "Alice Example",
                     const std::string& email = "alice@example.com") {
    git({"add", "-A"});
    git({"commit", "-q", "--allow-empty", "-m", message}, identity(time, name, email));
    return head();
  }
  std::string merge(const std::string& branch, const std::string& message, int64_t time) {
    git({"merge", "-q", "--no-ff", "-m", message, branch}, identity(time, "Alice Example", "alice@example.com"));
    return head();
  }
  std::string head() {
    std::string h = git({"rev-parse", "HEAD"});
    while (!h.empty() && h.back() == '\n') h.pop_back();
    return h;
  }

 private:
  static std::vector<std::pair<std::string, std::string>> identity(int64_t time, const std::string& name,
                                                                   const std::string& email) {
    std::string date = "@" + std::to_string(time) + " +0000";
    return {{"GIT_AUTHOR_NAME", name},    {"GIT_AUTHOR_EMAIL", email},    {"GIT_AUTHOR_DATE", date},
            {"GIT_COMMITTER_NAME", name}, {"GIT_COMMITTER_EMAIL", email}, {"GIT_COMMITTER_DATE", date}};
  }
  TempDir tmp_;
  std::string dir_;
};

}  // namespace pt::testing
