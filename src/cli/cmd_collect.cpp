// CLI: collect --teacher M … — parses the flags of docs/formats.md#tuning-records / issue 5 into CollectFlags and runs
// pipeline/collect (the join, records, split, manifest all live there).
#include <cstdio>

#include "cli/commands.h"
#include "pipeline/collect/collect.h"
#include "pipeline/collect/collect_options.h"
#include "report/collect_summary.h"
#include "util/progress.h"

namespace pt::cli {

void register_collect_commands(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<CollectFlags>();
  auto* cmd = app.add_subcommand("collect", "join traces with a teacher's relabels and write tuning data");
  cmd->add_option("--teacher", flags->teacher, "relabel model id whose answers become the model turns")->required();
  cmd->add_option("-o,--output", flags->output,
                  "output prefix NAME: NAME.jsonl, NAME-validation.jsonl, NAME.manifest.json");
  cmd->add_option("--format", flags->format, "gemini (Vertex supervised tuning) or openai (chat)");
  cmd->add_option("--kinds", flags->kinds, "request kinds to keep: Key,Non-Obvious");
  cmd->add_option("--top-k", flags->top_k, "keep the teacher's first K files");
  cmd->add_flag("--stop-dashes", flags->stop_dashes,
                "end each answer with three lines of dashes (and say so in the prompt)");
  cmd->add_flag("--blobbify-history", flags->blobbify_history,
                "earlier assistant turns become <previous_assistant_message> user turns");
  cmd->add_flag("--with-context", flags->with_context, "use relabels made with file context");
  cmd->add_option("--validation-fraction", flags->validation_fraction, "fraction (0..1) sent to NAME-validation.jsonl");
  cmd->add_option("--split-by", flags->split_by, "hash key of the split: step (default), user or trace");
  cmd->add_option("--seed", flags->seed, "mixed into the split hash");
  add_window_flags(cmd, flags->since, flags->until);
  cmd->add_option("--recipe", flags->recipe, "take the options from a finetune of data/finetunes.json");
  cmd->add_option("--epochs", flags->epochs, "epochs for the cost estimate (default: the recipe's, else 1)");
  cmd->add_option("--price-per-mtok", flags->price_per_mtok, "tuning price per 1M tokens (default 3.00)");
  cmd->add_option("--threads", flags->threads, "threads working on traces (default: one per core, at most 8)")
      ->check(CLI::Range(1, 256));
  cmd->callback([&ctx, flags] {
    ctx.action = [&ctx, flags]() -> Result<void> {
      PT_ASSIGN_OR_RETURN(auto options, resolve_collect_options(*flags));
      options.diagnostics = &ctx.diagnostics;
      PT_ASSIGN_OR_RETURN(auto store, open_store(ctx.store_options()));
      ProgressPrinter progress(stderr, "collect", "traces", is_terminal(stderr));
      options.progress = &progress;
      PT_ASSIGN_OR_RETURN(auto summary, run_collect(*store, options));
      std::fputs(collect_summary_text(options, summary).c_str(), stdout);
      return ok();
    };
  });
}

}  // namespace pt::cli
