// `student register NAME FILE` and the normalization of `local:student@X` ids
// (providers/student_names.h): one model file is one id in the store whatever the spelling of its
// path or the working directory, a registered name resolves to its file, and `eval relabel` /
// `eval score` given two spellings of the same student see one model.
#include "providers/student_names.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <set>

#include "providers/model.h"
#include "support/run_cli.h"
#include "support/student_fixture.h"

namespace pt {
namespace {

namespace fs = std::filesystem;
using pt_test::run_cli;

class StudentNames : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { fixture_ = new pt_test::StudentFixture("names"); }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
  }
  void SetUp() override {
    names_ = fixture_->dir + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name() + "/names.json";
    fs::remove_all(fs::path(names_).parent_path());
    ::setenv("PICKTUNE_STUDENTS", names_.c_str(), 1);
  }
  void TearDown() override { ::unsetenv("PICKTUNE_STUDENTS"); }
  std::vector<std::string> env() const { return {"PICKTUNE_STUDENTS=" + names_}; }

  static pt_test::StudentFixture* fixture_;
  std::string names_;
};
pt_test::StudentFixture* StudentNames::fixture_ = nullptr;

TEST_F(StudentNames, PathSpellingsOfOneFileAreOneId) {
  const std::string& dir = fixture_->dir;
  fs::path old = fs::current_path();
  fs::current_path(dir);
  auto a = canonical_model_id("local:student@./m.model");
  auto b = canonical_model_id("local:student@m.model");
  auto c = canonical_model_id("local:student@" + dir + "/sub/../m.model");
  fs::current_path(old);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  std::string expected = "local:student@" + fs::canonical(dir + "/m.model").string();
  EXPECT_EQ(*a, expected);
  EXPECT_EQ(*b, expected);
  EXPECT_EQ(*c, expected);
  // Other ids are left as given.
  EXPECT_EQ(canonical_model_id("local:bm25").value(), "local:bm25");
  EXPECT_EQ(canonical_model_id("anthropic:claude-x").value(), "anthropic:claude-x");
  EXPECT_EQ(canonical_model_id("truth").value(), "truth");
}

TEST_F(StudentNames, ARegisteredNameResolvesToItsFileAndNamesThatFilesPaths) {
  auto r = register_student_name(names_, "express", fixture_->model_file, false);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->file, fs::canonical(fixture_->model_file).string());
  EXPECT_EQ(canonical_model_id("local:student@express").value(), "local:student@express");
  EXPECT_EQ(canonical_model_id("local:student@" + fixture_->model_file).value(), "local:student@express");
  EXPECT_EQ(student_model_file("local:student@express").value().value(), r->file);
  EXPECT_FALSE(student_model_file("local:bm25").value().has_value());
  // The model answers under the canonical id, whichever spelling made it.
  auto by_name = make_model("local:student@express", {});
  auto by_path = make_model("local:student@" + fixture_->model_file, {});
  ASSERT_TRUE(by_name.ok()) << by_name.error().message;
  ASSERT_TRUE(by_path.ok()) << by_path.error().message;
  EXPECT_EQ((*by_name)->id(), "local:student@express");
  EXPECT_EQ((*by_path)->id(), "local:student@express");
}

TEST_F(StudentNames, RegisterRefusesBadNamesNonModelsAndSilentRenaming) {
  EXPECT_FALSE(register_student_name(names_, "../x", fixture_->model_file, false).ok());
  EXPECT_FALSE(register_student_name(names_, "", fixture_->model_file, false).ok());
  EXPECT_FALSE(register_student_name(names_, "a b", fixture_->model_file, false).ok());
  std::string not_model = fixture_->dir + "/not.model";
  { std::ofstream(not_model) << "{\"hello\": 1}"; }
  auto bad = register_student_name(names_, "x", not_model, false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::runtime) << bad.error().message;
  EXPECT_FALSE(register_student_name(names_, "x", fixture_->dir + "/missing.model", false).ok());
  EXPECT_FALSE(fs::exists(names_));  // nothing written by a refused registration

  ASSERT_TRUE(register_student_name(names_, "x", fixture_->model_file, false).ok());
  fs::copy_file(fixture_->model_file, fixture_->dir + "/copy.model", fs::copy_options::overwrite_existing);
  auto again = register_student_name(names_, "x", fixture_->dir + "/copy.model", false);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::usage);
  EXPECT_NE(again.error().message.find("--replace"), std::string::npos) << again.error().message;
  auto same = register_student_name(names_, "x", fixture_->model_file, false);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->unchanged);
  auto replaced = register_student_name(names_, "x", fixture_->dir + "/copy.model", true);
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(replaced->previous_file, fs::canonical(fixture_->model_file).string());
  EXPECT_EQ(student_model_file("local:student@x").value().value(), fs::canonical(fixture_->dir + "/copy.model"));
}

TEST_F(StudentNames, MalformedNamesFileIsAnErrorNamingIt) {
  fs::create_directories(fs::path(names_).parent_path());
  { std::ofstream(names_) << "[1, 2]"; }
  auto id = canonical_model_id("local:student@a.model");
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.error().message.find(names_), std::string::npos);
}

TEST_F(StudentNames, CliRegisterThenEvalSeesOneModelForTwoSpellings) {
  const std::string& dir = fixture_->dir;
  auto reg = run_cli({PICKTUNE_BINARY, "student", "register", "express", "m.model"}, dir, "", env());
  ASSERT_EQ(reg.exit_code, 0) << reg.err;
  EXPECT_NE(reg.out.find("use it as local:student@express"), std::string::npos) << reg.out;
  auto bad = run_cli({PICKTUNE_BINARY, "student", "register", "no/slash", "m.model"}, dir, "", env());
  EXPECT_EQ(bad.exit_code, 2) << bad.err;

  // Relabel with one spelling of the path (it names a registered file: stored as the name) ...
  auto rel = run_cli(
      {PICKTUNE_BINARY, "--store", fixture_->store_uri, "eval", "relabel", "--models", "local:student@./m.model"}, dir,
      "", env());
  ASSERT_EQ(rel.exit_code, 0) << rel.err;
  std::set<std::string> models;
  ASSERT_TRUE(fixture_->store
                  ->scan(Table::relabels, {},
                         [&](Row&& r) {
                           models.insert(r.model);
                           return true;
                         })
                  .ok());
  EXPECT_EQ(models, (std::set<std::string>{"truth", "local:student@express"}));
  // ... and score with the name and with another spelling: the same relabels.
  for (const std::string& spelling : std::vector<std::string>{"local:student@express", "local:student@m.model",
                                                              "local:student@" + dir + "/m.model"}) {
    auto score = run_cli({PICKTUNE_BINARY, "--store", fixture_->store_uri, "eval", "score", "--models", spelling,
                          "--reference", "truth", "--json"},
                         dir, "", env());
    ASSERT_EQ(score.exit_code, 0) << spelling << ": " << score.err;
    auto doc = nlohmann::json::parse(score.out);
    ASSERT_TRUE(doc["models"].contains("local:student@express")) << score.out;
    EXPECT_EQ(doc["models"]["local:student@express"]["n"], 60) << score.out;
  }
}

}  // namespace
}  // namespace pt
