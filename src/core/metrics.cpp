// Implementation of core/metrics.h: per-trace metrics over RankedHits, the legacy figures, and the
// multinomial form of the bootstrap (distinct values counted in a small open-addressing table).
#include "core/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <unordered_set>

#include "core/file_list.h"
#include "util/hash.h"

namespace pt {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// 1 / log2(i + 2) for rank index i (0-based).
double discount(size_t i) {
  static const std::array<double, 64> table = [] {
    std::array<double, 64> t{};
    for (size_t j = 0; j < t.size(); ++j) t[j] = 1.0 / std::log2(static_cast<double>(j) + 2.0);
    return t;
  }();
  return i < table.size() ? table[i] : 1.0 / std::log2(static_cast<double>(i) + 2.0);
}

size_t hits_in_prefix(const RankedHits& h, size_t k) {
  size_t m = std::min(k, h.predicted()), c = 0;
  for (size_t i = 0; i < m; ++i) c += h.hit[i];
  return c;
}

bool contains(std::span<const std::string_view> list, std::string_view x) {
  return std::find(list.begin(), list.end(), x) != list.end();
}

}  // namespace

// ---- matching ----

namespace {

// A 64-bit hash of a path (util/hash.h); equal hashes are confirmed by comparing the text.
uint64_t path_hash(std::string_view s) { return hash64(s); }

// Index of `s` (with hash h) among list[0..n) whose hashes are hashes[0..n), or -1.
long find_hashed(std::span<const std::string> list, const std::vector<uint64_t>& hashes, size_t n, uint64_t h,
                 const std::string& s) {
  for (size_t j = 0; j < n; ++j)
    if (hashes[j] == h && list[j] == s) return static_cast<long>(j);
  return -1;
}

}  // namespace

void match_paths(std::span<const std::string> predicted, std::span<const std::string> reference, RankedHits& out) {
  out.hit.clear();
  out.hits = 0;
  out.reference_size = 0;
  constexpr size_t kSmall = 48;
  if (predicted.size() <= kSmall && reference.size() <= kSmall) {
    auto& rh = out.ref_hashes;
    rh.resize(reference.size());
    for (size_t i = 0; i < reference.size(); ++i) {
      rh[i] = path_hash(reference[i]);
      out.reference_size += find_hashed(reference, rh, i, rh[i], reference[i]) < 0;
    }
    auto& ph = out.seen_hashes;
    ph.resize(predicted.size());
    for (size_t i = 0; i < predicted.size(); ++i) {
      ph[i] = path_hash(predicted[i]);
      if (find_hashed(predicted, ph, i, ph[i], predicted[i]) >= 0) continue;
      bool h = find_hashed(reference, rh, reference.size(), ph[i], predicted[i]) >= 0;
      out.hit.push_back(h);
      out.hits += h;
    }
    return;
  }
  std::unordered_set<std::string_view> ref(reference.begin(), reference.end());
  std::unordered_set<std::string_view> seen;
  out.reference_size = ref.size();
  for (const auto& p : predicted) {
    if (!seen.insert(p).second) continue;
    bool h = ref.count(p) > 0;
    out.hit.push_back(h);
    out.hits += h;
  }
}

RankedHits match_paths(std::span<const std::string> predicted, std::span<const std::string> reference) {
  RankedHits h;
  match_paths(predicted, reference, h);
  return h;
}

// ---- ranked metrics ----

double jaccard(const RankedHits& h) {
  size_t uni = h.predicted() + h.reference_size - h.hits;
  return uni == 0 ? 1.0 : static_cast<double>(h.hits) / static_cast<double>(uni);
}

double reciprocal_rank(const RankedHits& h) {
  if (h.predicted() == 0 && h.reference_size == 0) return 1.0;
  for (size_t i = 0; i < h.predicted(); ++i)
    if (h.hit[i]) return 1.0 / static_cast<double>(i + 1);
  return 0.0;
}

double recall_at(const RankedHits& h, size_t k) {
  if (h.reference_size == 0) return h.predicted() == 0 ? 1.0 : 0.0;
  return static_cast<double>(hits_in_prefix(h, k)) / static_cast<double>(h.reference_size);
}

double precision_at(const RankedHits& h, size_t k) {
  if (h.predicted() == 0) return h.reference_size == 0 ? 1.0 : 0.0;
  size_t m = std::min(k, h.predicted());
  return m == 0 ? 0.0 : static_cast<double>(hits_in_prefix(h, k)) / static_cast<double>(m);
}

