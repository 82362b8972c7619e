// Reading and writing the finetune registry file (default data/finetunes.json, or
// $PICKTUNE_REGISTRY). The text/JSON views behind `finetunes list|show|costs|check|diff` are in
// report/finetune_views.h.
#pragma once
#include <string>

#include "core/registry.h"
#include "util/result.h"

namespace pt {

std::string default_registry_path();
Result<Registry> load_registry(const std::string& path);
Result<void> save_registry(const Registry& registry, const std::string& path);  // atomic

}  // namespace pt
