// `local:bm25-content@REPO`: the content BM25 baseline of the retrieval literature, in-process.
// The repository (directory or bundle) is read once (ranker/tree_contents.h); each call is
// answered from the tree its commit (the trace's user_input_id, as `import git` records it) saw:
// BM25 of the request's words against every file's path + contents, top N paths one per line (N
// from the prompt's limit sentence, else 10). A call whose commit the repository does not hold
// is ranked by its paths alone. Free: usage zero, cost 0.
#include <algorithm>

#include "core/file_tree.h"
#include "core/picker_prompt.h"
#include "providers/local.h"
#include "providers/model.h"
#include "ranker/tree_contents.h"

namespace pt {
namespace {

class Bm25ContentModel final : public LocalModel {
 public:
  Bm25ContentModel(std::string id, std::shared_ptr<const ranker::RepoContents> repo)
      : LocalModel(std::move(id)), repo_(std::move(repo)) {}

  Result<Completion> answer(const TeacherInput& input) override {
    if (input.call == nullptr) return runtime_error(id() + ": no call to answer");
    const PickerCall& call = *input.call;
    std::vector<std::string> paths = extract_file_tree(system_text(call));
    std::string prompt = last_user_text(call);
    const int limit = std::max(1, selection_limit(prompt).value_or(10));
    std::string_view request = request_from_prompt(prompt);
    if (request.size() == prompt.size()) {  // no <user_request>: drop the limit sentence
      size_t at = request.rfind(kLimitSentencePrefix);
      if (at != std::string_view::npos) request = request.substr(0, at);
    }
    auto tree = repo_->parent_tree(call.user_input_id);
    Completion c;
    int n = 0;
    for (const auto& s : ranker::bm25_content_rank(*repo_, tree.get(), paths, request)) {
      if (n++ >= limit) break;
      if (!c.text.empty()) c.text += '\n';
      c.text += paths[s.index];
    }
    return c;
  }

 private:
  std::shared_ptr<const ranker::RepoContents> repo_;
};

}  // namespace

Result<std::unique_ptr<LocalModel>> make_bm25_content_model(const std::string& repo) {
  if (repo.empty()) return usage_error("local:bm25-content@REPO: the repository (directory or bundle) is empty");
  PT_ASSIGN_OR_RETURN(auto contents, ranker::RepoContents::load_git(repo));
  return std::unique_ptr<LocalModel>(std::make_unique<Bm25ContentModel>(
      "local:bm25-content@" + repo, std::shared_ptr<const ranker::RepoContents>(std::move(contents))));
}

}  // namespace pt
