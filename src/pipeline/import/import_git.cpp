// Implementation of pipeline/import/import_git.h: resolve the source (clone a bundle), read the graph,
// stream the log through the HistoryWalker, build rows, and upsert them in batches (or keep the
// newest --max in a heap and write them at the end). Rows are deterministic, so a re-run (or a
// run after an interrupted one) replaces the same ids and adds nothing.
#include "pipeline/import/import_git.h"

#include <sys/stat.h>
#include <algorithm>
#include <chrono>
#include <future>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "pipeline/import/git_history.h"
#include "pipeline/import/git_log.h"
#include "pipeline/import/git_row_sink.h"
#include "pipeline/import/git_trace.h"
#include "pipeline/import/git_window.h"
#include "util/process.h"

namespace pt {
namespace {

struct RepoSource {
  std::optional<TempDir> tmp;  // the bundle's clone, removed on destruction
  std::string dir;
};

Result<RepoSource> open_source(const std::string& source) {
  struct stat st {};
  if (source.empty()) return usage_error("import git: REPO_OR_BUNDLE is empty");
  if (::stat(source.c_str(), &st) != 0) return usage_error(fmt::format("{}: no such file or directory", source));
  RepoSource out;
  if (S_ISDIR(st.st_mode)) {
    out.dir = source;
    return out;
  }
  if (!S_ISREG(st.st_mode))
    return usage_error(fmt::format("{}: neither a repository directory nor a bundle file", source));
  PT_ASSIGN_OR_RETURN(TempDir tmp, TempDir::create("picktune-git-"));
  out.dir = tmp.path() + "/repo.git";
  out.tmp.emplace(std::move(tmp));
  auto cloned = run_git(GitCommand{{"clone", "--mirror", "--quiet", "--", source, out.dir}, {}});
  if (!cloned.ok())
    return runtime_error(fmt::format("{}: cannot read as a git bundle: {}", source, cloned.error().message));
  return out;
}

// The N newest eligible commits by (commit time, history position).
class NewestRows {
 public:
  explicit NewestRows(size_t n) : n_(n) {}
  // Returns true when a row was dropped to stay within N.
  bool add(int64_t created, uint32_t position, GitTraceRows&& rows) {
    heap_.push_back(Pending{created, position, std::move(rows)});
    std::push_heap(heap_.begin(), heap_.end(), newer);
    if (heap_.size() <= n_) return false;
    std::pop_heap(heap_.begin(), heap_.end(), newer);
    heap_.pop_back();
    return true;
  }
  Result<void> drain_oldest_first(GitRowSink& sink) {
    std::sort(heap_.begin(), heap_.end(), [](const Pending& a, const Pending& b) { return newer(b, a); });
    for (Pending& p : heap_) PT_TRY(sink.add(std::move(p.rows)));
    heap_.clear();
    return ok();
  }