double ndcg_at(const RankedHits& h, size_t k) {
  if (h.reference_size == 0) return h.predicted() == 0 ? 1.0 : 0.0;
  double dcg = 0, ideal = 0;
  for (size_t i = 0, m = std::min(k, h.predicted()); i < m; ++i)
    if (h.hit[i]) dcg += discount(i);
  for (size_t i = 0, m = std::min(k, h.reference_size); i < m; ++i) ideal += discount(i);
  return ideal == 0 ? 0.0 : dcg / ideal;
}

// ---- legacy ----

std::vector<std::string_view> legacy_lines(std::string_view text) {
  std::vector<std::string_view> out;
  legacy_lines(text, out);
  return out;
}

namespace {

// First '\n' in [p, end), or end; eight bytes at a time (the lowest flagged byte of the
// zero-byte test is exact; little-endian).
const char* find_newline(const char* p, const char* end) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL, kNl = kOnes * '\n';
  for (; end - p >= 8; p += 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    uint64_t x = w ^ kNl;
    uint64_t t = (x - kOnes) & ~x & kHighs;
    if (t) return p + (__builtin_ctzll(t) >> 3);
  }
  while (p < end && *p != '\n') ++p;
  return p;
}

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\n'; }

}  // namespace

void legacy_lines(std::string_view text, std::vector<std::string_view>& out) {
  out.clear();
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const char* nl = find_newline(p, end);
    const char* a = p;
    const char* b = nl;
    while (a < b && blank(*a)) ++a;
    while (b > a && blank(b[-1])) --b;
    if (b > a) out.emplace_back(a, static_cast<size_t>(b - a));
    p = nl + 1;
  }
}

double legacy_jaccard_top2(std::span<const std::string_view> teacher, std::span<const std::string_view> student) {
  auto t = teacher.first(std::min<size_t>(2, teacher.size()));
  auto s = student.first(std::min<size_t>(2, student.size()));
  if (t.empty()) return 1.0;
  size_t inter = 0;
  for (auto x : t) inter += contains(s, x);
  return static_cast<double>(inter) / static_cast<double>(t.size() + s.size() - inter);
}

std::optional<double> legacy_mrr_top2(std::span<const std::string_view> teacher,
                                      std::span<const std::string_view> student) {
  auto t = teacher.first(std::min<size_t>(2, teacher.size()));
  if (t.empty()) return std::nullopt;
  double sum = 0;
  for (size_t i = 0; i < t.size(); ++i)
    if (contains(student, t[i])) sum += 1.0 / static_cast<double>(i + 1);
  return sum / static_cast<double>(t.size());
}

// ---- one trace ----

std::string_view metric_name(Metric m) {
  static constexpr std::array<std::string_view, kMetricCount> names = {
      "jaccard",         "mrr",          "recall@1",    "recall@3",         "recall@5",
      "recall@10",       "precision@1",  "precision@3", "precision@5",      "precision@10",
      "ndcg@1",          "ndcg@3",       "ndcg@5",      "ndcg@10",          "legacy_jaccard_top2",
      "legacy_mrr_top2", "files_picked", "empty_rate",  "hallucinated_rate"};
  return m >= 0 && m < kMetricCount ? names[m] : std::string_view("?");
}

bool metric_is_unit(Metric m) { return m != kFilesPicked && m != kLegacyJaccardTop2; }

void score_pair(const PairInput& in, RankedHits& h, TraceScores& out) {
  match_paths(in.predicted, in.reference, h);
  out[kJaccard] = jaccard(h);
  out[kMrr] = reciprocal_rank(h);
  for (size_t j = 0; j < kCutoffs.size(); ++j) {
    out[kRecall1 + j] = recall_at(h, kCutoffs[j]);
    out[kPrecision1 + j] = precision_at(h, kCutoffs[j]);
    out[kNdcg1 + j] = ndcg_at(h, kCutoffs[j]);
  }
  out[kLegacyJaccardTop2] = legacy_jaccard_top2(in.reference_lines, in.predicted_lines);
  out[kLegacyMrrTop2] = legacy_mrr_top2(in.reference_lines, in.predicted_lines).value_or(kNaN);
  out[kFilesPicked] = static_cast<double>(h.predicted());
  out[kEmptyRate] = h.predicted() == 0 ? 1.0 : 0.0;
  out[kHallucinatedRate] = in.hallucinated && !in.predicted.empty()
                               ? static_cast<double>(*in.hallucinated) / static_cast<double>(in.predicted.size())
                               : kNaN;
}

