// Terminal text of `picktune status` (store, size, traces by type and request kind, relabels by
// teacher with coverage of the get-relevant-files traces, students) and of `picktune prune`.
#pragma once
#include <string>

#include "pipeline/status/store_status.h"

namespace pt {

std::string render_store_status(const StoreStatus& status);
std::string render_prune_report(const PruneReport& report);

// 1536 -> "1.5 KiB"; bytes below 1 KiB stay bytes.
std::string human_bytes(int64_t bytes);

}  // namespace pt
