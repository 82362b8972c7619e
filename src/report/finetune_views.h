// The text and JSON views behind `finetunes list|show|costs|check|diff`: one table row (or JSON
// object) per finetune of the registry, its costs, the registry check's findings, two entries side
// by side.
#pragma once
#include <string>
#include <vector>

#include "core/registry.h"
#include "util/result.h"

namespace pt {

struct CostOptions {
  double tuning_price_per_mtok = 3.00;  // Vertex supervised tuning, gemini-2.0-flash
};

std::string render_finetune_list(const Registry& reg, const CostOptions& costs, bool json);
Result<std::string> render_finetune_show(const Registry& reg, const std::string& id, bool json);
std::string render_finetune_costs(const Registry& reg, const CostOptions& costs, bool json);
std::string render_findings(const std::vector<Finding>& findings, bool json);
Result<std::string> render_finetune_diff(const Registry& reg, const std::string& a, const std::string& b, bool json);

}  // namespace pt
