// Implementation of pipeline/pick/pick.h. The call is built exactly like an `import git` trace
// (picker_system_prompt + key_picker_prompt), so a model picks here as it does in eval and serve;
// the scores are the rankers' own (BM25 score; the student's ensemble score).
#include "pipeline/pick/pick.h"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "core/picker_prompt.h"
#include "pipeline/import/git_log.h"
#include "pipeline/import/git_trace.h"
#include "pipeline/import/git_window.h"
#include "providers/local.h"
#include "providers/student_names.h"
#include "ranker/bm25.h"
#include "ranker/student.h"
#include "ranker/trace_view.h"
#include "util/process.h"

namespace pt {

namespace {

constexpr int kDefaultLimit = 12;  // import git's --selection-limit default

Result<std::vector<std::string>> read_tree_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return usage_error(fmt::format("--tree {}: cannot read the file", path));
  std::vector<std::string> paths;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) paths.push_back(line);
  }
  if (paths.empty()) return usage_error(fmt::format("--tree {}: no paths (expected one path a line)", path));
  return paths;
}

// The newest `n` first-parent commits of HEAD, summarized as import git shows them.
Result<std::vector<RecentCommit>> recent_commits(const std::string& repo, size_t n) {
  PT_ASSIGN_OR_RETURN(
      std::string text,
      run_git(
          GitCommand{{"-C", repo, "rev-list", "--first-parent", "--no-merges", "-n", std::to_string(n), "HEAD"}, {}}));
  std::vector<std::string> hashes;
  for (size_t pos = 0, nl; (nl = text.find('\n', pos)) != std::string::npos; pos = nl + 1)
    if (nl > pos) hashes.emplace_back(text, pos, nl - pos);
  std::vector<RecentCommit> out;
  if (hashes.empty()) return out;
  std::unordered_map<std::string, RecentCommit> by_hash;
  GitLogParser parser([&](GitCommit&& c) -> Result<void> {
    by_hash.emplace(c.hash, summarize_commit(c));
    return ok();
  });
  PT_TRY(run_git_streaming(GitCommand{git_log_commits_args(repo, hashes), {}},
                           [&](std::string_view chunk) { return parser.feed(chunk); }));
  PT_TRY(parser.finish());
  for (const auto& h : hashes)
    if (auto it = by_hash.find(h); it != by_hash.end()) out.push_back(std::move(it->second));
  return out;
}

std::string repo_name_of(const std::string& repo) {
  std::string r = repo;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  auto slash = r.rfind('/');
  return slash == std::string::npos ? r : r.substr(slash + 1);
}

}  // namespace

Result<PickResult> run_pick(const PickOptions& o) {
  if (o.request.empty()) return usage_error("pick: the request text is empty");
  if (o.repo.empty() == o.tree_file.empty()) return usage_error("pick: give either --repo PATH or --tree FILE");
  if (o.top < 0) return usage_error("pick: --top must be 1 or more");
  bool bm25 = o.model == "local:bm25";
  PT_ASSIGN_OR_RETURN(std::optional<std::string> student_file, student_model_file(o.model));
  if (!bm25 && !student_file)
    return usage_error(
        fmt::format("pick --model {}: pick answers with local models (local:bm25, local:student@NAME|PATH)", o.model));

  PickResult r;
  PT_ASSIGN_OR_RETURN(r.model, canonical_model_id(o.model));
  PathSet tree;
  std::vector<RecentCommit> recent;
  std::string repo_name;
  if (!o.repo.empty()) {
    auto paths = list_tree(o.repo, "HEAD");
    if (!paths.ok()) return usage_error(fmt::format("--repo {}: {}", o.repo, paths.error().message));
    tree.insert(paths->begin(), paths->end());
    PT_ASSIGN_OR_RETURN(recent, recent_commits(o.repo, o.recent_commits));
    repo_name = repo_name_of(o.repo);
    r.source = fmt::format("repo {} at HEAD", o.repo);
  } else {
    PT_ASSIGN_OR_RETURN(auto paths, read_tree_file(o.tree_file));
    tree.insert(paths.begin(), paths.end());
    repo_name = repo_name_of(o.tree_file);
    r.source = fmt::format("tree {}", o.tree_file);
  }
  r.candidates = tree.size();
  r.recent = recent.size();
  const int limit = o.top > 0 ? o.top : kDefaultLimit;
  nlohmann::ordered_json payload = {
      {"request_type", "Key"},
      {"system", picker_system_prompt(repo_name, tree, recent)},
      {"messages",
       nlohmann::ordered_json::array({{{"role", "user"}, {"content", key_picker_prompt(o.request, limit)}}})},
      {"repo_name", repo_name}};
  PT_ASSIGN_OR_RETURN(PickerCall call, parse_picker_call(payload.dump()));

  auto started = std::chrono::steady_clock::now();
  if (bm25) {
    // The served answer (local:bm25's own cut and fallback) with each file's BM25 score.
    auto model = make_bm25_model();
    PT_ASSIGN_OR_RETURN(Completion answer, model->answer(TeacherInput{&call, ""}));
    std::vector<std::string> paths(tree.begin(), tree.end());
    std::unordered_map<std::string, double> score;
    for (const auto& s : ranker::bm25_rank_paths(paths, o.request)) score.emplace(paths[s.index], s.score);
    size_t pos = 0;
    for (size_t nl; pos <= answer.text.size(); pos = nl + 1) {
      nl = answer.text.find('\n', pos);
      if (nl == std::string::npos) nl = answer.text.size();
      std::string p = answer.text.substr(pos, nl - pos);
      if (!p.empty()) r.files.push_back({p, score.count(p) ? score[p] : 0.0});
    }
  } else {
    PT_ASSIGN_OR_RETURN(auto student, ranker::StudentModel::load(*student_file));
    ranker::TraceView view = ranker::make_trace_view(call);
    auto scored = student->score(view);
    std::unordered_map<std::string, double> score;
    for (const auto& s : scored) score.emplace(s.path, s.score);
    for (auto& p : student->answer(scored, o.top, o.top > 0 ? 0 : limit)) r.files.push_back({p, score[p]});
  }
  r.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return r;
}

}  // namespace pt
