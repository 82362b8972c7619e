// `local:bm25`: answers a file-picker call in-process by ranking the repository files of the
// trace's own file tree with BM25 of the request's words against each path's tokens (and, with
// --with-context, the stored file contents), returning the top N paths one per line — N from the
// prompt's "limit your selection to N files." sentence, else 10. Free: usage zero, cost 0.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "core/file_context.h"
#include "core/file_tree.h"
#include "core/picker_prompt.h"
#include "providers/local.h"
#include "providers/model.h"
#include "ranker/bm25.h"

namespace pt {
namespace {

constexpr int kDefaultFiles = 10;

// The request words of the picker prompt: the <user_request> text, or the prompt without its
// closing limit sentence (whose words would otherwise match every "files" path).
std::string request_text(std::string_view prompt) {
  std::string_view request = request_from_prompt(prompt);
  if (request.size() == prompt.size()) {
    size_t at = request.rfind(kLimitSentencePrefix);
    if (at != std::string_view::npos) request = request.substr(0, at);
  }
  return std::string(request);
}

class Bm25Model final : public LocalModel {
 public:
  Bm25Model() : LocalModel("local:bm25") {}

  Result<Completion> answer(const TeacherInput& input) override {
    if (input.call == nullptr) return runtime_error("local:bm25: no call to answer");
    const PickerCall& call = *input.call;
    std::string system = system_text(call);
    std::vector<std::string> paths = extract_file_tree(system);
    std::string prompt = last_user_text(call);
    int limit = std::max(1, selection_limit(prompt).value_or(kDefaultFiles));

    std::unordered_map<std::string, std::string> contents;
    if (!input.file_context.empty()) {
      std::unordered_set<std::string> known(paths.begin(), paths.end());
      for (auto& f : parse_rendered_file_context(input.file_context)) {
        if (!known.count(f.path)) paths.push_back(f.path);
        contents.emplace(std::move(f.path), std::move(f.content));
      }
    }
    auto ranked = ranker::bm25_rank_paths(paths, request_text(prompt), contents.empty() ? nullptr : &contents);

    std::vector<std::string> picked;
    for (const auto& r : ranked) {
      if (static_cast<int>(picked.size()) >= limit) break;
      picked.push_back(paths[r.index]);
    }
    if (picked.empty()) fill_from_recent_commits(system, paths, limit, picked);
    Completion c;
    for (size_t i = 0; i < picked.size(); ++i) {
      if (i) c.text += '\n';
      c.text += picked[i];
    }
    return c;
  }

 private:
  // No word of the request matched any path: the files of the recent commits that still exist
  // in the tree, newest first (what changed last is the likeliest to matter next).
  static void fill_from_recent_commits(std::string_view system, const std::vector<std::string>& paths, int limit,
                                       std::vector<std::string>& picked) {
    std::unordered_set<std::string> in_tree(paths.begin(), paths.end());
    std::unordered_set<std::string> seen;
    for (const auto& commit : extract_recent_commits(system))
      for (const auto& f : commit.files) {
        if (static_cast<int>(picked.size()) >= limit) return;
        if (f.status == 'D' || !in_tree.count(f.path) || !seen.insert(f.path).second) continue;
        picked.push_back(f.path);
      }
  }
};

}  // namespace

std::unique_ptr<LocalModel> make_bm25_model() { return std::make_unique<Bm25Model>(); }

}  // namespace pt
