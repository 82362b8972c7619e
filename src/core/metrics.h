// Offline-evaluation metrics (docs/formats.md#metrics): each per-trace metric is defined once here, over the
// ordered predicted path list P and the reference list R, plus the production scorer's two legacy
// figures, the bootstrap 95% confidence interval of a mean (fixed seed) and the paired comparison
// of two models on the same traces. Pure arithmetic: no I/O, no threads.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pt {

// Edge-case rule shared by every ranked metric below (Jaccard, MRR, recall@k, precision@k,
// nDCG@k): both P and R empty -> 1 (the right answer was "nothing", and nothing was given);
// exactly one of them empty -> 0.

// Which distinct predicted paths are in the reference, in predicted order: every ranked metric is
// a function of this. A path repeated in P counts once, at its first rank; R is taken as a set.
struct RankedHits {
  std::vector<uint8_t> hit;   // hit[i] == 1: the path at rank i+1 is in R
  size_t reference_size = 0;  // |R| (distinct paths)
  size_t hits = 0;            // |P ∩ R|
  size_t predicted() const { return hit.size(); }
  std::vector<uint64_t> ref_hashes, seen_hashes;  // scratch reused by match_paths
};

// Fills `out` (reusing its capacity) from P and R.
void match_paths(std::span<const std::string> predicted, std::span<const std::string> reference, RankedHits& out);
RankedHits match_paths(std::span<const std::string> predicted, std::span<const std::string> reference);

// Jaccard = |P ∩ R| / |P ∪ R|; 1 when both are empty.
double jaccard(const RankedHits& h);

// Reciprocal rank = 1 / rank of the first predicted path that is in R (ranks start at 1); 0 when
// none is; 1 when both are empty. MRR is its mean over traces.
double reciprocal_rank(const RankedHits& h);

// recall@k = |P[:k] ∩ R| / |R| (the usual denominator |R|, so recall@1 is at most 1/|R|);
// R empty -> 1 if P is empty too, else 0.
double recall_at(const RankedHits& h, size_t k);

// precision@k = |P[:k] ∩ R| / min(k, |P|): the share of the first k picks that are right. A list
// shorter than k is not charged for the picks it did not make (recall is what measures that);
// P empty -> 1 if R is empty too, else 0.
double precision_at(const RankedHits& h, size_t k);

// nDCG@k with binary relevance: DCG = Σ_{i<k, P[i]∈R} 1/log2(i+2), divided by the ideal DCG
// Σ_{i<min(k,|R|)} 1/log2(i+2); R empty -> 1 if P is empty too, else 0.
double ndcg_at(const RankedHits& h, size_t k);

// ---- Legacy figures: the production scorer's own definitions, kept for comparability ----

// The production scorer's parse: split on '\n', trim, drop empty lines — nothing else (no bullet
// stripping, no normalisation, duplicates kept). Views into `text`.
std::vector<std::string_view> legacy_lines(std::string_view text);
void legacy_lines(std::string_view text, std::vector<std::string_view>& out);  // reuses `out`

// legacy_jaccard_top2: T = teacher[:2], S = student[:2]; |T| = 0 -> 1; inter = number of items of
// T (duplicates counted) found anywhere in S; inter / (|T| + |S| - inter).
double legacy_jaccard_top2(std::span<const std::string_view> teacher, std::span<const std::string_view> student);

// legacy_mrr_top2: Σ over i < 2 with teacher[i] ∈ student (student NOT cut) of 1/(i+1), divided
// by |teacher[:2]|. Uses the teacher's rank, so with two teacher files it tops out at 0.75.
// nullopt (undefined) when the teacher list is empty.
std::optional<double> legacy_mrr_top2(std::span<const std::string_view> teacher,
                                      std::span<const std::string_view> student);

// ---- All metrics of one trace ----

enum Metric : int {
  kJaccard,
  kMrr,
  kRecall1,
  kRecall3,
  kRecall5,
  kRecall10,
  kPrecision1,
  kPrecision3,
  kPrecision5,
  kPrecision10,
  kNdcg1,
  kNdcg3,
  kNdcg5,
  kNdcg10,
  kLegacyJaccardTop2,
  kLegacyMrrTop2,
  kFilesPicked,       // |P| after the scoring parse
  kEmptyRate,         // 1 when P is empty, else 0
  kHallucinatedRate,  // paths of P not in the trace's file tree / |P|; undefined without a tree or with P empty
  kMetricCount
};
inline constexpr std::array<size_t, 4> kCutoffs = {1, 3, 5, 10};

// The --json / report name of a metric: "jaccard", "mrr", "recall@5", "legacy_mrr_top2", ...
std::string_view metric_name(Metric m);
// Metrics whose value lies in [0, 1] (all but files_picked and legacy_jaccard_top2, which can
// exceed 1 when the teacher repeats a path).
bool metric_is_unit(Metric m);

using TraceScores = std::array<double, kMetricCount>;  // NaN = undefined for this trace (excluded)

struct PairInput {
  std::span<const std::string> predicted;             // scoring parse of the model's answer
  std::span<const std::string> reference;             // scoring parse of the reference answer
  std::span<const std::string_view> predicted_lines;  // legacy parse of the model's answer
  std::span<const std::string_view> reference_lines;  // legacy parse of the reference answer
  std::optional<size_t> hallucinated;                 // paths of `predicted` not in the tree; nullopt: no tree
};

// Every metric of one (prediction, reference) pair. `scratch` is reused across calls.
void score_pair(const PairInput& in, RankedHits& scratch, TraceScores& out);

// ---- Aggregation ----

struct BootstrapOptions {
  int resamples = 1000;
  uint64_t seed = 0x5eed2025;
};

// Mean of the defined values with its percentile-bootstrap 95% CI.
struct MeanCI {
  double mean = 0;  // NaN when n == 0
  double lo = 0, hi = 0;
  size_t n = 0;         // defined (non-NaN) values used
  size_t excluded = 0;  // NaN values skipped
};

// Percentile bootstrap of the mean: `resamples` resamples of the n defined values drawn with
// replacement; CI = the [2.5%, 97.5%] quantiles of the resample means (linear interpolation),
// from a generator seeded with `seed`, so a rerun gives the same interval. Of two equivalent ways
// to draw a resample the cheaper is used: drawing n indices (small n), or — since a resample is
// fully described by how often each distinct value is drawn — one multinomial over the distinct
// values (large n, few distinct values: binary metrics, ranks). In the multinomial, a binomial
// with variance >= 900 is drawn as the rounded normal of the same mean and variance, and beyond
// 512 distinct values adjacent sorted values are pooled into 512 groups of about equal count,
// each represented by its exact mean; both move the interval by far less than its own
// Monte-Carlo error. The mean itself is always the exact mean of the values.
MeanCI bootstrap_mean(std::span<const double> values, const BootstrapOptions& options);

// Paired comparison of models A and B on the same traces (a[i], b[i] are one trace's values):
// difference A - B with the paired-bootstrap CI (resampling traces, i.e. the bootstrap of the
// per-trace differences), and how many traces A scored higher (win), equal (tie) or lower (loss).
// Traces where either value is NaN are skipped.
struct PairedDiff {
  MeanCI diff;
  size_t wins = 0, ties = 0, losses = 0;
};
PairedDiff compare_paired(std::span<const double> a, std::span<const double> b, const BootstrapOptions& options);

// A seed for one named series, derived from the run's seed (FNV-1a of the name mixed in), so each
// series' interval is reproducible whatever order or thread it is computed in.
uint64_t series_seed(uint64_t seed, std::string_view name);

}  // namespace pt
