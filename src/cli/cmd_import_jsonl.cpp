// CLI: `import jsonl FILE… [--table traces|relabels] [--skip-bad] [--batch-size N]`.
// Parses flags and runs pipeline/import_jsonl; prints the summary ("N new, M updated, K unchanged").
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "pipeline/import/import_jsonl.h"
#include "report/import_summary.h"
#include "util/progress.h"

namespace pt::cli {

namespace {
constexpr const char* kImportHelp =
    "load JSONL rows (files, - for stdin, .zst) into the store, upserting by id.\n"
    "Each line is a traces row (has \"type\") or a relabels row (has \"model\"). Rows are written in\n"
    "transactions of --batch-size rows. A bad line stops the import with FILE:LINE: reason; the\n"
    "batch it is in is not written, batches committed before it stay, and re-running after fixing\n"
    "the line adds only the rows that are missing (nothing is added twice). --skip-bad skips bad\n"
    "lines instead and prints how many and which.";
}

void register_import_jsonl(CLI::App& import_cmd, Context& ctx) {
  struct Flags {
    std::vector<std::string> files;
    std::string table;
    bool skip_bad = false;
    size_t batch_size = 100000;
  };
  auto flags = std::make_shared<Flags>();
  auto* cmd = import_cmd.add_subcommand("jsonl", kImportHelp);
  cmd->add_option("files", flags->files, "JSONL files ('-' for stdin; zstd-compressed input is detected)")->required();
  cmd->add_option("--table", flags->table, "treat every row as this table")
      ->check(CLI::IsMember({"traces", "relabels"}));
  cmd->add_flag("--skip-bad", flags->skip_bad, "skip malformed lines, count them and print a summary");
  cmd->add_option("--batch-size", flags->batch_size,
                  "rows per transaction (default 100000; at most 10000 on stores other than sqlite)")
      ->check(CLI::PositiveNumber);
  cmd->callback([flags, &ctx] {
    ctx.action = [flags, &ctx]() -> Result<void> {
      ImportJsonlOptions o;
      o.files = flags->files;
      if (!flags->table.empty()) o.table = flags->table == "traces" ? Table::traces : Table::relabels;
      o.skip_bad = flags->skip_bad;
      o.batch_size = flags->batch_size;
      PT_ASSIGN_OR_RETURN(auto store, open_store(ctx.store_options()));
      ProgressPrinter progress(stderr, "import jsonl", "rows", is_terminal(stderr));
      o.on_progress = [&progress](int64_t rows) { progress.update(rows, 0); };
      PT_ASSIGN_OR_RETURN(ImportJsonlReport report, import_jsonl(*store, o));
      progress.finish(report.rows);
      std::printf("%s\n", import_summary(report, store->describe()).c_str());
      return ok();
    };
  });
}

}  // namespace pt::cli
