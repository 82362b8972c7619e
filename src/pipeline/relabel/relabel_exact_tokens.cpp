// Implementation of pipeline/relabel/relabel_exact_tokens.h: items are prepared on the caller's
// thread (the store is used from one thread), then counted on a few threads (util/parallel_for.h).
#include "pipeline/relabel/relabel_exact_tokens.h"

#include <algorithm>

#include "pipeline/relabel/relabel_item.h"
#include "pipeline/relabel/relabel_select.h"
#include "providers/token_count.h"
#include "util/parallel_for.h"

namespace pt {
namespace {

constexpr int kCountsInFlight = 4;

// The n traces of `ready` with the smallest sample keys, in that order.
std::vector<DryRunTrace> pick_sample(const std::vector<DryRunTrace>& ready, int64_t n, uint64_t seed) {
  std::vector<std::pair<uint64_t, const DryRunTrace*>> keyed;
  keyed.reserve(ready.size());
  for (const auto& t : ready) keyed.emplace_back(sample_key(t.id, seed), &t);
  size_t take = std::min(keyed.size(), static_cast<size_t>(std::max<int64_t>(0, n)));
  std::partial_sort(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(take), keyed.end(),
                    [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first < b.first : a.second->id < b.second->id;
                    });
  std::vector<DryRunTrace> out;
  for (size_t i = 0; i < take; ++i) out.push_back(*keyed[i].second);
  return out;
}

}  // namespace

Result<ExactTokenSample> sample_exact_tokens(Store& store, const std::string& model_id, const RelabelOptions& options,
                                             const std::vector<DryRunTrace>& ready) {
  std::vector<DryRunTrace> sample = pick_sample(ready, options.exact_tokens, options.seed);
  std::vector<std::unique_ptr<RelabelItem>> items;
  for (const auto& t : sample) {
    PT_ASSIGN_OR_RETURN(Prepared p, prepare_relabel_item(store, t.id, options, false));
    if (p.status != PrepareStatus::ready) return runtime_error("trace " + t.id + " changed during the dry run");
    items.push_back(std::move(p.item));
  }
  const RetryPolicy retry = relabel_retry_policy(options);
  std::vector<Result<int64_t>> counts(items.size(), Result<int64_t>(int64_t{0}));
  parallel_for(items.size(), static_cast<unsigned>(std::max(1, std::min(kCountsInFlight, options.concurrency))),
               [&](size_t i) {
                 counts[i] = count_input_tokens_remote(model_id, items[i]->input, options.model_options, retry);
               });

  ExactTokenSample s;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!counts[i].ok())
      return Error{"exact token count of trace " + sample[i].id + ": " + counts[i].error().message,
                   counts[i].error().kind};
    int64_t exact = *counts[i], local = sample[i].local_tokens;
    ++s.sampled;
    s.exact_tokens += exact;
    s.local_tokens += local;
    double r = local > 0 ? static_cast<double>(exact) / static_cast<double>(local) : 1.0;
    s.ratio_min = s.sampled == 1 ? r : std::min(s.ratio_min, r);
    s.ratio_max = s.sampled == 1 ? r : std::max(s.ratio_max, r);
  }
  s.ratio = s.local_tokens > 0 ? static_cast<double>(s.exact_tokens) / static_cast<double>(s.local_tokens) : 1.0;
  return s;
}

}  // namespace pt
