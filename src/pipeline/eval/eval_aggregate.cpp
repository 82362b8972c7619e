// Implementation of pipeline/eval/eval_aggregate.h: a shared job counter drained by `threads` workers.
#include "pipeline/eval/eval_aggregate.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace pt {

void BootstrapJobs::add_mean(const std::vector<double>* values, std::string series, MeanCI* out) {
  jobs_.push_back({values, nullptr, std::move(series), out, nullptr});
}

void BootstrapJobs::add_pair(const std::vector<double>* a, const std::vector<double>* b, std::string series,
                             PairedDiff* out) {
  jobs_.push_back({a, b, std::move(series), nullptr, out});
}

void BootstrapJobs::add_columns(const MetricColumns& columns, const std::string& prefix,
                                std::array<MeanCI, kMetricCount>& out) {
  for (int m = 0; m < kMetricCount; ++m)
    add_mean(&columns.values[m], prefix + "/" + std::string(metric_name(static_cast<Metric>(m))), &out[m]);
}

void BootstrapJobs::run(const BootstrapOptions& options, int threads) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < jobs_.size();) {
      const Job& job = jobs_[i];
      BootstrapOptions o = options;
      o.seed = series_seed(options.seed, job.series);
      if (job.mean)
        *job.mean = bootstrap_mean(*job.a, o);
      else
        *job.pair = compare_paired(*job.a, *job.b, o);
    }
  };
  size_t n = std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), jobs_.size());
  std::vector<std::thread> pool;
  for (size_t t = 1; t < n; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  jobs_.clear();
}

}  // namespace pt
