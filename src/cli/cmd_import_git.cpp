// CLI: import git REPO_OR_BUNDLE [--max N] [--since DATE] [--max-files-changed N] [--with-file-context
// [--file-context-bytes N]].
// (Flags are parsed here; the work is done in pipeline/import_git.)
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "pipeline/import/import_git.h"
#include "report/import_summary.h"
#include "util/progress.h"
#include "util/time.h"

namespace pt::cli {

void register_import_git(CLI::App& import_cmd, Context& ctx) {
  struct Flags {
    ImportGitOptions options;
    int64_t max = 0;
    std::string since;
  };
  auto flags = std::make_shared<Flags>();
  auto* cmd = import_cmd.add_subcommand(
      "git", "turn a git history into get-relevant-files traces with ground-truth relabels (model truth)");
  cmd->add_option("REPO_OR_BUNDLE", flags->options.source, "repository directory or bundle file")->required();
  cmd->add_option("--max", flags->max, "keep only the N newest eligible commits (by commit time)");
  cmd->add_option("--since", flags->since, "skip commits older than DATE (YYYY-MM-DD or RFC 3339)");
  cmd->add_option("--max-files-changed", flags->options.max_files_changed, "skip commits changing more files than this")
      ->capture_default_str();
  cmd->add_flag("--with-file-context", flags->options.with_file_context,
                "also store, per trace, the parent-tree contents of the files local:bm25 ranks first (the blobs "
                "relabel --with-context gives the teacher)");
  cmd->add_option("--file-context-bytes", flags->options.file_context.max_bytes,
                  "--with-file-context: at most this many bytes of whole files per trace")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1} << 30));
  cmd->add_option("--rev", flags->options.rev, "walk the history reachable from this revision")->capture_default_str();
  cmd->callback([flags, cmd, &ctx] {
    ctx.action = [flags, cmd, &ctx]() -> Result<void> {
      ImportGitOptions options = flags->options;
      if (cmd->count("--max")) options.max = flags->max;
      PT_ASSIGN_OR_RETURN(options.since_us, parse_time_filter("--since", flags->since));
      PT_ASSIGN_OR_RETURN(auto store, open_store(ctx.store_options()));
      PT_TRY(store->init());
      ProgressPrinter progress(stderr, "import git", "commits", is_terminal(stderr));
      options.progress = &progress;
      PT_ASSIGN_OR_RETURN(ImportGitStats stats, import_git(*store, options));
      std::fputs(format_import_git_summary(stats).c_str(), stdout);
      return ok();
    };
  });
}

}  // namespace pt::cli
