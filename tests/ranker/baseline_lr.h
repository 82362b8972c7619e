// The plain baseline of issue 7, for tests and bench/bench_ranker.cpp: a pointwise logistic
// regression over four features of the student's feature extractor — path BM25, recency in the
// last 20 commits (1 / position), log change frequency in the training history, co-change with
// the previous commit's files — fitted by Newton's method (IRLS) with a small L2 penalty, ranking
// every file of the tree that has any signal.
#pragma once
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "ranker/features.h"
#include "ranker/history_stats.h"
#include "ranker/trace_view.h"

namespace pt::ranker::baseline {

inline constexpr std::array<Feature, 4> kLrFeatures = {kBm25Path, kRecencyInv, kLogCount, kCochangePrev};
inline constexpr size_t kLrDims = kLrFeatures.size() + 1;  // + bias

// Candidate options that keep every file with any signal (the baseline is not helped by the
// student's candidate cut).
inline CandidateOptions all_candidates() {
  CandidateOptions o;
  o.max_window_files = o.top_bm25 = o.top_name = o.top_cochange = o.top_words = 1u << 30;
  return o;
}

struct LogisticRegression {
  std::array<double, kLrDims> w{};
  std::array<double, kLrDims> mean{}, scale{};  // standardisation of the inputs

  std::array<double, kLrDims> inputs(const float* row) const {
    std::array<double, kLrDims> z{};
    for (size_t k = 0; k < kLrFeatures.size(); ++k) z[k] = (row[kLrFeatures[k]] - mean[k]) / scale[k];
    z[kLrDims - 1] = 1.0;
    return z;
  }
  double score(const float* row) const {
    auto z = inputs(row);
    double s = 0;
    for (size_t k = 0; k < kLrDims; ++k) s += w[k] * z[k];
    return s;
  }

  // rows: kFeatureCount floats each; labels 0/1.
  void fit(const std::vector<float>& rows, const std::vector<float>& labels, int iterations = 25, double l2 = 1e-3) {
    const size_t n = labels.size();
    for (size_t k = 0; k < kLrFeatures.size(); ++k) {
      double s = 0, ss = 0;
      for (size_t i = 0; i < n; ++i) s += rows[i * kFeatureCount + kLrFeatures[k]];
      mean[k] = n ? s / static_cast<double>(n) : 0;
      for (size_t i = 0; i < n; ++i) {
        double d = rows[i * kFeatureCount + kLrFeatures[k]] - mean[k];
        ss += d * d;
      }
      scale[k] = n && ss > 0 ? std::sqrt(ss / static_cast<double>(n)) : 1.0;
    }
    for (int it = 0; it < iterations; ++it) {
      std::array<double, kLrDims> grad{};
      std::array<std::array<double, kLrDims>, kLrDims> hess{};
      for (size_t i = 0; i < n; ++i) {
        auto z = inputs(&rows[i * kFeatureCount]);
        double s = 0;
        for (size_t k = 0; k < kLrDims; ++k) s += w[k] * z[k];
        double p = 1.0 / (1.0 + std::exp(-s));
        for (size_t a = 0; a < kLrDims; ++a) {
          grad[a] += (p - labels[i]) * z[a];
          for (size_t b = 0; b < kLrDims; ++b) hess[a][b] += p * (1 - p) * z[a] * z[b];
        }
      }
      for (size_t a = 0; a < kLrDims; ++a) {
        grad[a] += l2 * static_cast<double>(n) * w[a];
        hess[a][a] += l2 * static_cast<double>(n);
      }
      // Solve hess * step = grad (Gaussian elimination with partial pivoting).
      auto m = hess;
      auto rhs = grad;
      for (size_t c = 0; c < kLrDims; ++c) {
        size_t piv = c;
        for (size_t r = c + 1; r < kLrDims; ++r)
          if (std::fabs(m[r][c]) > std::fabs(m[piv][c])) piv = r;
        std::swap(m[c], m[piv]);
        std::swap(rhs[c], rhs[piv]);
        if (std::fabs(m[c][c]) < 1e-12) continue;
        for (size_t r = c + 1; r < kLrDims; ++r) {
          double f = m[r][c] / m[c][c];
          for (size_t k = c; k < kLrDims; ++k) m[r][k] -= f * m[c][k];
          rhs[r] -= f * rhs[c];
        }
      }
      std::array<double, kLrDims> step{};
      for (size_t c = kLrDims; c-- > 0;) {
        double s = rhs[c];
        for (size_t k = c + 1; k < kLrDims; ++k) s -= m[c][k] * step[k];
        step[c] = std::fabs(m[c][c]) < 1e-12 ? 0 : s / m[c][c];
      }
      for (size_t k = 0; k < kLrDims; ++k) w[k] -= step[k];
    }
  }
};

// Accumulates training rows in time order (statistics of strictly earlier traces, as the
// student does), then fits.
class LrTrainer {
 public:
  void add(const TraceView& view, const std::vector<std::string>& targets) {
    CandidateSet cs = extract_candidates(view, stats_, {}, all_candidates());
    for (size_t i = 0; i < cs.size(); ++i) {
      const std::string& path = view.files[static_cast<size_t>(cs.file[i])];
      bool hit = false;
      for (const auto& t : targets) hit = hit || t == path;
      rows_.insert(rows_.end(), cs.row(i), cs.row(i) + kFeatureCount);
      labels_.push_back(hit ? 1.f : 0.f);
    }
    stats_.observe(view.unique_words, targets);
  }
  LogisticRegression fit() {
    LogisticRegression lr;
    lr.fit(rows_, labels_);
    return lr;
  }
  const HistoryStats& stats() const { return stats_; }

 private:
  HistoryStats stats_;
  std::vector<float> rows_, labels_;
};

// The baseline's ranking of a trace's files (best first, ties by path).
inline std::vector<std::string> lr_rank(const LogisticRegression& lr, const HistoryStats& stats, const TraceView& view,
                                        size_t k) {
  CandidateSet cs = extract_candidates(view, stats, {}, all_candidates());
  std::vector<std::pair<double, std::string>> scored;
  for (size_t i = 0; i < cs.size(); ++i)
    scored.push_back({-lr.score(cs.row(i)), view.files[static_cast<size_t>(cs.file[i])]});
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < k; ++i) out.push_back(scored[i].second);
  return out;
}

}  // namespace pt::ranker::baseline
