// Tests for core/file_tree, core/file_list and core/picker_prompt: render/extract round trips,
// the answer-text parsers and the limit-sentence rewrite.
#include <gtest/gtest.h>

#include "core/file_list.h"
#include "core/file_tree.h"
#include "core/picker_prompt.h"

namespace pt {
namespace {

TEST(FileTree, RenderThenExtractGivesThePaths) {
  std::vector<std::string> paths = {"lib/router/index.js", "README.md", "lib/app.js", "my dir/a b.txt", "test/x.js"};
  std::string text = "intro\n" + render_file_tree(paths) + "\nmore";
  auto got = extract_file_tree(text);
  std::sort(got.begin(), got.end());
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(got, paths);
  EXPECT_TRUE(extract_file_tree("no tree here").empty());
}

TEST(FileTree, RecentCommitsRoundTrip) {
  std::vector<RecentCommit> commits = {{"fix router", {{'M', "lib/router.js"}, {'D', "old.js"}}},
                                       {"docs", {{'M', "README.md"}}}};
  auto got = extract_recent_commits("x\n" + render_recent_commits(commits));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].subject, "fix router");
  ASSERT_EQ(got[0].files.size(), 2u);
  EXPECT_EQ(got[0].files[1].status, 'D');
  EXPECT_EQ(got[0].files[1].path, "old.js");
  EXPECT_EQ(got[1].files[0].path, "README.md");
}

TEST(FileList, ScoringParseStripsDecoration) {
  auto files =
      parse_file_list("Here are the files:\n```\n1. `lib/a.js`\n- ./lib//b.js\n* \"c.js\"\nlib/a.js\n---\nafter.js\n");
  EXPECT_EQ(files, (std::vector<std::string>{"lib/a.js", "lib/b.js", "c.js"}));
  EXPECT_TRUE(parse_file_list("").empty());
}

TEST(FileList, ProductionParse) {
  auto files = parse_production_output(" /a.js \nb c.js\n../x.js\n~/y\nC:\\z\na.js\nd.js\n");
  EXPECT_EQ(files, (std::vector<std::string>{"a.js", "d.js"}));
}

TEST(PickerPrompt, LimitSentenceRewrite) {
  std::string p = key_picker_prompt("fix the router", 12);
  EXPECT_EQ(selection_limit(p), 12);
  EXPECT_EQ(request_from_prompt(p), "fix the router");
  std::string q = rewrite_selection_limit(p, 2, false);
  EXPECT_EQ(selection_limit(q), 2);
  EXPECT_NE(q.find("limit your selection to 2 files."), std::string::npos);
  std::string r = rewrite_selection_limit(p, 2, true);
  EXPECT_NE(r.find("files. Make sure to end your response with three lines of dashes, ie: \"" +
                   std::string(kStopDashes) + "\""),
            std::string::npos);
  EXPECT_EQ(rewrite_selection_limit("no sentence", 2, true), "no sentence");
}

}  // namespace
}  // namespace pt
