// Reading and writing the finetune registry file (default data/finetunes.json, or
// $PICKTUNE_REGISTRY), and the text/JSON views behind `finetunes list|show|costs|check|diff`.
#pragma once
#include <string>

#include "core/registry.h"
#include "util/result.h"

namespace pt {

std::string default_registry_path();
Result<Registry> load_registry(const std::string& path);
Result<void> save_registry(const Registry& registry, const std::string& path);  // atomic

struct CostOptions {
  double tuning_price_per_mtok = 3.00;  // Vertex supervised tuning, gemini-2.0-flash
};

std::string render_finetune_list(const Registry& reg, const CostOptions& costs, bool json);
Result<std::string> render_finetune_show(const Registry& reg, const std::string& id, bool json);
std::string render_finetune_costs(const Registry& reg, const CostOptions& costs, bool json);
std::string render_findings(const std::vector<Finding>& findings, bool json);
Result<std::string> render_finetune_diff(const Registry& reg, const std::string& a, const std::string& b, bool json);

}  // namespace pt
