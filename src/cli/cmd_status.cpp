// CLI: `status` (what the store holds) and `prune --before DATE [--dry-run]` (delete older rows in
// one transaction). Both refuse a store that does not exist; the work is in pipeline/status.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "pipeline/status/store_status.h"
#include "report/store_status_text.h"
#include "util/time.h"

namespace pt::cli {

void register_status_commands(CLI::App& app, Context& ctx) {
  auto* status = app.add_subcommand(
      "status", "what the store holds: traces by type and kind, relabels by teacher with coverage, students, size");
  status->callback([&ctx] {
    ctx.action = [&ctx]() -> Result<void> {
      PT_ASSIGN_OR_RETURN(auto store, open_store(ctx.read_store_options()));
      PT_ASSIGN_OR_RETURN(StoreStatus s, store_status(*store));
      std::fputs(render_store_status(s).c_str(), stdout);
      return ok();
    };
  });

  struct PruneFlags {
    std::string before;
    bool dry_run = false;
  };
  auto flags = std::make_shared<PruneFlags>();
  auto* prune =
      app.add_subcommand("prune", "delete the traces and relabels created before a date, all in one transaction");
  prune->add_option("--before", flags->before, "delete rows created before D: RFC 3339 time or YYYY-MM-DD (UTC)")
      ->required();
  prune->add_flag("--dry-run", flags->dry_run, "only count what would be deleted");
  prune->callback([&ctx, flags] {
    ctx.action = [&ctx, flags]() -> Result<void> {
      PT_ASSIGN_OR_RETURN(std::optional<int64_t> before, parse_time_filter("--before", flags->before));
      if (!before) return usage_error("--before needs a date (RFC 3339 or YYYY-MM-DD)");
      PT_ASSIGN_OR_RETURN(auto store, open_store(ctx.read_store_options()));
      PT_ASSIGN_OR_RETURN(PruneReport r, prune_store(*store, *before, flags->dry_run));
      std::fputs(render_prune_report(r).c_str(), stdout);
      return ok();
    };
  });
}

}  // namespace pt::cli
