// collect's flags as typed (strings and optionals, straight from the CLI) and their resolution
// into CollectOptions: --recipe ID loads the registry entry's recipe and epochs, and every flag
// given explicitly overrides the recipe's value (the run summary is report/collect_summary.h).
#pragma once
#include <optional>
#include <string>

#include "pipeline/collect/collect.h"
#include "util/result.h"

namespace pt {

struct CollectFlags {
  std::string teacher;
  std::string output = "tuning-data";
  std::string format = "gemini";
  std::optional<std::string> kinds;  // "Key,Non-Obvious"
  std::optional<int> top_k;
  bool stop_dashes = false, blobbify_history = false, with_context = false;
  std::optional<double> validation_fraction;
  std::string split_by = "step";
  std::optional<uint64_t> seed;
  std::optional<std::string> since, until;
  std::optional<std::string> recipe;
  std::optional<int> epochs;
  double price_per_mtok = 3.00;
  int threads = 0;            // 0 -> one per core, at most 8
  std::string registry_path;  // "" -> default_registry_path()
};

Result<CollectOptions> resolve_collect_options(const CollectFlags& flags);

}  // namespace pt
