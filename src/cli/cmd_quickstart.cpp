// CLI: quickstart, the main job on the embedded default store (see pipeline/quickstart/quickstart.h).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "cli/commands.h"
#include "pipeline/quickstart/quickstart.h"
#include "report/html_report.h"
#include "report/next_steps.h"
#include "report/quickstart_output.h"
#include "util/atomic_file.h"
#include "util/progress.h"

namespace pt::cli {
namespace {

// Whether `picktune` found on PATH is this very binary (a symlink to it counts).
bool on_path(const std::filesystem::path& self) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::error_code ec;
    std::filesystem::path candidate = std::filesystem::path(dir) / "picktune";
    if (::access(candidate.c_str(), X_OK) != 0) continue;
    return std::filesystem::equivalent(candidate, self, ec);  // the first one found is what runs
  }
  return false;
}

}  // namespace

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
      o.command = ctx.command_line;
      ProgressPrinter fit_progress(stderr, "student train: fit", "trees built", is_terminal(stderr));
      o.fit_progress = &fit_progress;
      QuickstartPrinter printer(stdout, o.holdout_newest);
      // quickstart narrates on stdout; its warnings go there too, indented under their step
      Diagnostics diagnostics([](const Diagnostic& d) { std::printf("  warning: %s\n", d.message.c_str()); });
      o.observer = &printer;
      o.diagnostics = &diagnostics;
      PT_ASSIGN_OR_RETURN(QuickstartResult r, run_quickstart(o));
      PT_TRY(write_file_atomic(r.paths.report, render_html_report(r.scored)));
      std::fputs(format_quickstart_times(r).c_str(), stdout);
      std::error_code ec;
      NextStepsInput next;
      next.out_dir = o.out_dir;
      next.paths = r.paths;
      next.report_abs = std::filesystem::absolute(r.paths.report, ec).string();
      next.binary = std::filesystem::read_symlink("/proc/self/exe", ec).string();
      next.on_path = on_path(next.binary);
      std::fputs(render_next_steps(next).c_str(), stdout);
      return ok();
    };
  });
}

}  // namespace pt::cli
