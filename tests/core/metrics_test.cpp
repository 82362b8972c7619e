// Unit tests for core/metrics: every metric on hand-computed examples and its edge cases (empty
// prediction, empty reference, both empty, duplicates), the legacy figures exactly as production
// defined them, the bootstrap CI (against a plain resampling bootstrap) and the paired comparison.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/metrics.h"

namespace pt {
namespace {

using Paths = std::vector<std::string>;
using Lines = std::vector<std::string_view>;

TraceScores score(const Paths& p, const Paths& r) {
  RankedHits h;
  TraceScores s;
  score_pair({p, r, {}, {}, std::nullopt}, h, s);
  return s;
}

// P = a b c d, R = {b, d, e}: hits at ranks 2 and 4.
TEST(Metrics, HandComputedExample) {
  RankedHits h = match_paths(Paths{"a", "b", "c", "d"}, Paths{"b", "d", "e"});
  EXPECT_EQ(h.hits, 2u);
  EXPECT_DOUBLE_EQ(jaccard(h), 2.0 / 5.0);  // 2 / (4 + 3 - 2)
  EXPECT_DOUBLE_EQ(reciprocal_rank(h), 0.5);
  EXPECT_DOUBLE_EQ(recall_at(h, 1), 0.0);
  EXPECT_DOUBLE_EQ(recall_at(h, 3), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(recall_at(h, 5), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(recall_at(h, 10), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(precision_at(h, 1), 0.0);
  EXPECT_DOUBLE_EQ(precision_at(h, 3), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(precision_at(h, 5), 0.5);  // 2 of the 4 picks (fewer than 5)
  EXPECT_DOUBLE_EQ(precision_at(h, 10), 0.5);
  EXPECT_DOUBLE_EQ(ndcg_at(h, 1), 0.0);
  // DCG@3 = 1/log2(3); ideal = 1 + 1/log2(3) + 1/2.
  EXPECT_NEAR(ndcg_at(h, 3), 0.2960819109658652, 1e-15);
  // DCG@5 = 1/log2(3) + 1/log2(5); same ideal (|R| = 3).
  EXPECT_NEAR(ndcg_at(h, 5), 0.49818925746641285, 1e-15);
  EXPECT_NEAR(ndcg_at(h, 10), 0.49818925746641285, 1e-15);
}

TEST(Metrics, PerfectAnswerScoresOne) {
  auto s = score({"x", "y"}, {"y", "x"});
  for (int m : {kJaccard, kMrr, kRecall5, kPrecision1, kPrecision5, kNdcg10})
    EXPECT_DOUBLE_EQ(s[m], 1.0) << metric_name(Metric(m));
  EXPECT_DOUBLE_EQ(s[kRecall1], 0.5);  // one of two reference files
  EXPECT_DOUBLE_EQ(s[kFilesPicked], 2.0);
  EXPECT_DOUBLE_EQ(s[kEmptyRate], 0.0);
}

TEST(Metrics, BothEmptyIsOne) {
  auto s = score({}, {});
  for (int m = kJaccard; m <= kNdcg10; ++m) EXPECT_DOUBLE_EQ(s[m], 1.0) << metric_name(Metric(m));
  EXPECT_DOUBLE_EQ(s[kEmptyRate], 1.0);
  EXPECT_DOUBLE_EQ(s[kFilesPicked], 0.0);
}

TEST(Metrics, EmptyPredictionIsZero) {
  auto s = score({}, {"a", "b"});
  for (int m = kJaccard; m <= kNdcg10; ++m) EXPECT_DOUBLE_EQ(s[m], 0.0) << metric_name(Metric(m));
  EXPECT_DOUBLE_EQ(s[kEmptyRate], 1.0);
}

TEST(Metrics, EmptyReferenceIsZeroForAnyPick) {
  auto s = score({"a"}, {});
  for (int m = kJaccard; m <= kNdcg10; ++m) EXPECT_DOUBLE_EQ(s[m], 0.0) << metric_name(Metric(m));
}

TEST(Metrics, DuplicatePicksCountOnceAtFirstRank) {
  RankedHits h = match_paths(Paths{"a", "a", "b"}, Paths{"b", "b"});
  EXPECT_EQ(h.predicted(), 2u);
  EXPECT_EQ(h.reference_size, 1u);
  EXPECT_DOUBLE_EQ(jaccard(h), 0.5);  // {a, b} vs {b}
  EXPECT_DOUBLE_EQ(reciprocal_rank(h), 0.5);
}

TEST(Metrics, LargeListsUseTheHashPath) {
  Paths p, r;
  for (int i = 0; i < 40; ++i) p.push_back("f" + std::to_string(i));
  for (int i = 20; i < 60; ++i) r.push_back("f" + std::to_string(i));
  RankedHits h = match_paths(p, r);
  EXPECT_EQ(h.hits, 20u);
  EXPECT_DOUBLE_EQ(jaccard(h), 20.0 / 60.0);
  EXPECT_DOUBLE_EQ(reciprocal_rank(h), 1.0 / 21.0);
}

TEST(Metrics, HallucinatedRateOnlyWithATree) {
  RankedHits h;
  TraceScores s;
  Paths p = {"a", "ghost", "b", "ghost2"};
  score_pair({p, Paths{"a"}, {}, {}, size_t{2}}, h, s);
  EXPECT_DOUBLE_EQ(s[kHallucinatedRate], 0.5);
  score_pair({p, Paths{"a"}, {}, {}, std::nullopt}, h, s);
  EXPECT_TRUE(std::isnan(s[kHallucinatedRate]));
  score_pair({Paths{}, Paths{"a"}, {}, {}, size_t{0}}, h, s);
  EXPECT_TRUE(std::isnan(s[kHallucinatedRate]));
}

// ---- legacy ----

TEST(LegacyMetrics, ParseIsRawLines) {
  auto lines = legacy_lines("  a.js \n\n- b.js\r\n`c.js`\na.js\n");
  EXPECT_EQ(lines, (Lines{"a.js", "- b.js", "`c.js`", "a.js"}));
  EXPECT_TRUE(legacy_lines("").empty());
}

TEST(LegacyMetrics, ParseFindsEveryNewlineWhateverItsOffset) {
  std::string text;
  std::vector<std::string> want;
  for (int len = 1; len < 40; ++len) {
    std::string line(static_cast<size_t>(len), static_cast<char>('a' + len % 26));
    text += (len % 3 ? "" : "  ") + line + (len % 2 ? "\n" : "\r\n") + (len % 5 ? "" : "\n \n");
    want.push_back(line);
  }
  auto got = legacy_lines(text);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], want[i]) << i;
}

TEST(LegacyMetrics, HandComputed) {
  Lines t = {"a", "b", "c"}, s = {"b", "x"};
  // T2 = [a, b], S2 = [b, x]: inter 1 -> 1 / (2 + 2 - 1)
  EXPECT_DOUBLE_EQ(legacy_jaccard_top2(t, s), 1.0 / 3.0);
  // only b (teacher rank 2) is in S: (1/2) / 2
  EXPECT_DOUBLE_EQ(*legacy_mrr_top2(t, s), 0.25);
}

TEST(LegacyMetrics, MrrTopsOutAtThreeQuarters) {
  Lines t = {"a", "b"}, s = {"b", "a"};
  EXPECT_DOUBLE_EQ(*legacy_mrr_top2(t, s), 0.75);  // (1 + 1/2) / 2
  EXPECT_DOUBLE_EQ(legacy_jaccard_top2(t, s), 1.0);
  Lines one = {"a"};
  EXPECT_DOUBLE_EQ(*legacy_mrr_top2(one, s), 1.0);
}

TEST(LegacyMetrics, StudentCutForJaccardButNotForMrr) {
  Lines t = {"a", "b"}, s = {"x", "y", "a"};
  EXPECT_DOUBLE_EQ(legacy_jaccard_top2(t, s), 0.0);
  EXPECT_DOUBLE_EQ(*legacy_mrr_top2(t, s), 0.5);  // a found at student rank 3 still counts 1/1
}

TEST(LegacyMetrics, EmptyTeacher) {
  Lines t, s = {"a"};
  EXPECT_DOUBLE_EQ(legacy_jaccard_top2(t, s), 1.0);
  EXPECT_FALSE(legacy_mrr_top2(t, s).has_value());
  Lines t2 = {"a"}, empty;
  EXPECT_DOUBLE_EQ(legacy_jaccard_top2(t2, empty), 0.0);
  EXPECT_DOUBLE_EQ(*legacy_mrr_top2(t2, empty), 0.0);
}

TEST(LegacyMetrics, TeacherDuplicatesCountedAsProductionDid) {
  Lines t = {"a", "a"}, s = {"a"};
  EXPECT_DOUBLE_EQ(legacy_jaccard_top2(t, s), 2.0);  // inter 2 / (2 + 1 - 2)
}

TEST(LegacyMetrics, ScorePairFillsThemAndNaNWhenUndefined) {
  RankedHits h;
  TraceScores s;
  Lines ref, pred = {"a"};
  score_pair({Paths{"a"}, Paths{}, pred, ref, std::nullopt}, h, s);
  EXPECT_DOUBLE_EQ(s[kLegacyJaccardTop2], 1.0);
  EXPECT_TRUE(std::isnan(s[kLegacyMrrTop2]));
}

TEST(Metrics, Names) {
  EXPECT_EQ(metric_name(kRecall10), "recall@10");
  EXPECT_EQ(metric_name(kLegacyMrrTop2), "legacy_mrr_top2");
  EXPECT_EQ(metric_name(kHallucinatedRate), "hallucinated_rate");
  EXPECT_FALSE(metric_is_unit(kFilesPicked));
  EXPECT_TRUE(metric_is_unit(kNdcg5));
}

// ---- bootstrap ----

// The textbook bootstrap: resample indices directly.
std::pair<double, double> naive_ci(const std::vector<double>& v, int b, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, v.size() - 1);
  std::vector<double> means;
  for (int i = 0; i < b; ++i) {
    double s = 0;
    for (size_t j = 0; j < v.size(); ++j) s += v[pick(rng)];
    means.push_back(s / static_cast<double>(v.size()));
  }
  std::sort(means.begin(), means.end());
  return {means[static_cast<size_t>(0.025 * b)], means[static_cast<size_t>(0.975 * b)]};
}

TEST(Bootstrap, ConstantValuesGiveAPointInterval) {
  std::vector<double> v(50, 0.25);
  MeanCI m = bootstrap_mean(v, {});
  EXPECT_DOUBLE_EQ(m.mean, 0.25);
  EXPECT_DOUBLE_EQ(m.lo, 0.25);
  EXPECT_DOUBLE_EQ(m.hi, 0.25);
  EXPECT_EQ(m.n, 50u);
}

TEST(Bootstrap, EmptyAndNaN) {
  MeanCI e = bootstrap_mean({}, {});
  EXPECT_TRUE(std::isnan(e.mean));
  EXPECT_EQ(e.n, 0u);
  std::vector<double> v = {1, NAN, 0, NAN};
  MeanCI m = bootstrap_mean(v, {});
  EXPECT_DOUBLE_EQ(m.mean, 0.5);
  EXPECT_EQ(m.n, 2u);
  EXPECT_EQ(m.excluded, 2u);
}

TEST(Bootstrap, BinaryValuesMatchTheNormalInterval) {
  std::vector<double> v(1000, 0.0);
  std::fill(v.begin(), v.begin() + 300, 1.0);
  MeanCI m = bootstrap_mean(v, {2000, 7});
  EXPECT_DOUBLE_EQ(m.mean, 0.3);
  double half = 1.96 * std::sqrt(0.3 * 0.7 / 1000);  // 0.0284
  EXPECT_NEAR(m.lo, 0.3 - half, 0.004);
  EXPECT_NEAR(m.hi, 0.3 + half, 0.004);
}

TEST(Bootstrap, AgreesWithPlainResampling) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> d(0, 6);
  std::vector<double> v;
  for (int i = 0; i < 400; ++i) v.push_back(1.0 / (1 + d(rng)));  // MRR-like values
  auto [lo, hi] = naive_ci(v, 4000, 11);
  MeanCI m = bootstrap_mean(v, {4000, 5});
  double width = hi - lo;
  EXPECT_NEAR(m.lo, lo, 0.08 * width);
  EXPECT_NEAR(m.hi, hi, 0.08 * width);
}

// 1M distinct values: the multinomial path with pooled groups and normal-approximated binomials.
TEST(Bootstrap, ManyDistinctValuesArePooledWithoutBias) {
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> v(1000000);
  for (double& x : v) x = u(rng);
  MeanCI m = bootstrap_mean(v, {1000, 1});
  double half = 1.96 * std::sqrt(1.0 / 12 / 1e6);
  EXPECT_NEAR(m.hi - m.lo, 2 * half, 0.12 * 2 * half);
  EXPECT_NEAR((m.hi + m.lo) / 2, m.mean, 0.15 * half);
}

// Large n, two values: the multinomial path with one binomial per resample.
TEST(Bootstrap, LargeBinarySampleMatchesTheNormalInterval) {
  std::vector<double> v(2000000, 0.0);
  std::fill(v.begin(), v.begin() + 500000, 1.0);
  MeanCI m = bootstrap_mean(v, {2000, 3});
  double half = 1.96 * std::sqrt(0.25 * 0.75 / 2e6);
  EXPECT_NEAR(m.lo, 0.25 - half, 0.1 * half);
  EXPECT_NEAR(m.hi, 0.25 + half, 0.1 * half);
}

TEST(Bootstrap, FixedSeedIsReproducible) {
  std::vector<double> v = {0, 0.2, 0.5, 1, 1, 0.25, 0.4};
  MeanCI a = bootstrap_mean(v, {500, 42}), b = bootstrap_mean(v, {500, 42}), c = bootstrap_mean(v, {500, 43});
  EXPECT_EQ(a.lo, b.lo);
  EXPECT_EQ(a.hi, b.hi);
  EXPECT_TRUE(a.lo != c.lo || a.hi != c.hi);
  EXPECT_NE(series_seed(1, "all/x/jaccard"), series_seed(1, "all/x/mrr"));
  EXPECT_EQ(series_seed(1, "all/x/jaccard"), series_seed(1, "all/x/jaccard"));
}

TEST(Paired, WinTieLossAndDifference) {
  std::vector<double> a = {1, 0.5, 0.2, NAN}, b = {0.5, 0.5, 0.4, 1};
  PairedDiff p = compare_paired(a, b, {});
  EXPECT_EQ(p.wins, 1u);
  EXPECT_EQ(p.ties, 1u);
  EXPECT_EQ(p.losses, 1u);
  EXPECT_NEAR(p.diff.mean, 0.1, 1e-12);  // (0.5 + 0 - 0.2) / 3
  EXPECT_EQ(p.diff.n, 3u);
  EXPECT_EQ(p.diff.excluded, 1u);
  EXPECT_LE(p.diff.lo, p.diff.mean);
  EXPECT_GE(p.diff.hi, p.diff.mean);
}

TEST(Paired, IdenticalModelsTieEverywhere) {
  std::vector<double> a = {0.1, 0.7, 1};
  PairedDiff p = compare_paired(a, a, {});
  EXPECT_EQ(p.ties, 3u);
  EXPECT_DOUBLE_EQ(p.diff.mean, 0);
  EXPECT_DOUBLE_EQ(p.diff.lo, 0);
  EXPECT_DOUBLE_EQ(p.diff.hi, 0);
}

}  // namespace
}  // namespace pt
