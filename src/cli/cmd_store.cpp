// CLI: `init`, `export traces|relabels`, `traces [show ID]` and `relabels [show ID]` (docs/formats.md#cli-contract).
// Flags are parsed into filter structs here; the work is in pipeline/export_rows and pipeline/listing. `init` creates
// the store; the reading commands (export, traces, relabels) refuse a missing one.
#include <cstdio>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "cli/commands.h"
#include "pipeline/export/export_rows.h"
#include "pipeline/export/listing.h"
#include "pipeline/export/row_detail.h"
#include "report/listing_table.h"
#include "report/row_detail_text.h"
#include "util/time.h"

namespace pt::cli {
namespace {

struct FilterFlags {
  std::string type, model, user, step, kind, since, until;
  std::optional<int64_t> limit;  // unset: the command's default
};

void add_filter_flags(CLI::App* cmd, FilterFlags& f, bool traces, bool relabels, int64_t default_limit) {
  if (traces) cmd->add_option("--type", f.type, "traces of this type only (e.g. get-relevant-files)");
  if (relabels) cmd->add_option("--model", f.model, "relabels of this model id only (e.g. truth)");
  cmd->add_option("--user", f.user, "rows of this user_id only");
  cmd->add_option("--step", f.step, "rows of this agent_step_id only");
  cmd->add_option("--kind", f.kind, "request kind (payload.request_type): Key or Non-Obvious");
  add_window_flags(cmd, f.since, f.until, "rows");
  cmd->add_option("--limit", f.limit,
                  default_limit > 0 ? fmt::format("at most N rows, newest first (default {}; 0 = all)", default_limit)
                                    : std::string("at most N rows, newest first (default: all)"))
      ->check(non_negative_count());
}

Result<RowFilter> to_filter(const FilterFlags& f, Table table, int64_t default_limit) {
  RowFilter out;
  if (!f.type.empty()) {
    if (table != Table::traces) return usage_error("--type applies to traces (use --model for relabels)");
    out.type = f.type;
  }
  if (!f.model.empty()) {
    if (table != Table::relabels) return usage_error("--model applies to relabels (use --type for traces)");
    out.model = f.model;
  }
  if (!f.user.empty()) out.user_id = f.user;
  if (!f.step.empty()) out.agent_step_id = f.step;
  if (!f.kind.empty()) {
    PT_ASSIGN_OR_RETURN(out.request_kind, parse_request_kind(f.kind, "--kind"));
  }
  PT_ASSIGN_OR_RETURN(out.since_us, parse_time_filter("--since", f.since));
  PT_ASSIGN_OR_RETURN(out.until_us, parse_time_filter("--until", f.until));
  int64_t limit = f.limit.value_or(default_limit);
  if (limit < 0) return usage_error("--limit must be 0 (all) or more");
  if (limit > 0) out.limit = limit;
  return out;
}

Table table_of(const std::string& name) { return name == "relabels" ? Table::relabels : Table::traces; }

void register_init(CLI::App& app, Context& ctx) {
  auto* cmd =
      app.add_subcommand("init", "create the schema in the chosen store (idempotent; other commands also create it)");
  cmd->callback([&ctx] {
    ctx.action = [&ctx]() -> Result<void> {
      PT_ASSIGN_OR_RETURN(auto store, open_store(ctx.store_options()));
      PT_TRY(store->init());
      PT_ASSIGN_OR_RETURN(int64_t traces, store->count(Table::traces, {}));
      PT_ASSIGN_OR_RETURN(int64_t relabels, store->count(Table::relabels, {}));
      std::printf("%s is ready: %lld traces, %lld relabels\n", store->describe().c_str(),
                  static_cast<long long>(traces), static_cast<long long>(relabels));
      return ok();
    };
  });
}

void register_export(CLI::App& app, Context& ctx) {
  struct Flags {
    std::string table;
    FilterFlags filter;
    std::string output;
  };
  auto flags = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand(
      "export", "write rows as JSONL (docs/formats.md#rows columns), newest first, to stdout or -o FILE");
  cmd->add_option("table", flags->table, "traces or relabels")
      ->required()
      ->check(CLI::IsMember({"traces", "relabels"}));
  add_filter_flags(cmd, flags->filter, true, true, 0);
  cmd->add_option("-o,--output", flags->output, "write to FILE (appears whole or not at all) instead of stdout");
  cmd->callback([flags, &ctx] {
    ctx.action = [flags, &ctx]() -> Result<void> {
      ExportOptions o;
      o.table = table_of(flags->table);
      PT_ASSIGN_OR_RETURN(o.filter, to_filter(flags->filter, o.table, 0));
      o.output = flags->output;
      PT_ASSIGN_OR_RETURN(auto store, open_store(ctx.read_store_options()));
      PT_ASSIGN_OR_RETURN(int64_t rows, export_rows(*store, o, stdout));
      if (!o.output.empty() && o.output != "-")
        std::fprintf(stderr, "picktune: wrote %lld %s to %s\n", static_cast<long long>(rows), flags->table.c_str(),
                     o.output.c_str());
      return ok();
    };
  });
}

void register_listing(CLI::App& app, Context& ctx, Table table) {
  struct Flags {
    FilterFlags filter;
    bool json = false;
  };
  auto flags = std::make_shared<Flags>();
  const bool traces = table == Table::traces;
  auto* cmd = app.add_subcommand(
      std::string(table_name(table)),
      traces ? "list traces, newest first: time, type, agent step, request kind, request, picked files"
             : "list relabels, newest first: time, model, agent step, request kind, files");
  add_filter_flags(cmd, flags->filter, traces, !traces, 10);
  cmd->add_flag("--json", flags->json, "print rows as stored, one JSON object per line (docs/formats.md#rows columns)");
  auto show_id = std::make_shared<std::string>();
  auto* show = cmd->add_subcommand(
      "show", traces ? "one trace in full, with the production answer and each relabel answering it side by side"
                     : "one relabel in full (files, tokens, cost) and the trace it answers");
  show->add_option("ID", *show_id, traces ? "trace id" : "relabel id")->required();
  show->callback([show_id, table, &ctx] {
    ctx.action = [show_id, table, &ctx]() -> Result<void> {
      PT_ASSIGN_OR_RETURN(auto store, open_store(ctx.read_store_options()));
      if (table == Table::traces) {
        PT_ASSIGN_OR_RETURN(TraceDetail d, show_trace(*store, *show_id));
        std::fputs(render_trace_detail(d).c_str(), stdout);
      } else {
        PT_ASSIGN_OR_RETURN(RelabelShow d, show_relabel(*store, *show_id));
        std::fputs(render_relabel_detail(d).c_str(), stdout);
      }
      return ok();
    };
  });
  cmd->callback([flags, table, show, &ctx] {
    if (show->parsed()) return;  // `traces show ID` set the action
    ctx.action = [flags, table, &ctx]() -> Result<void> {
      ListOptions o;
      o.table = table;
      o.json = flags->json;
      PT_ASSIGN_OR_RETURN(o.filter, to_filter(flags->filter, table, 10));
      PT_ASSIGN_OR_RETURN(auto store, open_store(ctx.read_store_options()));
      if (o.json) return write_listing_jsonl(*store, o, stdout);
      PT_ASSIGN_OR_RETURN(Listing listing, list_rows(*store, o));
      std::fputs(render_listing_table(listing).c_str(), stdout);
      return ok();
    };
  });
}

}  // namespace

void register_store_commands(CLI::App& app, Context& ctx) {
  register_init(app, ctx);
  register_export(app, ctx);
  register_listing(app, ctx, Table::traces);
  register_listing(app, ctx, Table::relabels);
}

}  // namespace pt::cli