// ---- bootstrap ----

namespace {

struct Category {
  double value;
  int64_t count;
};

uint64_t bits_of(double v) {
  if (v == 0) v = 0;  // -0.0 and 0.0 are one value
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

// Distinct values with their counts, sorted by value; nullopt past `limit` distinct values.
std::optional<std::vector<Category>> distinct_values(std::span<const double> values, size_t limit) {
  constexpr uint64_t kEmpty = 0x7ff8dead0000beefULL;  // a NaN pattern; NaNs never reach here
  size_t cap = 1024;
  std::vector<uint64_t> keys(cap, kEmpty);
  std::vector<int64_t> counts(cap, 0);
  size_t used = 0;
  auto insert = [&](uint64_t key, int64_t add, auto& ks, auto& cs) {
    size_t mask = ks.size() - 1;
    size_t i = static_cast<size_t>((key * 0x9E3779B97F4A7C15ULL) >> 32) & mask;
    while (ks[i] != kEmpty && ks[i] != key) i = (i + 1) & mask;
    const bool fresh = ks[i] == kEmpty;
    ks[i] = key;
    cs[i] += add;
    return fresh;
  };
  for (double v : values) {
    if (insert(bits_of(v), 1, keys, counts) && ++used * 2 > cap) {
      if (used > limit) return std::nullopt;
      std::vector<uint64_t> k2(cap * 2, kEmpty);
      std::vector<int64_t> c2(cap * 2, 0);
      for (size_t i = 0; i < cap; ++i)
        if (keys[i] != kEmpty) insert(keys[i], counts[i], k2, c2);
      keys.swap(k2);
      counts.swap(c2);
      cap *= 2;
    }
  }
  std::vector<Category> out;
  out.reserve(used);
  for (size_t i = 0; i < cap; ++i) {
    if (keys[i] == kEmpty) continue;
    double v;
    std::memcpy(&v, &keys[i], sizeof v);
    out.push_back({v, counts[i]});
  }
  std::sort(out.begin(), out.end(), [](const Category& a, const Category& b) { return a.value < b.value; });
  return out;
}

std::vector<Category> sorted_runs(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::vector<Category> out;
  for (double v : values) {
    if (!out.empty() && out.back().value == v)
      ++out.back().count;
    else
      out.push_back({v, 1});
  }
  return out;
}

// Pools adjacent categories into at most `groups` groups of about equal count (exact group means).
std::vector<Category> pool(const std::vector<Category>& cats, int64_t n, size_t groups) {
  std::vector<Category> out;
  int64_t target = (n + static_cast<int64_t>(groups) - 1) / static_cast<int64_t>(groups);
  long double sum = 0;
  int64_t count = 0;
  for (const auto& c : cats) {
    sum += static_cast<long double>(c.value) * c.count;
    count += c.count;
    if (count >= target) {
      out.push_back({static_cast<double>(sum / count), count});
      sum = 0;
      count = 0;
    }
  }
  if (count > 0) out.push_back({static_cast<double>(sum / count), count});
  return out;
}

double quantile(const std::vector<double>& sorted, double p) {
  double h = (static_cast<double>(sorted.size()) - 1) * p;
  size_t lo = static_cast<size_t>(std::floor(h));
  size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

namespace {

// xoshiro256** (Blackman & Vigna), seeded through splitmix64: a fast generator for resampling.
class Xoshiro256 {
 public:
  using result_type = uint64_t;
  explicit Xoshiro256(uint64_t seed) {
    for (auto& x : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      x = z ^ (z >> 31);
    }
  }
  static constexpr uint64_t min() { return 0; }
  static constexpr uint64_t max() { return ~uint64_t{0}; }
  uint64_t operator()() {
    uint64_t r = rotl(s_[1] * 5, 7) * 9, t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return r;
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// Unbiased index in [0, n) (Lemire's multiply-shift with rejection).
uint64_t draw_index(Xoshiro256& rng, uint64_t n) {
  unsigned __int128 m = static_cast<unsigned __int128>(rng()) * n;
  auto low = static_cast<uint64_t>(m);
  if (low < n) {
    uint64_t threshold = -n % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(rng()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

// Binomial(m, p): exact (std::binomial_distribution) unless the variance is large, where the
// rounded normal with the same mean and variance is used (CDF error below ~0.3% per draw at
// variance >= 900, far under the resampling noise of the interval) at a fraction of the cost.
constexpr double kNormalFromVariance = 900;
int64_t draw_binomial(Xoshiro256& rng, int64_t m, double p) {
  if (p <= 0) return 0;
  if (p >= 1) return m;
  double mean = static_cast<double>(m) * p, var = mean * (1 - p);
  if (var < kNormalFromVariance) return std::binomial_distribution<int64_t>(m, p)(rng);
  double x = std::round(std::normal_distribution<double>(mean, std::sqrt(var))(rng));
  return static_cast<int64_t>(std::clamp(x, 0.0, static_cast<double>(m)));
}

// Estimated nanoseconds per resample of each method, to pick the cheaper one.
double direct_cost(int64_t n) { return 2.0 * static_cast<double>(n); }
double multinomial_cost(const std::vector<Category>& c) {
  double cost = 0;
  for (const auto& x : c) cost += x.count < 2 * kNormalFromVariance ? 1000 : 30;
  return cost;
}

std::vector<double> resample_means(const std::vector<double>& values, const std::vector<Category>& c,
                                   const BootstrapOptions& o) {
  Xoshiro256 rng(o.seed);
  const auto n = static_cast<int64_t>(values.size());
  std::vector<double> means(static_cast<size_t>(o.resamples));
  if (direct_cost(n) <= multinomial_cost(c)) {
    for (double& m : means) {
      double acc = 0;
      for (int64_t i = 0; i < n; ++i) acc += values[draw_index(rng, static_cast<uint64_t>(n))];
      m = acc / static_cast<double>(n);
    }
    return means;
  }
  for (double& m : means) {
    int64_t remaining = n, weight = n;
    long double acc = 0;
    for (size_t i = 0; i + 1 < c.size() && remaining > 0; ++i) {
      int64_t k = draw_binomial(rng, remaining, static_cast<double>(c[i].count) / static_cast<double>(weight));
      acc += static_cast<long double>(c[i].value) * k;
      remaining -= k;
      weight -= c[i].count;
    }
    acc += static_cast<long double>(c.back().value) * remaining;
    m = static_cast<double>(acc / n);
  }
  return means;
}

}  // namespace

MeanCI bootstrap_mean(std::span<const double> values, const BootstrapOptions& options) {
  MeanCI r;
  std::vector<double> defined;
  defined.reserve(values.size());
  long double sum = 0;
  for (double v : values) {
    if (std::isnan(v)) {
      ++r.excluded;
      continue;
    }
    defined.push_back(v);
    sum += v;
  }
  r.n = defined.size();
  if (r.n == 0) {
    r.mean = r.lo = r.hi = kNaN;
    return r;
  }
  const auto n = static_cast<int64_t>(r.n);
  r.mean = static_cast<double>(sum / n);
  auto cats = distinct_values(defined, 1 << 16);
  std::vector<Category> c = cats ? std::move(*cats) : sorted_runs(defined);
  constexpr size_t kMaxGroups = 512;
  if (c.size() > kMaxGroups) c = pool(c, n, kMaxGroups);
  if (c.size() == 1 || options.resamples <= 0) {
    r.lo = r.hi = c.size() == 1 ? c[0].value : r.mean;
    return r;
  }
  std::vector<double> means = resample_means(defined, c, options);
  std::sort(means.begin(), means.end());
  r.lo = quantile(means, 0.025);
  r.hi = quantile(means, 0.975);
  return r;
}

PairedDiff compare_paired(std::span<const double> a, std::span<const double> b, const BootstrapOptions& options) {
  PairedDiff r;
  std::vector<double> diffs;
  size_t m = std::min(a.size(), b.size());
  diffs.reserve(m);
  for (size_t i = 0; i < m; ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) continue;
    if (a[i] > b[i])
      ++r.wins;
    else if (a[i] < b[i])
      ++r.losses;
    else
      ++r.ties;
    diffs.push_back(a[i] - b[i]);
  }
  r.diff = bootstrap_mean(diffs, options);
  r.diff.excluded = m - diffs.size();
  return r;
}

uint64_t series_seed(uint64_t seed, std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char ch : name) h = (h ^ ch) * 0x100000001b3ULL;
  uint64_t z = seed ^ h;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;  // splitmix64 finaliser
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace pt
