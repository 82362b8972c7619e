// CLI: relabel.
// (Command group registration; flags are parsed here, the work is done in src/pipeline.)
#include "cli/commands.h"

namespace pt::cli {

void register_relabel_commands(CLI::App& app, Context& ctx) {}

}  // namespace pt::cli
