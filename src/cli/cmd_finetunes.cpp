// CLI: finetunes list/show/costs/check/diff and tune submit/status/wait.
// (Command group registration; flags are parsed here, the work is done in src/pipeline.)
#include "cli/commands.h"

namespace pt::cli {

void register_finetune_commands(CLI::App& app, Context& ctx) {}

}  // namespace pt::cli
