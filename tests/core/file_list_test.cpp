// Tests for the scoring parse (core/file_list parse_file_list, docs/formats.md#scoring-parse): bullets, numbering, code
// fences, quotes, descriptions, prose, the dashes line, duplicates and normalisation.
#include <gtest/gtest.h>

#include "core/file_list.h"

namespace pt {
namespace {

using Paths = std::vector<std::string>;

TEST(ScoringParse, PlainLines) {
  EXPECT_EQ(parse_file_list("a.js\nlib/b.js\r\n\n  c/d.ts  \n"), (Paths{"a.js", "lib/b.js", "c/d.ts"}));
}

TEST(ScoringParse, BulletsAndNumbering) {
  EXPECT_EQ(parse_file_list("- a.js\n* b.js\n+ c.js\n\xE2\x80\xA2 d.js\n1. e.js\n2) f.js\n10. g.js"),
            (Paths{"a.js", "b.js", "c.js", "d.js", "e.js", "f.js", "g.js"}));
}

TEST(ScoringParse, CodeFencesAndQuotes) {
  EXPECT_EQ(parse_file_list("```text\n`a.js`\n\"b.js\"\n'c.js'\n**d.js**\n```\n"),
            (Paths{"a.js", "b.js", "c.js", "d.js"}));
}

TEST(ScoringParse, DescriptionsAfterThePath) {
  EXPECT_EQ(parse_file_list("1. `lib/router.js` - the router\n- lib/app.js: creates the app\n- test/app.js (tests)\n"
                            "**lib/view.js** \xE2\x80\x94 views"),
            (Paths{"lib/router.js", "lib/app.js", "test/app.js", "lib/view.js"}));
}

TEST(ScoringParse, ProseAndHeadingsDropped) {
  EXPECT_EQ(parse_file_list("# Relevant files\nHere are the files you need:\nThese are the most relevant files.\n"
                            "Here are the most relevant files\nNote: a.js matters\nlib/a.js\n"),
            (Paths{"lib/a.js"}));
}

TEST(ScoringParse, PathsWithSpacesKept) {
  EXPECT_EQ(parse_file_list("docs/my file.md\nmy dir/a b.txt\n"), (Paths{"docs/my file.md", "my dir/a b.txt"}));
}

TEST(ScoringParse, NothingAfterDashesLine) {
  EXPECT_EQ(parse_file_list("a.js\n---\nb.js"), (Paths{"a.js"}));
  EXPECT_EQ(parse_file_list(std::string("a.js\n") + std::string(kStopDashes) + "\nb.js\n"), (Paths{"a.js"}));
  EXPECT_EQ(parse_file_list("a.js\n--\nb.js"), (Paths{"a.js", "b.js"}));  // two dashes is not the marker
}

TEST(ScoringParse, DuplicatesKeptOnceAfterNormalisation) {
  EXPECT_EQ(parse_file_list("./lib//a.js\nlib/a.js\n/lib/a.js\nlib\\a.js\nb.js\nb.js"), (Paths{"lib/a.js", "b.js"}));
}

TEST(ScoringParse, JsonishListAndPunctuation) {
  EXPECT_EQ(parse_file_list("[\n  \"a.js\",\n  \"b.js\"\n]"), (Paths{"a.js", "b.js"}));
  EXPECT_TRUE(parse_file_list("...\n***\n``\n").empty());
}

TEST(ScoringParse, GarbageGivesAnEmptyListNotACrash) {
  std::string junk("\0\xff\xfe<script>\n\n", 12);
  auto files = parse_file_list(junk);
  EXPECT_LE(files.size(), 1u);
  EXPECT_TRUE(parse_file_list("").empty());
  EXPECT_TRUE(parse_file_list("\n\n   \n").empty());
}

}  // namespace
}  // namespace pt
