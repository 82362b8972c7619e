// The manifest collect writes beside its tuning files (NAME.manifest.json): recipe, teacher,
// filters, samples, drops by reason, bad rows, exact token counts, the tuning cost estimate and
// the Vertex limits checked.
#pragma once
#include <string>

#include "pipeline/collect/collect.h"

namespace pt {

// Tuning cost estimate: price per 1M tokens × epochs × training tokens.
double tuning_cost_usd(double price_per_mtok, int epochs, int64_t tokens);

// Fills summary.limit_warnings from the Vertex limits.
void check_vertex_limits(CollectSummary& summary);

std::string manifest_json(const CollectOptions& options, const CollectSummary& summary);

}  // namespace pt
