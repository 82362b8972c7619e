// CLI: import git.
// (Command group registration; flags are parsed here, the work is done in src/pipeline.)
#include "cli/commands.h"

namespace pt::cli {

void register_import_git(CLI::App& import_cmd, Context& ctx) {}

}  // namespace pt::cli
