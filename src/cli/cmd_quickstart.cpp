// CLI: quickstart, the main job on the embedded default store (see pipeline/quickstart/quickstart.h).
#include "cli/commands.h"
#include "pipeline/quickstart/quickstart.h"
#include "report/html_report.h"
#include "report/quickstart_output.h"
#include "util/atomic_file.h"

namespace pt::cli {

void register_quickstart_command(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<QuickstartOptions>();
  auto* cmd = app.add_subcommand("quickstart",
                                 "the whole loop offline on a git history: import, relabel (local:bm25), collect, "
                                 "train the student, eval relabel, score against truth, report.html");
  cmd->add_option("--repo", opts->repo, "git repository or bundle (default: data/sample/express.bundle)");
  cmd->add_option("-o,--output", opts->out_dir,
                  "directory for the store, data, model and report (default picktune-out)");
  cmd->add_option("--holdout-newest", opts->holdout_newest, "newest fraction held out for evaluation (default 0.2)")
      ->check(CLI::Range(0.01, 0.9));
  cmd->callback([&ctx, opts] {
    ctx.action = [&ctx, opts]() -> Result<void> {
      QuickstartOptions o = *opts;
      o.store_uri = ctx.store_uri;
      QuickstartPrinter printer(stdout, o.holdout_newest);
      // quickstart narrates on stdout; its warnings go there too, indented under their step
      Diagnostics diagnostics([](const Diagnostic& d) { std::printf("  warning: %s\n", d.message.c_str()); });
      o.observer = &printer;
      o.diagnostics = &diagnostics;
      PT_ASSIGN_OR_RETURN(QuickstartResult r, run_quickstart(o));
      PT_TRY(write_file_atomic(r.paths.report, render_html_report(r.scored)));
      std::fputs(render_quickstart_done(r.paths).c_str(), stdout);
      return ok();
    };
  });
}

}  // namespace pt::cli
