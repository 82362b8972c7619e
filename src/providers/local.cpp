// make_local_model(): the in-process models behind "local:" ids. `local:bm25` is the lexical
// ranker of local_bm25.cpp; `local:student@PATH` wraps the learned ranker (ranker/student.h)
// trained by `student train`. Both answer like an LLM (one path per line), free of charge.
#include "providers/local.h"

#include <fmt/format.h>

#include "ranker/student.h"

namespace pt {

namespace {

class StudentAdapter final : public Model {
 public:
  StudentAdapter(std::string id, std::unique_ptr<ranker::StudentModel> student)
      : id_(std::move(id)), student_(std::move(student)) {}
  const std::string& id() const override { return id_; }
  bool is_local() const override { return true; }
  Result<Completion> answer(const TeacherInput& input) override {
    if (input.call == nullptr) return runtime_error(id_ + ": no call to answer");
    Completion c;
    for (const auto& path : student_->rank(*input.call, 0)) {
      if (!c.text.empty()) c.text += '\n';
      c.text += path;
    }
    return c;
  }
  Result<HttpRequest> build_request(const TeacherInput&) const override {
    return runtime_error(id_ + " answers in-process; it has no HTTP request");
  }
  Result<Completion> parse_response(const HttpResponse&) const override {
    return runtime_error(id_ + " answers in-process; it has no HTTP response");
  }
  double cost_usd(const Usage&) const override { return 0; }

 private:
  std::string id_;
  std::unique_ptr<ranker::StudentModel> student_;
};

}  // namespace

Result<std::unique_ptr<Model>> make_local_model(std::string_view name, const ModelOptions& /*options*/) {
  if (name == "bm25") return make_bm25_model();
  if (name == "bm25-content")
    return usage_error("local:bm25-content needs the repository: local:bm25-content@REPO (directory or bundle)");
  if (name.rfind("bm25-content@", 0) == 0) return make_bm25_content_model(std::string(name.substr(13)));
  if (name == "student")
    return usage_error("local:student needs its model file: local:student@PATH (see `student train`)");
  if (name.rfind("student@", 0) == 0) {
    std::string path(name.substr(8));
    if (path.empty()) return usage_error("local:student@PATH: the path is empty");
    PT_ASSIGN_OR_RETURN(auto student, ranker::StudentModel::load(path));
    return std::unique_ptr<Model>(std::make_unique<StudentAdapter>(fmt::format("local:{}", name), std::move(student)));
  }
  return usage_error(fmt::format(
      "unknown local model 'local:{}': expected local:bm25, local:bm25-content@REPO or local:student@PATH", name));
}

}  // namespace pt
