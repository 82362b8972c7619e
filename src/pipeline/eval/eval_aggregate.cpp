// Implementation of pipeline/eval/eval_aggregate.h: the jobs spread over `threads` threads
// (util/parallel_for.h), each writing its own output.
#include "pipeline/eval/eval_aggregate.h"

#include <algorithm>

#include "util/parallel_for.h"

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
  parallel_for(jobs_.size(), static_cast<unsigned>(std::max(threads, 1)), [&](size_t i) {
    const Job& job = jobs_[i];
    BootstrapOptions o = options;
    o.seed = series_seed(options.seed, job.series);
    if (job.mean)
      *job.mean = bootstrap_mean(*job.a, o);
    else
      *job.pair = compare_paired(*job.a, *job.b, o);
  });
  jobs_.clear();
}

}  // namespace pt
