// Implementation of pipeline/import/import_git.h: resolve the source (clone a bundle), read the graph,
// stream the log through the HistoryWalker, build rows, and upsert them in batches (or keep the
// newest --max in a heap and write them at the end). Rows are deterministic, so a re-run (or a
// run after an interrupted one) replaces the same ids and adds nothing.
#include "pipeline/import/import_git.h"

#include <sys/stat.h>
#include <algorithm>
#include <chrono>
#include <set>

#include <fmt/format.h>

#include "pipeline/import/git_history.h"
#include "pipeline/import/git_log.h"
#include "pipeline/import/git_trace.h"
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

// Batches rows into upsert transactions: traces first, then their truth relabels.
class RowSink {
 public:
  RowSink(Store& store, size_t batch) : store_(store), batch_(std::max<size_t>(batch, 1)) {}
  Result<void> add(GitTraceRows&& rows) {
    traces_.push_back(std::move(rows.trace));
    truths_.push_back(std::move(rows.truth));
    return traces_.size() >= batch_ ? flush() : ok();
  }
  Result<void> flush() {
    if (traces_.empty()) return ok();
    PT_ASSIGN_OR_RETURN(UpsertStats t, store_.upsert(Table::traces, traces_));
    PT_ASSIGN_OR_RETURN(UpsertStats r, store_.upsert(Table::relabels, truths_));
    traces.inserted += t.inserted;
    traces.updated += t.updated;
    traces.unchanged += t.unchanged;
    relabels.inserted += r.inserted;
    relabels.updated += r.updated;
    relabels.unchanged += r.unchanged;
    traces_.clear();
    truths_.clear();
    return ok();
  }
  UpsertStats traces, relabels;

 private:
  Store& store_;
  size_t batch_;
  std::vector<Row> traces_, truths_;
};

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
  Result<void> drain_oldest_first(RowSink& sink) {
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

// The commit graph of `rev`, parents first.
Result<std::vector<GitGraphLine>> read_graph(const std::string& dir, const std::string& rev) {
  PT_ASSIGN_OR_RETURN(std::string text, run_git(GitCommand{git_rev_list_args(dir, rev), {}}));
  return parse_rev_list(text);
}

// Streams `git log` through the walker, turning each step into rows for `sink` (or `newest`).
Result<void> walk_history(const std::string& dir, const std::string& rev, HistoryWalker& walker,
                          const GitTraceOptions& trace_options, RowSink& sink, std::optional<NewestRows>& newest,
                          ImportGitStats& stats) {
  std::set<std::string> unrepresentable;
  auto visit = [&](const HistoryStep& s) -> Result<void> {
    GitTraceResult r = build_git_trace(s, trace_options);
    if (!r.rows) {
      ++stats.skipped[std::string(git_skip_name(r.skipped))];
      return ok();
    }
    ++stats.eligible;
    if (!newest) return sink.add(std::move(*r.rows));
    const int64_t created = r.rows->trace.created_at_us;
    if (newest->add(created, s.position, std::move(*r.rows))) ++stats.skipped["older than the --max newest"];
    return ok();
  };
  GitLogParser parser([&](GitCommit&& c) -> Result<void> {
    ++stats.commits;
    for (const GitChange& ch : c.changes)
      for (const std::string* p : {&ch.path, &ch.old_path})
        if (!p->empty() && !representable_path(*p)) unrepresentable.insert(*p);
    return walker.step(c, visit);
  });
  PT_TRY(run_git_streaming(GitCommand{git_log_args(dir, rev), {}},
                           [&](std::string_view chunk) { return parser.feed(chunk); }));
  PT_TRY(parser.finish());
  if (static_cast<size_t>(stats.commits) != walker.commits())
    return runtime_error(fmt::format("git log listed {} commits but rev-list {}", stats.commits, walker.commits()));
  stats.unrepresentable_paths = static_cast<int64_t>(unrepresentable.size());
  return ok();
}

}  // namespace

Result<ImportGitStats> import_git(Store& store, const ImportGitOptions& o) {
  PT_TRY(check_options(o));
  const auto started = std::chrono::steady_clock::now();
  ImportGitStats stats;
  stats.repo_name = repo_name_from_source(o.source);
  PT_ASSIGN_OR_RETURN(RepoSource src, open_source(o.source));
  PT_ASSIGN_OR_RETURN(std::string rev, prefixed(o.source, resolve_rev(src.dir, o.rev)));
  std::optional<HistoryWalker> walker;
  {
    PT_ASSIGN_OR_RETURN(auto graph, prefixed(o.source, read_graph(src.dir, rev)));
    walker.emplace(graph, summarize_commit, o.recent_commits);
  }
  GitTraceOptions trace_options{stats.repo_name, o.max_files_changed, o.selection_limit, o.since_us};
  RowSink sink(store, o.batch_size);
  std::optional<NewestRows> newest;
  if (o.max) newest.emplace(static_cast<size_t>(*o.max));
  PT_TRY(prefixed(o.source, walk_history(src.dir, rev, *walker, trace_options, sink, newest, stats)));
  if (newest) PT_TRY(newest->drain_oldest_first(sink));
  PT_TRY(sink.flush());

  stats.traces = sink.traces;
  stats.relabels = sink.relabels;
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return stats;
}

}  // namespace pt
