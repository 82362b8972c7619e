// `local:student@FILE?repo=REPO`: the served student reads the repository the calls come from and
// scores each call with the contents of the tree its commit saw (as `student train --repo` does),
// instead of its paths-only ensemble; the option's parsing and canonical id.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "../pipeline/import/test_repo.h"
#include "providers/model.h"
#include "providers/student_names.h"
#include "ranker/student.h"
#include "ranker/student_trainer.h"
#include "ranker/tree_contents.h"
#include "support/issue_repo.h"

namespace pt {
namespace {

namespace ir = pt_test::issue_repo;
namespace fs = std::filesystem;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  return out;
}

class LocalStudentRepo : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("PICKTUNE_STUDENTS", (git_.tmp() + "/students.json").c_str(), 1);
    repo_ = ir::make_repo(30, 400, 30, 5);
    // Trained with contents (the fixture's one static tree) and with the paths-only fallback.
    ranker::RepoContents mem;
    mem.add_files_tree("t", repo_.files);
    ranker::StudentTrainer t(ranker::StudentTrainOptions{});
    const size_t tune_from = repo_.commits.size() - repo_.commits.size() * 15 / 100;
    for (size_t c = 0; c < repo_.commits.size(); ++c) {
      ranker::TraceView v = ranker::make_trace_view(ir::system_prompt(repo_, c), repo_.commits[c].text);
      v.tree = mem.tree("t");
      t.add(v, repo_.commits[c].gold, c >= tune_from);
    }
    model_file_ = git_.tmp() + "/student.model";
    std::ofstream(model_file_, std::ios::binary)
        << t.finish(ranker::StudentMeta{"truth", 0, 0, 5, "test"})->serialize();
    // The same files in a git repository; the issues are asked at a commit whose parent holds them.
    for (const auto& [path, text] : repo_.files) git_.write(path, text);
    git_.commit("the files", 1000);
    issue_commit_ = git_.commit("an issue is filed", 2000);
  }
  void TearDown() override { unsetenv("PICKTUNE_STUDENTS"); }

  PickerCall issue_call(const ir::Request& issue) const {
    PickerCall call;
    call.system_blocks = {ir::system_prompt(repo_, repo_.commits.size())};
    call.messages = {PromptMessage{"user", {issue.text}}};
    call.user_input_id = issue_commit_;
    return call;
  }

  pt::testing::TestRepo git_;
  ir::Repo repo_;
  std::string model_file_, issue_commit_;
};

TEST_F(LocalStudentRepo, AnswersFromTheContentsOfEachCallsTree) {
  auto with = make_local_model("local:student@" + model_file_ + "?repo=" + git_.dir());
  ASSERT_TRUE(with.ok()) << with.error().message;
  auto without = make_local_model("local:student@" + model_file_);
  ASSERT_TRUE(without.ok()) << without.error().message;
  // What each should answer: the model ranking in process, with the repository's contents or none.
  auto contents = ranker::RepoContents::load_git(git_.dir());
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  auto reference = ranker::StudentModel::load(model_file_);
  ASSERT_TRUE(reference.ok());
  auto paths_only = ranker::StudentModel::load(model_file_);
  ASSERT_TRUE(paths_only.ok());
  (*reference)->contents = std::shared_ptr<const ranker::RepoContents>(std::move(*contents));

  size_t hits_with = 0, hits_without = 0;
  for (const auto& issue : repo_.issues) {
    const PickerCall call = issue_call(issue);
    auto a = (*with)->answer(TeacherInput{&call, ""});
    auto b = (*without)->answer(TeacherInput{&call, ""});
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(lines(a->text), (*reference)->rank(call, 0));
    EXPECT_EQ(lines(b->text), (*paths_only)->rank(call, 0));
    const std::string& gold = issue.gold.at(0);
    for (const auto& p : lines(a->text)) hits_with += p == gold;
    for (const auto& p : lines(b->text)) hits_without += p == gold;
  }
  std::printf("issues answered with the fixed file: %zu with ?repo=, %zu without (of %zu)\n", hits_with, hits_without,
              repo_.issues.size());
  // The issues name no file: their evidence is in the files' contents, which only ?repo= sees.
  EXPECT_GT(hits_with, hits_without + repo_.issues.size() / 5) << hits_with << " vs " << hits_without;
}

TEST_F(LocalStudentRepo, TheOptionIsPartOfTheCanonicalIdAndChecked) {
  const std::string file = fs::weakly_canonical(model_file_).string();
  const std::string repo = fs::weakly_canonical(git_.dir()).string();
  const fs::path cwd = fs::current_path();
  fs::current_path(git_.tmp());
  auto id = canonical_model_id("local:student@student.model?repo=my repo");
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, "local:student@" + file + "?repo=" + repo);
  // Both options, in either order: one canonical id, history first.
  for (const std::string given : {"?history=none&repo=my repo", "?repo=my repo&history=none"}) {
    auto both = canonical_model_id("local:student@student.model" + given);
    ASSERT_TRUE(both.ok()) << both.error().message;
    EXPECT_EQ(*both, "local:student@" + file + "?history=none&repo=" + repo);
  }
  for (const std::string bad : {"?repo=", "?repo=a&repo=b", "?history=none&history=none", "?colour=blue"}) {
    auto r = make_local_model("local:student@student.model" + bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::usage) << bad;
    EXPECT_NE(r.error().message.find("local:student@student.model"), std::string::npos) << r.error().message;
  }
  auto missing = make_local_model("local:student@student.model?repo=no-such-repo");
  fs::current_path(cwd);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no-such-repo"), std::string::npos) << missing.error().message;
}

}  // namespace
}  // namespace pt
