// Bounding `import git` by --since / --max: which commits a windowed walk must read from git.
// The window is every commit whose commit time is at least the cut-off. Its commits are diffed
// by git (`git log --no-walk` of exactly those), plus the few older "context" commits that
// appear in their recent-changes lists (found from the graph alone, replaying the walker's
// window merge on commit times); the first parents just outside the window get their file tree
// from `git ls-tree` instead of a replay of everything before. Nothing else in old history is
// read, so its size and its unreadable objects do not matter.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/import/git_log.h"
#include "util/result.h"

namespace pt {

// `git rev-list --topo-order --reverse --parents --timestamp`: the graph, parents first, with
// each commit's committer time.
struct TimedGraph {
  std::vector<GitGraphLine> lines;
  std::vector<int64_t> times;  // seconds since the epoch, per line
};
Result<TimedGraph> read_timed_graph(const std::string& repo_dir, const std::string& rev);

struct HistoryWindow {
  std::vector<char> in_window;  // per graph line: commit time >= the cut-off
  std::vector<char> read;       // per graph line: diffed by git (window + context)
  std::vector<uint32_t> seeds;  // lines outside the window that are first parents of window commits
  size_t window_commits = 0, read_commits = 0;
};
// `recent` is ImportGitOptions::recent_commits (the walker's window length).
HistoryWindow plan_window(const TimedGraph& graph, int64_t cutoff_s, size_t recent);

// The commit time of the n-th newest commit (n >= 1), or the oldest's when there are fewer.
int64_t nth_newest_time(const TimedGraph& graph, size_t n);

// The paths of `commit`'s tree (`git ls-tree -r -z --name-only --full-tree`).
Result<std::vector<std::string>> list_tree(const std::string& repo_dir, const std::string& commit);

// `git log` arguments (as git_log_args) for exactly the listed commits, in the given order.
std::vector<std::string> git_log_commits_args(const std::string& repo_dir, const std::vector<std::string>& hashes);

}  // namespace pt
