// Benchmark for `eval score`'s compute: 1M (prediction, reference) pairs of realistic size (5–15
// paths each, drawn from a 2,000-file repository, ~40% overlap; a set of distinct pairs cycled), scored with every
// metric (score_pair) and then aggregated with the bootstrap CIs of all metrics (1,000 resamples, 2 threads). Target:
// metrics + bootstrap < 1 s on 2 cores. Store I/O is not included; the parse of the answer texts is measured separately
// (BM_ParseAnswers).
#include <benchmark/benchmark.h>

#include <random>
#include <thread>

#include "core/file_list.h"
#include "core/metrics.h"
#include "pipeline/eval/eval_aggregate.h"

namespace {

constexpr size_t kPairs = 1'000'000;
constexpr size_t kDistinct = 65'536;  // distinct generated pairs (~100 MB), cycled
constexpr size_t kHot = 256;          // default working set (~0.5 MB, in L2): compute, not memory, is measured

struct Data {
  std::vector<std::vector<std::string>> pred, ref;
  std::vector<std::string> pred_text, ref_text;
};

const Data& data() {
  static const Data d = [] {
    Data d;
    std::mt19937_64 rng(1);
    std::vector<std::string> files;
    for (int i = 0; i < 2000; ++i)
      files.push_back("src/module_" + std::to_string(i % 37) + "/sub/file_" + std::to_string(i) + ".ts");
    std::uniform_int_distribution<int> len(5, 15), file(0, 1999);
    std::bernoulli_distribution share(0.4);
    d.pred.resize(kDistinct);
    d.ref.resize(kDistinct);
    d.pred_text.resize(kDistinct);
    d.ref_text.resize(kDistinct);
    for (size_t i = 0; i < kDistinct; ++i) {
      int nr = len(rng), np = len(rng);
      for (int j = 0; j < nr; ++j) d.ref[i].push_back(files[file(rng)]);
      for (int j = 0; j < np; ++j) d.pred[i].push_back(share(rng) ? d.ref[i][j % nr] : files[file(rng)]);
      for (const auto& p : d.pred[i]) d.pred_text[i] += p + "\n";
      for (const auto& p : d.ref[i]) d.ref_text[i] += p + "\n";
    }
    return d;
  }();
  return d;
}

// Scores pairs [from, to) of the 1M.
pt::MetricColumns score_range(const Data& d, size_t distinct, size_t from, size_t to) {
  pt::MetricColumns cols;
  for (auto& v : cols.values) v.reserve(to - from);
  pt::RankedHits scratch;
  pt::TraceScores s;
  std::vector<std::string_view> pl, rl;
  for (size_t k = from; k < to; ++k) {
    size_t i = k % distinct;
    pt::legacy_lines(d.pred_text[i], pl);
    pt::legacy_lines(d.ref_text[i], rl);
    pt::score_pair({d.pred[i], d.ref[i], pl, rl, size_t{0}}, scratch, s);
    cols.push(s);
  }
  return cols;
}

pt::MetricColumns score_all(const Data& d, size_t distinct = kHot) { return score_range(d, distinct, 0, kPairs); }

// The 1M pairs split over two threads, columns concatenated in order.
pt::MetricColumns score_all_2threads(const Data& d) {
  pt::MetricColumns second;
  std::thread t([&] { second = score_range(d, kHot, kPairs / 2, kPairs); });
  pt::MetricColumns cols = score_range(d, kHot, 0, kPairs / 2);
  t.join();
  for (int m = 0; m < pt::kMetricCount; ++m)
    cols.values[m].insert(cols.values[m].end(), second.values[m].begin(), second.values[m].end());
  return cols;
}

// range(0): distinct pairs cycled. 256 keeps them in L2, so the metric arithmetic is measured;
// 4,096 (~9 MB) and 65,536 (~100 MB) add the cost of fetching each answer from L3 / memory.
void BM_ScorePairs(benchmark::State& state) {
  const Data& d = data();
  for (auto _ : state) benchmark::DoNotOptimize(score_all(d, static_cast<size_t>(state.range(0))));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kPairs));
}

void BM_Bootstrap(benchmark::State& state) {
  static const pt::MetricColumns cols = score_all(data());
  for (auto _ : state) {
    std::array<pt::MeanCI, pt::kMetricCount> out;
    pt::BootstrapJobs jobs;
    jobs.add_columns(cols, "all/model", out);
    jobs.run({1000, 1}, static_cast<int>(state.range(0)));
    benchmark::DoNotOptimize(out);
  }
}

// The target: everything on 2 cores (scoring split over 2 threads, then 2 bootstrap workers).
void BM_ScoreAndBootstrap(benchmark::State& state) {
  const Data& d = data();
  for (auto _ : state) {
    pt::MetricColumns cols = state.range(0) == 2 ? score_all_2threads(d) : score_all(d);
    std::array<pt::MeanCI, pt::kMetricCount> out;
    pt::BootstrapJobs jobs;
    jobs.add_columns(cols, "all/model", out);
    jobs.run({1000, 1}, static_cast<int>(state.range(0)));
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kPairs));
}

void BM_ParseAnswers(benchmark::State& state) {
  const Data& d = data();
  for (auto _ : state) {
    size_t n = 0;
    for (size_t k = 0; k < kPairs; ++k) {
      size_t i = k % kHot;
      n += pt::parse_file_list(d.pred_text[i]).size() + pt::parse_file_list(d.ref_text[i]).size();
    }
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kPairs));
}

BENCHMARK(BM_ScorePairs)
    ->Arg(kHot)
    ->Arg(4096)
    ->Arg(kDistinct)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();
BENCHMARK(BM_Bootstrap)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_ScoreAndBootstrap)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_ParseAnswers)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
