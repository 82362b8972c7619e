// Unit tests for the student's inputs: trace views, learned history statistics and the candidate
// features (ranker/trace_view.h, history_stats.h, features.h).
#include "ranker/features.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/file_tree.h"

namespace pt::ranker {
namespace {

const std::vector<std::string> kTree = {
    "lib/router/index.js", "lib/router/route.js", "lib/response.js", "lib/request.js", "test/response.test.js",
    "test/router.test.js", "History.md",          "package.json",    "docs/guide.md",  "examples/app.js",
};

std::string system_with(const std::vector<RecentCommit>& recent) {
  return render_file_tree(kTree) + "\n" + render_recent_commits(recent);
}

const float* row_of(const CandidateSet& cs, const TraceView& v, std::string_view path) {
  for (size_t i = 0; i < cs.size(); ++i)
    if (v.files[static_cast<size_t>(cs.file[i])] == path) return cs.row(i);
  return nullptr;
}

TEST(TraceView, ReadsTreeRecentCommitsRequestAndMentions) {
  auto v = make_trace_view(system_with({{"bump", {{'M', "package.json"}}}}),
                           "Fix res.sendFile in lib/response.js, see History.md");
  EXPECT_EQ(v.files.size(), kTree.size());
  ASSERT_EQ(v.recent.size(), 1u);
  EXPECT_EQ(v.recent[0].files[0].path, "package.json");
  EXPECT_EQ(v.mentions, (std::vector<std::string>{"res.sendFile", "lib/response.js", "History.md"}));
  EXPECT_EQ(v.unique_words.front(), "fix");
}

TEST(TraceView, MentionsSkipAbbreviationsAndSentenceDots) {
  EXPECT_TRUE(path_mentions("e.g. this ends. Then i.e it").empty());
  EXPECT_EQ(path_mentions("see ./src/a.ts."), (std::vector<std::string>{"src/a.ts"}));
}

TEST(HistoryStats, CountsCochangeDecayAndWordAffinity) {
  HistoryStats s;
  s.params.short_half_life = 2;
  s.observe({"router"}, {"lib/router/index.js", "test/router.test.js"});
  s.observe({"router", "fix"}, {"lib/router/index.js", "History.md"});
  s.observe({"doc"}, {"docs/guide.md"});
  int32_t idx = s.files.find("lib/router/index.js"), test = s.files.find("test/router.test.js");
  ASSERT_GE(idx, 0);
  EXPECT_EQ(s.events, 3);
  EXPECT_EQ(s.file_count[static_cast<size_t>(idx)], 2);
  // P(test | index) = together 1 / (count(index) 2 + 1)
  EXPECT_NEAR(s.cochange_prob(test, idx), 1.0 / 3.0, 1e-9);
  EXPECT_NEAR(s.cochange_prob(idx, test), 1.0 / 2.0, 1e-9);
  // Decay: index changed at events 0 and 1 (1 * 2^-0.5 + 1 at event 1); two more steps of half-life 2.
  EXPECT_NEAR(s.short_rate(idx), (std::exp2(-0.5) + 1) * std::exp2(-1.0), 1e-6);
  EXPECT_NEAR(s.short_rate(s.files.find("docs/guide.md")), std::exp2(-0.5), 1e-6);
  int32_t w = s.words.find("router");
  ASSERT_GE(w, 0);
  EXPECT_EQ(sparse_get(s.word_files[static_cast<size_t>(w)], idx), 2.f);
  EXPECT_EQ(s.top_files(2), (std::vector<int32_t>{idx, s.files.find("docs/guide.md")}));
}

TEST(Features, RecentCommitsGiveRecencyCountsAndAdditions) {
  auto v = make_trace_view(system_with({{"newest", {{'M', "lib/request.js"}, {'A', "examples/app.js"}}},
                                        {"older", {{'M', "lib/request.js"}, {'M', "docs/guide.md"}}},
                                        {"oldest", {{'M', "docs/guide.md"}}}}),
                           "something unrelated");
  HistoryStats s;
  auto cs = extract_candidates(v, s, {});
  const float* req = row_of(cs, v, "lib/request.js");
  const float* guide = row_of(cs, v, "docs/guide.md");
  const float* app = row_of(cs, v, "examples/app.js");
  ASSERT_TRUE(req && guide && app);
  EXPECT_EQ(req[kRecencyInv], 1.f);
  EXPECT_EQ(req[kInPrev], 1.f);
  EXPECT_EQ(req[kWindowCount], 2.f);
  EXPECT_NEAR(req[kWindowDecay], 1.7f, 1e-6);
  EXPECT_EQ(guide[kRecencyInv], 0.5f);
  EXPECT_EQ(guide[kInPrev], 0.f);
  // The older commit shares lib/request.js with the newest, so its files count once; the oldest
  // shares nothing.
  EXPECT_EQ(guide[kWindowLocalCc], 1.f);
  EXPECT_EQ(req[kWindowLocalCc], 1.f);
  EXPECT_EQ(app[kWindowLocalCc], 0.f);
  EXPECT_EQ(app[kWindowAdded], 1.f);
  EXPECT_EQ(row_of(cs, v, "package.json"), nullptr);  // no signal at all: not a candidate
}

TEST(Features, LexicalMentionAndShapeFeatures) {
  auto v = make_trace_view(system_with({}), "route handling in lib/router/route.js and the response");
  HistoryStats s;
  auto cs = extract_candidates(v, s, {});
  const float* route = row_of(cs, v, "lib/router/route.js");
  const float* resp = row_of(cs, v, "lib/response.js");
  const float* resp_test = row_of(cs, v, "test/response.test.js");
  ASSERT_TRUE(route && resp && resp_test);
  EXPECT_EQ(route[kMention], 2.f);
  EXPECT_EQ(resp[kMention], 0.f);
  EXPECT_GT(route[kBm25Path], resp[kBm25Path]);
  EXPECT_GT(resp[kBm25Name], 0.f);
  EXPECT_EQ(route[kNameCoverage], 1.f);
  EXPECT_EQ(route[kDepth], 2.f);
  EXPECT_EQ(resp_test[kIsTest], 1.f);
  EXPECT_EQ(resp[kIsTest], 0.f);
  // Test/source partners share the stem "response".
  EXPECT_EQ(resp[kPartnerBm25], resp_test[kBm25Path]);
  EXPECT_EQ(resp_test[kPartnerBm25], resp[kBm25Path]);
  EXPECT_EQ(route[kTreeSizeLog], static_cast<float>(std::log(10.0)));
}

TEST(Features, LearnedCochangeWordsAndPriors) {
  HistoryStats s;
  for (int i = 0; i < 5; ++i) s.observe({"release"}, {"History.md", "package.json"});
  s.observe({"router"}, {"lib/router/index.js"});
  auto v = make_trace_view(system_with({{"bump", {{'M', "package.json"}}}}), "release 1.2");
  auto cs = extract_candidates(v, s, s.top_files(5));
  const float* hist = row_of(cs, v, "History.md");
  const float* idx = row_of(cs, v, "lib/router/index.js");
  ASSERT_TRUE(hist && idx);                           // History.md: co-change + word; index.js: a hot file
  EXPECT_NEAR(hist[kCochangePrev], 5.0 / 6.0, 1e-6);  // together 5 / (count(package.json) 5 + 1)
  EXPECT_NEAR(hist[kCochangeWindow], 5.0 / 6.0, 1e-6);
  EXPECT_GT(hist[kWordFileMax], 0.f);
  EXPECT_EQ(idx[kWordFileMax], 0.f);
  EXPECT_NEAR(hist[kLogCount], std::log1p(5.0), 1e-6);
  EXPECT_GT(hist[kShortRate], idx[kShortRate]);
  EXPECT_TRUE(std::isfinite(hist[kExtPrior]) && std::isfinite(hist[kDirPrior]));
  EXPECT_GT(hist[kWordExtMax], 0.f);  // "release" went with .md files
}

TEST(Features, CandidateCapsLimitTheSet) {
  std::vector<std::string> tree;
  for (int i = 0; i < 500; ++i) tree.push_back("pkg/widget" + std::to_string(i) + ".js");
  auto v = make_trace_view(render_file_tree(tree), "widget");
  HistoryStats s;
  CandidateOptions o;
  o.top_bm25 = 7;
  o.top_name = 3;
  auto cs = extract_candidates(v, s, {}, o);
  EXPECT_EQ(cs.size(), 7u);  // every path matches "widget"; ties broken by position
  EXPECT_EQ(cs.x.size(), cs.size() * kFeatureCount);
}

TEST(Features, NamesAreUniqueAndComplete) {
  for (int f = 0; f < kFeatureCount; ++f) {
    EXPECT_NE(feature_name(f), "?");
    for (int g = 0; g < f; ++g) EXPECT_NE(feature_name(f), feature_name(g));
  }
  EXPECT_EQ(feature_name(kFeatureCount), "?");
}

}  // namespace
}  // namespace pt::ranker
