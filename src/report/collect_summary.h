// What `collect` prints when it is done: samples written where, traces and relabels read, drops
// by reason, tokens and the estimated tuning cost, the manifest's path.
#pragma once
#include <string>

#include "pipeline/collect/collect.h"

namespace pt {

// "wrote 120 samples (+12 validation) to out.jsonl; 34,567 tokens; est. tuning cost $0.21 ..."
std::string collect_summary_text(const CollectOptions& options, const CollectSummary& summary);

}  // namespace pt
