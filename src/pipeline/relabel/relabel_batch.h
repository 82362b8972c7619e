// `relabel --batch`: the selected traces go to the Anthropic Message Batches API (half price)
// instead of the live event loop: create the batch (one request per trace, custom_id = trace id),
// poll it with backoff until it ends, then read its results and store each answer as it is read.
#pragma once
#include <string>
#include <vector>

#include "pipeline/relabel/relabel.h"

namespace pt {

Result<void> run_relabel_batch(Store& store, Model& model, const RelabelOptions& options,
                               std::vector<std::string> to_do, RelabelSummary& summary);

}  // namespace pt
