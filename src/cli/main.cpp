// picktune's entry point: builds the CLI11 command tree from the per-group registration
// functions, runs the chosen action, and maps errors to one-line messages and exit codes
// (0 success, 1 runtime failure, 2 usage error).
#include <cstdio>
#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace pt::cli;
  CLI::App app{"picktune: distil a strong model's file-selection decisions into cheaper models"};
  app.name("picktune");
  app.require_subcommand(1);
  app.fallthrough();  // global flags are accepted anywhere on the line
  Context ctx;
  app.add_option("--store", ctx.store_uri,
                 "store URI: sqlite:PATH, postgres://..., bigquery://PROJECT/DATASET (env PICKTUNE_STORE)");
  app.add_option("--env", ctx.env, "dev or prod database/dataset")->check(CLI::IsMember({"dev", "prod"}));
  app.add_flag("--prod", ctx.prod, "shorthand for --env prod");

  register_store_commands(app, ctx);
  auto* import_cmd = app.add_subcommand("import", "load rows into the store");
  import_cmd->require_subcommand(1);
  register_import_jsonl(*import_cmd, ctx);
  register_import_git(*import_cmd, ctx);
  register_relabel_commands(app, ctx);
  register_collect_commands(app, ctx);
  register_tokens_command(app, ctx);
  register_eval_commands(app, ctx);
  register_student_commands(app, ctx);
  register_finetune_commands(app, ctx);
  register_quickstart_command(app, ctx);
  register_serve_command(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "picktune: %s\n", e.what());
    return 2;
  }
  if (!ctx.action) {
    std::fprintf(stderr, "picktune: nothing to do (see --help)\n");
    return 2;
  }
  pt::Result<void> result = ctx.action();
  std::fflush(stdout);
  if (!result.ok()) {
    std::fprintf(stderr, "picktune: %s\n", result.error().message.c_str());
    return static_cast<int>(result.error().kind);
  }
  return 0;
}
