// Unit tests for ranker/path_tokens.h: the token rules local:bm25 and the student share.
#include "ranker/path_tokens.h"

#include <gtest/gtest.h>

namespace pt::ranker {
namespace {

using V = std::vector<std::string>;

TEST(PathTokens, SplitsSegmentsCaseStylesDigitsAndExtension) {
  EXPECT_EQ(path_tokens("lib/router/HTTPServer_utils.js"), (V{"lib", "router", "http", "server", "util", "js"}));
  EXPECT_EQ(path_tokens("src/fooBar-baz_qux.test.ts"), (V{"src", "foo", "bar", "baz", "qux", "test", "ts"}));
  EXPECT_EQ(path_tokens("examples/v2/route42Map.md"), (V{"example", "2", "route", "42", "map", "md"}));
  EXPECT_EQ(path_tokens("getURLForUser"), (V{"get", "url", "for", "user"}));
}

TEST(PathTokens, StemsPluralsButKeepsDoubleSAndUs) {
  EXPECT_EQ(path_tokens("libraries/tests/express/status"), (V{"library", "test", "express", "status"}));
  EXPECT_EQ(path_tokens("docs/res.js"), (V{"doc", "res", "js"}));
}

TEST(PathTokens, DropsSingleLettersButKeepsDigits) { EXPECT_EQ(path_tokens("a/b/x1/7.js"), (V{"1", "7", "js"})); }

TEST(RequestWords, SameNormalisationWithoutStopwords) {
  EXPECT_EQ(request_words("Fix the res.sendFile() bug when paths are Relative"),
            (V{"fix", "res", "send", "file", "bug", "path", "relative"}));
  EXPECT_EQ(request_words("This was: a test of it"), (V{"test"}));
  EXPECT_TRUE(is_stopword("the"));
  EXPECT_FALSE(is_stopword("fix"));
}

TEST(RequestWords, LongRunsAreTruncated) {
  std::string text = std::string(300, 'a') + " next";
  auto words = request_words(text);
  ASSERT_EQ(words.size(), 2u);
  EXPECT_EQ(words[0], std::string(128, 'a'));
  EXPECT_EQ(words[1], "next");
}

TEST(PathPieces, NameStemExtensionParentDepth) {
  EXPECT_EQ(file_name("a/b/c.test.js"), "c.test.js");
  EXPECT_EQ(file_stem("a/b/c.test.js"), "c");
  EXPECT_EQ(file_extension("a/b/c.test.js"), "js");
  EXPECT_EQ(parent_dir("a/b/c.test.js"), "a/b");
  EXPECT_EQ(path_depth("a/b/c.test.js"), 2);
  EXPECT_EQ(file_stem(".eslintrc"), ".eslintrc");
  EXPECT_EQ(file_extension(".eslintrc"), "");
  EXPECT_EQ(file_extension("Makefile"), "");
  EXPECT_EQ(parent_dir("README.md"), "");
  EXPECT_EQ(path_depth("README.md"), 0);
}

TEST(PathPieces, TestPaths) {
  EXPECT_TRUE(is_test_path("test/app.router.js"));
  EXPECT_TRUE(is_test_path("src/__tests__/x.js"));
  EXPECT_TRUE(is_test_path("src/x.spec.ts"));
  EXPECT_TRUE(is_test_path("pkg/foo_test.go"));
  EXPECT_FALSE(is_test_path("lib/router/index.js"));
  EXPECT_FALSE(is_test_path("lib/testing.js"));
}

}  // namespace
}  // namespace pt::ranker
