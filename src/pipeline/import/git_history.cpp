// Implementation of pipeline/import/git_history.h.
#include "pipeline/import/git_history.h"

#include <algorithm>

#include <fmt/format.h>

namespace pt {

HistoryWalker::HistoryWalker(const std::vector<GitGraphLine>& graph,
                             std::function<RecentCommit(const GitCommit&)> summarize, size_t window)
    : summarize_(std::move(summarize)), window_(window) {
  nodes_.resize(graph.size());
  index_.reserve(graph.size());
  for (size_t i = 0; i < graph.size(); ++i) index_.emplace(graph[i].hash, static_cast<uint32_t>(i));
  for (size_t i = 0; i < graph.size(); ++i) {
    Node& n = nodes_[i];
    n.parent_count = graph[i].parents.size();
    for (size_t k = 0; k < graph[i].parents.size(); ++k) {
      auto it = index_.find(graph[i].parents[k]);
      if (it == index_.end()) continue;  // missing from a shallow history
      if (std::find(n.parents.begin(), n.parents.end(), it->second) != n.parents.end()) continue;
      if (k == 0) {
        n.first_parent = static_cast<int64_t>(it->second);
        ++nodes_[it->second].tree_users;
      }
      ++nodes_[it->second].window_users;
      n.parents.push_back(it->second);
    }
  }
}

std::vector<HistoryWalker::Entry> HistoryWalker::merged_parent_windows(const Node& node) const {
  std::vector<Entry> all;
  for (uint32_t p : node.parents)
    for (const Entry& e : nodes_[p].window)
      if (std::none_of(all.begin(), all.end(), [&](const Entry& x) { return x.position == e.position; }))
        all.push_back(e);
  std::sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) {
    return a.time != b.time ? a.time > b.time : a.position > b.position;
  });
  if (all.size() > window_) all.resize(window_);
  return all;
}

PathSet HistoryWalker::take_parent_tree(Node& node, bool& has_tree, uint64_t& version) {
  has_tree = false;
  version = 0;
  if (node.first_parent < 0) return {};  // a root, or a first parent missing (shallow)
  Node& fp = nodes_[static_cast<size_t>(node.first_parent)];
  if (!fp.tree) return {};
  has_tree = true;
  version = fp.tree_version;
  if (--fp.tree_users > 0) return *fp.tree;
  PathSet tree = std::move(*fp.tree);
  fp.tree.reset();
  return tree;
}

void HistoryWalker::release_parent_windows(const Node& node) {
  for (uint32_t p : node.parents)
    if (--nodes_[p].window_users == 0) std::vector<Entry>().swap(nodes_[p].window);
}

Result<uint32_t> HistoryWalker::ready(const std::string& hash) {
  auto it = index_.find(hash);
  if (it == index_.end()) return runtime_error(fmt::format("git log listed commit {} that rev-list did not", hash));
  const uint32_t pos = it->second;
  Node& node = nodes_[pos];
  if (node.done) return runtime_error(fmt::format("git log listed commit {} twice", hash));
  for (uint32_t p : node.parents)
    if (!nodes_[p].done) return runtime_error(fmt::format("git log listed commit {} before its parent", hash));
  return pos;
}

// Marks a node processed: effective time, and its window when children still need it.
void HistoryWalker::finish(Node& node, uint32_t pos, int64_t commit_time, std::vector<Entry> recent,
                           std::shared_ptr<const RecentCommit> summary) {
  node.done = true;
  node.time = commit_time;
  for (uint32_t p : node.parents) node.time = std::max(node.time, nodes_[p].time);
  if (node.window_users > 0) {
    if (node.parent_count <= 1) {
      recent.insert(recent.begin(), Entry{node.time, pos, std::move(summary)});
      if (recent.size() > window_) recent.resize(window_);
    }
    node.window = std::move(recent);
  }
  release_parent_windows(node);
}

Result<void> HistoryWalker::step(const GitCommit& commit, const std::function<Result<void>(const HistoryStep&)>& visit,
                                 bool visit_it) {
  PT_ASSIGN_OR_RETURN(const uint32_t pos, ready(commit.hash));
  Node& node = nodes_[pos];
  bool has_tree = false;
  uint64_t version = 0;
  PathSet tree = take_parent_tree(node, has_tree, version);
  std::vector<Entry> recent = merged_parent_windows(node);
  if (visit_it) {
    HistoryStep s{commit, pos, node.parent_count, has_tree, tree, {}, version};
    s.recent.reserve(recent.size());
    for (const Entry& e : recent) {
      if (!e.summary)
        return runtime_error(fmt::format("commit {}: a recent commit was left out of the windowed walk", commit.hash));
      s.recent.push_back(e.summary);
    }
    PT_TRY(visit(s));
  }
  if (node.tree_users > 0 && !node.seeded) {
    if (apply_changes(tree, commit.changes) || version == 0) version = ++last_tree_version_;
    node.tree = std::make_unique<PathSet>(std::move(tree));
    node.tree_version = version;
  }
  std::shared_ptr<const RecentCommit> summary;
  if (node.window_users > 0 && node.parent_count <= 1)
    summary = std::make_shared<const RecentCommit>(summarize_(commit));
  finish(node, pos, commit.commit_time, std::move(recent), std::move(summary));
  return ok();
}

Result<void> HistoryWalker::pass(const std::string& hash, int64_t commit_time) {
  PT_ASSIGN_OR_RETURN(const uint32_t pos, ready(hash));
  Node& node = nodes_[pos];
  bool has_tree = false;
  uint64_t version = 0;
  take_parent_tree(node, has_tree, version);
  finish(node, pos, commit_time, merged_parent_windows(node), nullptr);
  return ok();
}

void HistoryWalker::seed_tree(const std::string& hash, PathSet tree) {
  auto it = index_.find(hash);
  if (it == index_.end()) return;
  Node& node = nodes_[it->second];
  node.tree = std::make_unique<PathSet>(std::move(tree));
  node.tree_version = ++last_tree_version_;
  node.seeded = true;
}

bool apply_changes(PathSet& tree, const std::vector<GitChange>& changes) {
  bool changed = false;
  for (const GitChange& c : changes) {
    if (c.status == 'D') {
      changed |= tree.erase(c.path) > 0;
    } else if (c.status == 'R') {
      changed |= tree.erase(c.old_path) > 0;
      changed |= tree.insert(c.path).second;
    } else {
      changed |= tree.insert(c.path).second;
    }
  }
  return changed;
}

}  // namespace pt
