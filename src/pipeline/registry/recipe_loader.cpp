// Implementation of pipeline/registry/recipe_loader.h on top of the registry loader (pipeline/registry_file).
#include "pipeline/registry/recipe_loader.h"

#include <fmt/format.h>

#include "pipeline/registry/registry_file.h"

namespace pt {

Result<RegistryRecipe> load_registry_recipe(const std::string& path, const std::string& id) {
  PT_ASSIGN_OR_RETURN(Registry reg, load_registry(path));
  const Finetune* f = reg.find(id);
  if (!f) {
    std::string known;
    for (const auto& e : reg.finetunes) known += (known.empty() ? "" : ", ") + e.id;
    return usage_error(fmt::format("unknown recipe \"{}\" in {} (known: {})", id, path, known));
  }
  RegistryRecipe out;
  out.id = f->id;
  out.recipe = f->recipe;
  if (f->epochs) out.epochs = static_cast<int>(*f->epochs);
  out.teacher = f->teacher;
  return out;
}

Result<Recipe> load_recipe(const std::string& path, const std::string& id) {
  PT_ASSIGN_OR_RETURN(RegistryRecipe r, load_registry_recipe(path, id));
  return r.recipe;
}

}  // namespace pt
