// `relabel --dry-run --exact-tokens N`: the provider's exact input-token counts of a deterministic
// sample of the dry run's traces, each counted as the relabel would send it (the same prepared
// TeacherInput), a few calls in flight with the relabel's retry policy. The dry run corrects its
// local estimate by the measured ratio (pipeline/relabel/relabel.cpp).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/relabel/relabel.h"

namespace pt {

// A trace the dry run would send, with its local token count.
struct DryRunTrace {
  std::string id;
  int64_t local_tokens = 0;
};

// The `options.exact_tokens` traces of `ready` with the smallest sample_key(id, options.seed) (all
// of them when fewer), counted by model_id's count endpoint. Fills every field but the corrected
// ones. Errors: the first failed count (after retries), naming its trace.
Result<ExactTokenSample> sample_exact_tokens(Store& store, const std::string& model_id, const RelabelOptions& options,
                                             const std::vector<DryRunTrace>& ready);

}  // namespace pt
