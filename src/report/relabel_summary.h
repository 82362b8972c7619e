// The relabel run's final report for the terminal: done, skipped, failed by reason with the failed
// trace ids, tokens and dollars; or, for --dry-run, the count and price estimate.
#pragma once
#include <string>

#include "pipeline/relabel/relabel.h"

namespace pt {

std::string render_relabel_summary(const RelabelSummary& summary, const RelabelOptions& options);

}  // namespace pt
