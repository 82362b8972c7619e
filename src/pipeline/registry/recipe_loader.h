// Reads a finetune's data recipe (and its epochs) from the registry file data/finetunes.json
// (docs/formats.md#registry), so `collect --recipe ID` reproduces that finetune's tuning data. A registry helper
// may later replace this with its own loader; the signatures stay.
#pragma once
#include <optional>
#include <string>

#include "core/recipe.h"
#include "pipeline/registry/registry_file.h"
#include "util/result.h"

namespace pt {

struct RegistryRecipe {
  std::string id;
  Recipe recipe;
  std::optional<int> epochs;  // null in the registry -> nullopt
  std::string teacher;        // as written in the registry (no provider prefix)
};

// default_registry_path() is in pipeline/registry/registry_file.h ($PICKTUNE_REGISTRY or data/finetunes.json).

// Errors: unreadable file, bad JSON, unknown id (usage error listing the known ids), a recipe
// field of the wrong type ("PATH: finetunes[3].recipe.top_k: expected an integer or null").
Result<RegistryRecipe> load_registry_recipe(const std::string& path, const std::string& id);
Result<Recipe> load_recipe(const std::string& path, const std::string& id);

}  // namespace pt
