// CLI: quickstart, the main job on the embedded default store.
// (Command group registration; flags are parsed here, the work is done in src/pipeline.)
#include "cli/commands.h"

namespace pt::cli {

void register_quickstart_command(CLI::App& app, Context& ctx) {}

}  // namespace pt::cli
