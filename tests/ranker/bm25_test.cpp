// Unit tests for ranker/bm25.h: scores, the one-pass path scorer's agreement with the index, and
// local:bm25's ordering.
#include "ranker/bm25.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ranker/path_tokens.h"

namespace pt::ranker {
namespace {

const std::vector<std::string> kPaths = {
    "lib/router/index.js", "lib/router/route.js", "lib/response.js", "test/res.sendFile.js",
    "test/app.router.js",  "History.md",          "package.json",    "lib/view.js",
};

TEST(Bm25, MatchesHandComputedScore) {
  Bm25Index index;
  index.add_text("alpha beta");
  index.add_text("beta gamma gamma");
  auto s = index.score(std::vector<std::string>{"gamma"});
  // df=1, n=2: idf = ln(1 + 1.5/1.5) = ln 2; doc 1: tf=2, len 3, avg 2.5.
  double norm = 1.2 * (1 - 0.75 + 0.75 * 3 / 2.5);
  EXPECT_DOUBLE_EQ(s[0], 0.0);
  EXPECT_NEAR(s[1], std::log(2.0) * 2 * 2.2 / (2 + norm), 1e-12);
}

TEST(Bm25, RareTermsWeighMore) {
  auto s = bm25_path_scores(kPaths, request_words("router view"));
  EXPECT_GT(s[7], s[0]);  // "view" is in one path, "router" in three
  EXPECT_GT(s[0], 0.0);
  EXPECT_EQ(s[5], 0.0);
}

TEST(Bm25, OnePassScorerAgreesWithIndex) {
  Bm25Index index;
  for (const auto& p : kPaths) index.add_text(p);
  for (const char* q : {"router route", "send file response", "js js history", "nothing matches"}) {
    auto words = request_words(q);
    auto a = index.score(words);
    auto b = bm25_path_scores(kPaths, words);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-12) << q << " " << kPaths[i];
  }
}

TEST(Bm25, OnePassScorerHandlesManyQueryTerms) {
  std::string q;
  for (int i = 0; i < 40; ++i) q += "word" + std::string(1, static_cast<char>('a' + i % 26)) + std::to_string(i) + " ";
  q += "router";
  Bm25Index index;
  for (const auto& p : kPaths) index.add_text(p);
  auto words = request_words(q);
  auto a = index.score(words);
  auto b = bm25_path_scores(kPaths, words);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-12);
  EXPECT_GT(b[0], 0.0);
}

// The text scorer counts only the query's terms; its scores are the ones an index of the same
// texts gives, bit for bit (stopwords, repeated query words, absent terms, empty and binary-ish texts).
TEST(Bm25, TextScorerAgreesWithIndex) {
  const std::vector<std::string_view> texts = {
      "function route(path) { return match(path); } // the router matches the path",
      "",
      "render the view; Render VIEW templates and the router's cache",
      "the a of and",
      "session cookie session store session expiry: route_table[path] = handler",
      "router router router router router router router router router router",
  };
  for (const std::vector<std::string>& query :
       {std::vector<std::string>{"router", "path", "path", "missing", "view"}, std::vector<std::string>{"session"},
        std::vector<std::string>{"nothing", "here"}, std::vector<std::string>{}}) {
    Bm25Index index;
    for (auto t : texts) index.add_text(t);
    const std::vector<double> expected = index.score(query), got = bm25_text_scores(texts, query);
    ASSERT_EQ(got.size(), expected.size());
    for (size_t d = 0; d < got.size(); ++d) EXPECT_EQ(got[d], expected[d]) << d;
  }
  EXPECT_GT(bm25_text_scores(texts, std::vector<std::string>{"router"})[5], 0.0);
  EXPECT_TRUE(bm25_text_scores({}, std::vector<std::string>{"router"}).empty());
}

TEST(Bm25RankPaths, OrdersByScoreAndOmitsZeros) {
  auto ranked = bm25_rank_paths(kPaths, "Fix res.sendFile with relative paths");
  ASSERT_FALSE(ranked.empty());
  EXPECT_EQ(kPaths[ranked[0].index], "test/res.sendFile.js");
  for (const auto& r : ranked) EXPECT_GT(r.score, 0.0);
  for (size_t i = 1; i < ranked.size(); ++i) EXPECT_GE(ranked[i - 1].score, ranked[i].score);
}

TEST(Bm25RankPaths, TiesGoToShallowerThenSmallerPath) {
  std::vector<std::string> paths = {"b/x/cache.js", "z/cache.js", "a/cache.js"};
  auto ranked = bm25_rank_paths(paths, "cache");
  ASSERT_EQ(ranked.size(), 3u);
  EXPECT_EQ(paths[ranked[0].index], "a/cache.js");
  EXPECT_EQ(paths[ranked[1].index], "z/cache.js");
  EXPECT_EQ(paths[ranked[2].index], "b/x/cache.js");
}

TEST(Bm25RankPaths, ContentsAddEvidence) {
  std::unordered_map<std::string, std::string> contents = {{"lib/view.js", "function lookup(template) { engine }"}};
  EXPECT_TRUE(bm25_rank_paths(kPaths, "template engine lookup").empty());
  auto ranked = bm25_rank_paths(kPaths, "template engine lookup", &contents);
  ASSERT_EQ(ranked.size(), 1u);
  EXPECT_EQ(kPaths[ranked[0].index], "lib/view.js");
}

}  // namespace
}  // namespace pt::ranker

namespace pt::ranker {
namespace {

TEST(Bm25, NameScoresAreBm25OverFileNamesAlone) {
  Bm25Index names;
  for (const auto& p : kPaths) names.add_text(file_name(p));
  auto words = request_words("router response view js");
  std::vector<double> path_scores, name_scores;
  bm25_path_and_name_scores(kPaths, words, path_scores, name_scores);
  auto expected_names = names.score(words);
  auto expected_paths = bm25_path_scores(kPaths, words);
  for (size_t i = 0; i < kPaths.size(); ++i) {
    EXPECT_NEAR(name_scores[i], expected_names[i], 1e-12) << kPaths[i];
    EXPECT_NEAR(path_scores[i], expected_paths[i], 1e-12) << kPaths[i];
  }
  EXPECT_GT(path_scores[0], 0.0);             // "router" is in lib/router/index.js's directory...
  EXPECT_LT(name_scores[0], path_scores[0]);  // ...and not in its name
}

}  // namespace
}  // namespace pt::ranker
