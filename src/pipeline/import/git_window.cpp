// Implementation of pipeline/import/git_window.h. plan_window() replays HistoryWalker's recent
// lists on positions and effective times only (the same merge: parents' lists, newest first by
// (effective time, position), the commit itself in front when it is not a merge, N kept), so the
// context it picks is exactly what the walker will ask summaries for.
#include "pipeline/import/git_window.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "util/process.h"

namespace pt {

Result<TimedGraph> read_timed_graph(const std::string& dir, const std::string& rev) {
  PT_ASSIGN_OR_RETURN(
      std::string text,
      run_git(
          GitCommand{{"-C", dir, "rev-list", "--topo-order", "--reverse", "--parents", "--timestamp", rev, "--"}, {}}));
  // Each line is "TIME HASH PARENT…": take the time off and parse the rest as rev-list lines.
  TimedGraph g;
  std::string rest;
  rest.reserve(text.size());
  size_t line_no = 0;
  for (size_t pos = 0, nl; pos < text.size(); pos = nl + 1) {
    nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    ++line_no;
    std::string_view line(text.data() + pos, nl - pos);
    if (line.empty()) continue;
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos)
      return runtime_error(fmt::format("git rev-list --timestamp output line {}: no hash", line_no));
    int64_t t = 0;
    for (char c : line.substr(0, sp)) {
      if (c < '0' || c > '9') return runtime_error(fmt::format("git rev-list output line {}: bad time", line_no));
      t = t * 10 + (c - '0');
    }
    g.times.push_back(t);
    rest.append(line.substr(sp + 1)).push_back('\n');
  }
  PT_ASSIGN_OR_RETURN(g.lines, parse_rev_list(rest));
  if (g.lines.size() != g.times.size()) return runtime_error("git rev-list --timestamp: unexpected output");
  return g;
}

HistoryWindow plan_window(const TimedGraph& g, int64_t cutoff_s, size_t recent) {
  const size_t n = g.lines.size();
  HistoryWindow w;
  w.in_window.assign(n, 0);
  w.read.assign(n, 0);
  std::unordered_map<std::string_view, uint32_t> index;
  index.reserve(n);
  for (size_t i = 0; i < n; ++i) index.emplace(g.lines[i].hash, static_cast<uint32_t>(i));
  struct Entry {
    int64_t time;
    uint32_t position;
  };
  std::vector<int64_t> eff(n, 0);
  std::vector<std::vector<Entry>> windows(n);
  std::vector<uint32_t> users(n, 0);  // children not yet replayed (frees windows early)
  std::vector<std::vector<uint32_t>> parents(n);
  std::vector<char> seeded(n, 0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < g.lines[i].parents.size(); ++k) {
      auto it = index.find(g.lines[i].parents[k]);
      if (it == index.end()) continue;
      if (std::find(parents[i].begin(), parents[i].end(), it->second) != parents[i].end()) continue;
      parents[i].push_back(it->second);
      ++users[it->second];
    }
  }
  for (size_t i = 0; i < n; ++i) {
    const bool in = g.times[i] >= cutoff_s;
    w.in_window[i] = in;
    std::vector<Entry> all;
    eff[i] = g.times[i];
    for (uint32_t p : parents[i]) {
      eff[i] = std::max(eff[i], eff[p]);
      for (const Entry& e : windows[p])
        if (std::none_of(all.begin(), all.end(), [&](const Entry& x) { return x.position == e.position; }))
          all.push_back(e);
    }
    std::sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) {
      return a.time != b.time ? a.time > b.time : a.position > b.position;
    });
    if (all.size() > recent) all.resize(recent);
    if (in) {
      w.read[i] = 1;
      for (const Entry& e : all) w.read[e.position] = 1;  // its recent list needs these summaries
      if (!g.lines[i].parents.empty()) {
        auto it = index.find(g.lines[i].parents[0]);
        if (it != index.end() && !(g.times[it->second] >= cutoff_s) && !seeded[it->second]) {
          seeded[it->second] = 1;
          w.seeds.push_back(it->second);
        }
      }
    }
    for (uint32_t p : parents[i])
      if (--users[p] == 0) std::vector<Entry>().swap(windows[p]);
    if (users[i] > 0) {
      if (g.lines[i].parents.size() <= 1) {
        all.insert(all.begin(), Entry{eff[i], static_cast<uint32_t>(i)});
        if (all.size() > recent) all.resize(recent);
      }
      windows[i] = std::move(all);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    w.window_commits += w.in_window[i] != 0;
    w.read_commits += w.read[i] != 0;
  }
  return w;
}

int64_t nth_newest_time(const TimedGraph& g, size_t n) {
  if (g.times.empty()) return 0;
  std::vector<int64_t> t = g.times;
  const size_t k = std::min(n, t.size()) - 1;
  std::nth_element(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(k), t.end(), std::greater<>());
  return t[k];
}

Result<std::vector<std::string>> list_tree(const std::string& dir, const std::string& commit) {
  PT_ASSIGN_OR_RETURN(
      std::string text,
      run_git(GitCommand{
          {"-C", dir, "-c", "core.quotePath=false", "ls-tree", "-r", "-z", "--name-only", "--full-tree", commit}, {}}));
  std::vector<std::string> paths;
  for (size_t pos = 0, nul; (nul = text.find('\0', pos)) != std::string::npos; pos = nul + 1)
    paths.emplace_back(text, pos, nul - pos);
  return paths;
}

std::vector<std::string> git_log_commits_args(const std::string& dir, const std::vector<std::string>& hashes) {
  std::vector<std::string> args = git_log_args(dir, "HEAD");
  // git_log_args ends with: "--reverse", "--topo-order", … , REV, "--": walk exactly the listed commits instead.
  args.erase(std::remove_if(args.begin(), args.end(),
                            [](const std::string& a) { return a == "--reverse" || a == "--topo-order"; }),
             args.end());
  args.resize(args.size() - 2);
  args.push_back("--no-walk=unsorted");
  args.insert(args.end(), hashes.begin(), hashes.end());
  args.push_back("--");
  return args;
}

}  // namespace pt
