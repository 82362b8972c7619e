// Implementation of pipeline/registry/registry_file.h.
#include "pipeline/registry/registry_file.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "source_dir.h"
#include "util/atomic_file.h"
#include "util/read_file.h"

namespace pt {

std::string default_registry_path() {
  const char* env = std::getenv("PICKTUNE_REGISTRY");
  if (env && *env) return env;
  return std::string(PICKTUNE_SOURCE_DIR) + "/data/finetunes.json";
}

Result<Registry> load_registry(const std::string& path) {
  PT_ASSIGN_OR_RETURN(std::string text, read_file(path, "cannot read the finetune registry"));
  return parse_registry(text, path);
}

Result<void> save_registry(const Registry& registry, const std::string& path) {
  return write_file_atomic(path, registry_to_json(registry));
}

}  // namespace pt
