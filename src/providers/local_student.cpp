// `local:student@PATH`: the learned ranker (ranker/student.h) trained by `student train`, loaded
// from PATH, answering like an LLM (one path per line, best first), free of charge. With
// `?history=none` (cold start) the model's history statistics are dropped at load: every call is
// answered as for a repository with no history (no recency, frequency, co-change or word-history
// evidence), whatever the model was trained on. With `?repo=REPO` the repository is read once
// (ranker/tree_contents.h) and each call is scored with the contents of the tree its commit saw;
// without it the model scores with its paths-only ensemble (contents unknown).
#include "providers/local.h"
#include "ranker/student.h"
#include "ranker/tree_contents.h"

namespace pt {
namespace {

class StudentLocalModel final : public LocalModel {
 public:
  StudentLocalModel(std::string id, std::unique_ptr<ranker::StudentModel> student)
      : LocalModel(std::move(id)), student_(std::move(student)) {}

  Result<Completion> answer(const TeacherInput& input) override {
    if (input.call == nullptr) return runtime_error(id() + ": no call to answer");
    Completion c;
    for (const auto& path : student_->rank(*input.call, 0)) {
      if (!c.text.empty()) c.text += '\n';
      c.text += path;
    }
    return c;
  }

 private:
  std::unique_ptr<ranker::StudentModel> student_;
};

}  // namespace

Result<std::unique_ptr<LocalModel>> make_student_model(std::string id, const std::string& path, bool cold,
                                                       const std::string& repo) {
  PT_ASSIGN_OR_RETURN(auto student, ranker::StudentModel::load(path));
  if (cold) student->drop_history();
  if (!repo.empty()) {
    PT_ASSIGN_OR_RETURN(auto contents, ranker::RepoContents::load_git(repo));
    student->contents = std::shared_ptr<const ranker::RepoContents>(std::move(contents));
  }
  return std::unique_ptr<LocalModel>(std::make_unique<StudentLocalModel>(std::move(id), std::move(student)));
}

}  // namespace pt
