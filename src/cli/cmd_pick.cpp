// CLI: `pick --model MODEL_ID [--repo PATH | --tree FILE] [--top N] [--json] "REQUEST"`: a local
// model picks files for one request, printed with scores. (Flags only; pipeline/pick does it.)
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "pipeline/pick/pick.h"
#include "report/pick_output.h"

namespace pt::cli {

void register_pick_command(CLI::App& app, Context& ctx) {
  struct Flags {
    PickOptions options;
    bool json = false;
  };
  auto flags = std::make_shared<Flags>();
  auto& o = flags->options;
  auto* cmd = app.add_subcommand("pick", "rank a repository's files for one request with a local model");
  cmd->add_option("--model", o.model, "local:bm25 or local:student@NAME|PATH")->required();
  auto* repo = cmd->add_option("--repo", o.repo, "a git work tree: HEAD's files and recent commits");
  auto* tree = cmd->add_option("--tree", o.tree_file, "a file listing the candidate paths, one a line");
  repo->excludes(tree);
  tree->excludes(repo);
  cmd->add_option("--top", o.top, "answer with exactly N files (default: the model's own count)");
  cmd->add_flag("--json", flags->json, "one JSON object");
  cmd->add_option("REQUEST", o.request, "what the agent is asked to do")->required();
  cmd->callback([flags, &ctx] {
    ctx.action = [flags]() -> Result<void> {
      PT_ASSIGN_OR_RETURN(PickResult r, run_pick(flags->options));
      std::fputs((flags->json ? format_pick_json(r) : format_pick(r)).c_str(), stdout);
      return ok();
    };
  });
}

}  // namespace pt::cli
