// Per-trace metric values collected column by column, and the bootstrap work over them run on a
// few threads. Each series is seeded from its own name (series_seed), so the figures do not depend
// on the thread count or the order the jobs finish in.
#pragma once
#include <string>
#include <vector>

#include "core/metrics.h"

namespace pt {

struct MetricColumns {
  std::array<std::vector<double>, kMetricCount> values;
  void push(const TraceScores& s) {
    for (int m = 0; m < kMetricCount; ++m) values[m].push_back(s[m]);
  }
  size_t size() const { return values[0].size(); }
};

class BootstrapJobs {
 public:
  // `values` and `out` must outlive run().
  void add_mean(const std::vector<double>* values, std::string series, MeanCI* out);
  void add_pair(const std::vector<double>* a, const std::vector<double>* b, std::string series, PairedDiff* out);
  // Means/CIs for every metric of one column set: series "PREFIX/METRIC".
  void add_columns(const MetricColumns& columns, const std::string& prefix, std::array<MeanCI, kMetricCount>& out);
  void run(const BootstrapOptions& options, int threads);

 private:
  struct Job {
    const std::vector<double>* a = nullptr;
    const std::vector<double>* b = nullptr;  // pairs only
    std::string series;
    MeanCI* mean = nullptr;
    PairedDiff* pair = nullptr;
  };
  std::vector<Job> jobs_;
};

}  // namespace pt