 private:
  struct Pending {
    int64_t created;
    uint32_t position;
    GitTraceRows rows;
  };
  // Heap order: the oldest on top, so it is the one dropped.
  static bool newer(const Pending& a, const Pending& b) {
    return a.created != b.created ? a.created > b.created : a.position > b.position;
  }
  size_t n_;
  std::vector<Pending> heap_;
};

// The revision to walk: `rev` as given, except that a default "HEAD" missing (a bundle made of
// branches only) falls back to the only branch, else main or master.
Result<std::string> resolve_rev(const std::string& dir, const std::string& rev) {
  if (rev != "HEAD") return rev;
  if (run_git(GitCommand{{"-C", dir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"}, {}}).ok()) return rev;
  PT_ASSIGN_OR_RETURN(std::string refs,
                      run_git(GitCommand{{"-C", dir, "for-each-ref", "--format=%(refname)", "refs/heads"}, {}}));
  std::vector<std::string> names;
  for (size_t pos = 0, nl; (nl = refs.find('\n', pos)) != std::string::npos; pos = nl + 1)
    names.push_back(refs.substr(pos, nl - pos));
  if (names.size() == 1) return names[0];
  for (const char* preferred : {"refs/heads/main", "refs/heads/master"})
    if (std::find(names.begin(), names.end(), preferred) != names.end()) return std::string(preferred);
  if (names.empty()) return usage_error("the repository has no HEAD and no branches");
  return usage_error(fmt::format("the repository has no HEAD; choose a branch with --rev ({}{})", names[0],
                                 names.size() > 1 ? ", ..." : ""));
}

Result<void> check_options(const ImportGitOptions& o) {
  if (o.max && *o.max < 1) return usage_error(fmt::format("--max must be at least 1, not {}", *o.max));
  if (o.max_files_changed < 1)
    return usage_error(fmt::format("--max-files-changed must be at least 1, not {}", o.max_files_changed));
  if (o.rev.empty() || o.rev[0] == '-') return usage_error(fmt::format("bad revision \"{}\"", o.rev));
  return ok();
}

}  // namespace

std::string repo_name_from_source(const std::string& source) {
  std::string s = source;
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  std::string base = s.substr(s.find_last_of('/') == std::string::npos ? 0 : s.find_last_of('/') + 1);
  for (std::string_view suffix : {".bundle", ".git"})
    if (base.size() > suffix.size() && base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0)
      base.resize(base.size() - suffix.size());
  if (base.empty() || base == "." || base == ".." || base == "/") {
    char resolved[4096];
    if (::realpath(source.c_str(), resolved)) {
      std::string r = resolved;
      if (r != "/") return repo_name_from_source(r);
    }
    return "repo";
  }
  return base;
}

namespace {

template <class T>
Result<T> prefixed(const std::string& source, Result<T> r) {
  if (r.ok()) return r;
  return Error{fmt::format("{}: {}", source, r.error().message), r.error().kind};
}

// The history's graph and the walker over it. A whole-history import reads the graph (`git
// rev-list`) on another thread while `git log` starts: git log prints nothing until it has made its
// own topological walk of the same graph, which takes about as long (40 ms each on express), so
// the two walks overlap instead of following each other. A windowed import needs the graph first.
class HistoryGraph {
 public:
  explicit HistoryGraph(size_t recent_commits) : recent_(recent_commits) {}
  void read_in_background(const std::string& dir, const std::string& rev) {
    pending_ = std::async(std::launch::async, [dir, rev] { return read_timed_graph(dir, rev); });
  }
  Result<void> read_now(const std::string& dir, const std::string& rev) {
    PT_ASSIGN_OR_RETURN(graph_, read_timed_graph(dir, rev));
    return ok();
  }
  // Waits for the graph (once) and makes a walker over it when there is none.
  Result<void> ready() {
    if (pending_.valid()) {
      Result<TimedGraph> g = pending_.get();
      if (!g.ok()) return g.error();
      graph_ = std::move(*g);
    }
    if (!walker_) walker_.emplace(graph_.lines, summarize_commit, recent_);
    return ok();
  }
  // The graph's error when it failed too (it names the revision), else `other`.
  Error graph_error_or(Error other) {
    if (pending_.valid())
      if (Result<TimedGraph> g = pending_.get(); !g.ok()) return g.error();
    return other;
  }
  void new_walker() { walker_.reset(); }
  const TimedGraph& graph() const { return graph_; }  // after ready() or read_now()
  HistoryWalker& walker() { return *walker_; }        // after ready()

 private:
  size_t recent_;
  std::future<Result<TimedGraph>> pending_;
  TimedGraph graph_;
  std::optional<HistoryWalker> walker_;
};

// Streams `git log` through the walker, turning each step into rows for `sink` (or `newest`).
// With a window, git diffs only the commits it reads (plan_window) and the others are passed.
Result<void> walk_history(const std::string& dir, const std::string& rev, HistoryGraph& history,
                          const HistoryWindow* window, const GitTraceOptions& trace_options, GitRowSink& sink,
                          NewestRows* newest, ImportGitStats& stats, Progress* progress,
                          const FileContextOptions* file_context) {
  std::set<std::string> unrepresentable;
  TreeRenderCache trees;
  const TimedGraph& graph = history.graph();
  auto visit = [&](const HistoryStep& s) -> Result<void> {
    GitTraceResult r = build_git_trace(s, trace_options, &trees);
    if (!r.rows) {
      ++stats.skipped[std::string(git_skip_name(r.skipped))];
      return ok();
    }
    ++stats.eligible;
    if (file_context)
      r.rows->context_candidates =
          file_context_candidates(s.parent_tree, clean_commit_message(s.commit.message), *file_context);
    if (!newest) return sink.add(std::move(*r.rows));
    const int64_t created = r.rows->trace.created_at_us;
    if (newest->add(created, s.position, std::move(*r.rows))) ++stats.skipped["older than the --max newest"];
    return ok();
  };
  size_t next = 0;  // graph lines before this one are processed
  GitLogParser parser([&](GitCommit&& c) -> Result<void> {
    PT_TRY(history.ready());
    HistoryWalker& walker = history.walker();
    ++stats.commits;
    if (progress)
      progress->update(stats.commits, static_cast<int64_t>(window ? window->read_commits : walker.commits()));
    for (const GitChange& ch : c.changes)
      for (const std::string* p : {&ch.path, &ch.old_path})
        if (!p->empty() && !representable_path(*p)) unrepresentable.insert(*p);
    bool in_window = true;
    if (window) {
      for (; next < graph.lines.size() && !window->read[next]; ++next)
        PT_TRY(walker.pass(graph.lines[next].hash, graph.times[next]));
      if (next < graph.lines.size() && graph.lines[next].hash == c.hash) in_window = window->in_window[next++];
    }
    return walker.step(c, visit, in_window);
  });
  std::vector<std::string> args = git_log_args(dir, rev);
  if (window) {
    std::vector<std::string> hashes;
    hashes.reserve(window->read_commits);
    for (size_t i = 0; i < graph.lines.size(); ++i)
      if (window->read[i]) hashes.push_back(graph.lines[i].hash);
    args = git_log_commits_args(dir, hashes);
    PT_TRY(history.ready());
    for (uint32_t seed : window->seeds) {
      PT_ASSIGN_OR_RETURN(std::vector<std::string> paths, list_tree(dir, graph.lines[seed].hash));
      history.walker().seed_tree(graph.lines[seed].hash, PathSet(paths.begin(), paths.end()));
    }
  }
  if (!window || window->read_commits > 0) {  // an empty window (e.g. --since in the future) reads nothing
    Result<void> streamed =
        run_git_streaming(GitCommand{args, {}}, [&](std::string_view chunk) { return parser.feed(chunk); });
    if (!streamed.ok()) return history.graph_error_or(streamed.error());
  }
  PT_TRY(parser.finish());
  PT_TRY(history.ready());
  const size_t expected = window ? window->read_commits : history.walker().commits();
  if (static_cast<size_t>(stats.commits) != expected)
    return runtime_error(fmt::format("git log listed {} commits but rev-list {}", stats.commits, expected));
  stats.unrepresentable_paths = static_cast<int64_t>(unrepresentable.size());
  return ok();
}

// A windowed walk reads at most this many commits (their hashes go on git's command line).
constexpr size_t kMaxWindowCommits = 20000;

}  // namespace

Result<ImportGitStats> import_git(Store& store, const ImportGitOptions& o) {
  PT_TRY(check_options(o));
  const auto started = std::chrono::steady_clock::now();
  ImportGitStats stats;
  stats.repo_name = repo_name_from_source(o.source);
  PT_ASSIGN_OR_RETURN(RepoSource src, open_source(o.source));
  PT_ASSIGN_OR_RETURN(std::string rev, prefixed(o.source, resolve_rev(src.dir, o.rev)));
  HistoryGraph history(o.recent_commits);
  const bool whole_history = !o.since_us && !o.max;
  if (whole_history)
    history.read_in_background(src.dir, rev);
  else
    PT_TRY(prefixed(o.source, history.read_now(src.dir, rev)));
  const TimedGraph& graph = history.graph();  // read_now()'s; whole_history's once walk_history has it
  GitTraceOptions trace_options{stats.repo_name, o.max_files_changed, o.selection_limit, o.since_us};
  std::optional<TempDir> scratch;
  std::unique_ptr<GitFileContext> context;
  if (o.with_file_context) {
    PT_ASSIGN_OR_RETURN(TempDir t, TempDir::create("picktune-context-"));
    scratch.emplace(std::move(t));
    context = std::make_unique<GitFileContext>(src.dir, scratch->path(), o.file_context);
  }
  GitRowSink sink(store, o.batch_size, context.get());
  std::unique_ptr<NewestRows> newest;  // a pointer, not an optional: g++ 12 warns falsely on the latter
  // --since and --max bound what git reads: only commits at or after a cut-off time (--since's,
  // or the time of the M-th newest commit for --max, M widened until the window holds --max
  // eligible commits) and the few older ones their recent lists show.
  std::optional<int64_t> since_s;
  if (o.since_us) since_s = *o.since_us / 1'000'000 + (*o.since_us % 1'000'000 > 0 ? 1 : 0);
  for (size_t m = o.max ? std::max<size_t>(static_cast<size_t>(*o.max) * 4, 64) : 0;; m *= 4) {
    std::optional<int64_t> cutoff = since_s;
    const bool by_max = o.max && m < graph.lines.size();
    if (by_max) cutoff = std::max(cutoff.value_or(INT64_MIN), nth_newest_time(graph, m));
    std::optional<HistoryWindow> window;
    if (cutoff) {
      window = plan_window(graph, *cutoff, o.recent_commits);
      if (window->read_commits >= graph.lines.size() || window->read_commits > kMaxWindowCommits) window.reset();
    }
    ImportGitStats attempt;
    attempt.repo_name = stats.repo_name;
    history.new_walker();
    newest.reset();
    if (o.max) newest = std::make_unique<NewestRows>(static_cast<size_t>(*o.max));
    PT_TRY(prefixed(o.source,
                    walk_history(src.dir, rev, history, window ? &*window : nullptr, trace_options, sink, newest.get(),
                                 attempt, o.progress, o.with_file_context ? &o.file_context : nullptr)));
    if (window)
      attempt.skipped["before the window (not read)"] =
          static_cast<int64_t>(graph.lines.size() - window->window_commits);
    stats = std::move(attempt);
    // Fewer eligible commits than --max in a window cut by --max: widen it (nothing written yet).
    if (!by_max || !window || stats.eligible >= *o.max) break;
  }
  if (newest) PT_TRY(newest->drain_oldest_first(sink));
  PT_TRY(sink.flush());
  if (o.progress) o.progress->finish(stats.commits);

  stats.traces = sink.traces;
  stats.relabels = sink.relabels;
  if (context) stats.file_context = context->stats();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return stats;
}

}  // namespace pt
