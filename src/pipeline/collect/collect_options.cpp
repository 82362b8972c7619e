// Implementation of pipeline/collect/collect_options.h.
#include "pipeline/collect/collect_options.h"

#include <fmt/format.h>

#include "pipeline/collect/collect_manifest.h"
#include "pipeline/registry/recipe_loader.h"
#include "util/time.h"

namespace pt {
namespace {}  // namespace

Result<CollectOptions> resolve_collect_options(const CollectFlags& f) {
  CollectOptions o;
  o.teacher = f.teacher;
  o.output_prefix = f.output;
  PT_ASSIGN_OR_RETURN(o.format, parse_tuning_format(f.format));
  if (f.recipe) {
    std::string path = f.registry_path.empty() ? default_registry_path() : f.registry_path;
    PT_ASSIGN_OR_RETURN(auto entry, load_registry_recipe(path, *f.recipe));
    o.recipe = entry.recipe;
    o.recipe_id = entry.id;
    if (entry.epochs) o.epochs = *entry.epochs;
  }
  if (f.kinds) {
    PT_ASSIGN_OR_RETURN(o.recipe.request_kinds, parse_request_kinds(*f.kinds, "--kinds"));
  }
  if (f.top_k) o.recipe.top_k = *f.top_k;
  o.recipe.stop_dashes |= f.stop_dashes;
  o.recipe.blobbify_history |= f.blobbify_history;
  o.recipe.with_file_context |= f.with_context;
  o.validation_fraction = f.validation_fraction;
  if (o.validation_fraction) PT_TRY(check_validation_fraction(*o.validation_fraction));
  PT_ASSIGN_OR_RETURN(o.split_by, parse_split_by(f.split_by));
  o.seed = f.seed;
  PT_ASSIGN_OR_RETURN(o.since_us, parse_time_filter("--since", f.since.value_or("")));
  PT_ASSIGN_OR_RETURN(o.until_us, parse_time_filter("--until", f.until.value_or("")));
  if (f.epochs) o.epochs = *f.epochs;
  o.price_per_mtok = f.price_per_mtok;
  o.threads = f.threads;
  return o;
}

}  // namespace pt
