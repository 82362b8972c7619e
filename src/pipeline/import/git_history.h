// Replaying a history parents-first while keeping, per commit, only what its children still need:
// the file tree (tree(C) = tree(first parent) + C's diff, moved to the last child that needs it,
// copied for branch points) and the window of its newest non-merge ancestors (merged from the
// parents' windows; ancestors only, so commits of branches not yet merged never appear).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/file_tree.h"
#include "pipeline/import/git_log.h"
#include "util/result.h"

namespace pt {

using PathSet = std::set<std::string>;

// What a commit's trace may know: everything strictly before the commit.
struct HistoryStep {
  const GitCommit& commit;
  uint32_t position = 0;         // parents-first order, 0-based
  size_t parent_count = 0;       // as git records it (> 1: a merge)
  bool has_parent_tree = false;  // false for root commits and for parents missing (shallow clones)
  const PathSet& parent_tree;    // all paths at the first parent
  std::vector<std::shared_ptr<const RecentCommit>> recent;  // ancestors' summaries, newest first
  // Equal versions mean equal parent trees (a commit that only modifies files keeps its parent's
  // version), so what is derived from the tree can be reused; 0 when there is no parent tree.
  uint64_t tree_version = 0;
};

class HistoryWalker {
 public:
  // `graph` is `git rev-list --topo-order --reverse --parents` output; `summarize` turns a
  // non-merge commit into what later commits show of it; `window` is the recent-list length.
  HistoryWalker(const std::vector<GitGraphLine>& graph, std::function<RecentCommit(const GitCommit&)> summarize,
                size_t window);

  // Processes the next commit (its parents must have been processed) and calls `visit` with
  // the state just before it.
  // the state just before it (unless `visit_it` is false: a windowed walk's context commit).
  Result<void> step(const GitCommit& commit, const std::function<Result<void>(const HistoryStep&)>& visit,
                    bool visit_it = true);

  size_t commits() const { return nodes_.size(); }

  // Windowed walks (git_window.h). A commit left out of the walk is passed with its commit time
  // only: it keeps its place in later recent lists (with no summary; none may reach a visited
  // commit) and keeps no tree.
  Result<void> pass(const std::string& hash, int64_t commit_time);
  // The full tree at `hash` as git lists it (ls-tree), which its children use instead of a replay.
  void seed_tree(const std::string& hash, PathSet tree);

 private:
  struct Entry {
    int64_t time = 0;  // effective time: max(own commit time, parents' effective times)
    uint32_t position = 0;
    std::shared_ptr<const RecentCommit> summary;
  };
  struct Node {
    std::vector<uint32_t> parents;  // known parents only
    size_t parent_count = 0;        // as recorded, known or not
    int64_t first_parent = -1;      // index of the recorded first parent, when known
    uint32_t tree_users = 0;        // unprocessed children whose first parent this is
    uint32_t window_users = 0;      // unprocessed children (any parent)
    bool done = false;
    bool seeded = false;  // tree given by seed_tree()
    int64_t time = 0;
    std::unique_ptr<PathSet> tree;
    uint64_t tree_version = 0;  // see HistoryStep::tree_version
    std::vector<Entry> window;  // newest first, includes this commit when it is not a merge
  };
  std::vector<Entry> merged_parent_windows(const Node& node) const;
  PathSet take_parent_tree(Node& node, bool& has_tree, uint64_t& version);
  void release_parent_windows(const Node& node);
  Result<uint32_t> ready(const std::string& hash);
  void finish(Node& node, uint32_t pos, int64_t commit_time, std::vector<Entry> recent,
              std::shared_ptr<const RecentCommit> summary);

  std::unordered_map<std::string, uint32_t> index_;
  std::vector<Node> nodes_;
  std::function<RecentCommit(const GitCommit&)> summarize_;
  size_t window_;
  uint64_t last_tree_version_ = 0;
};

// Applies a commit's changes to a tree (D removes, R moves, A/C/M/T add); true when the set of
// paths changed.
bool apply_changes(PathSet& tree, const std::vector<GitChange>& changes);

}  // namespace pt
