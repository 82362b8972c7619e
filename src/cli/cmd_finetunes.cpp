// CLI: finetunes list/show/costs/check/diff (the registry) and tune submit/status/wait.
// Flags are parsed here; the work is done in src/pipeline/registry_file and tune_jobs.
#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.h"
#include "pipeline/registry_file.h"

namespace pt::cli {
namespace {

struct FinetuneFlags {
  std::string registry;
  bool json = false;
  bool strict = false;
  double price = 3.00;
  std::string id, other;
};

Result<void> print(Result<std::string> text) {
  if (!text.ok()) return text.error();
  std::fputs(text->c_str(), stdout);
  return ok();
}

Result<Registry> load(const FinetuneFlags& f) { return load_registry(f.registry.empty() ? default_registry_path() : f.registry); }

}  // namespace

void register_finetune_commands(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<FinetuneFlags>();
  auto* ft = app.add_subcommand("finetunes", "the finetune registry (data/finetunes.json)");
  ft->require_subcommand(1);
  ft->add_option("--registry", flags->registry, "registry file (default data/finetunes.json, env PICKTUNE_REGISTRY)");
  auto* list = ft->add_subcommand("list", "table of every finetune");
  list->add_flag("--json", flags->json, "one JSON object per line");
  list->callback([&ctx, flags] {
    ctx.action = [flags]() -> Result<void> {
      PT_ASSIGN_OR_RETURN(auto reg, load(*flags));
      return print(render_finetune_list(reg, {flags->price}, flags->json));
    };
  });
  auto* show = ft->add_subcommand("show", "everything about one finetune, with its notes");
  show->add_option("ID", flags->id, "finetune id")->required();
  show->add_flag("--json", flags->json, "as JSON");
  show->callback([&ctx, flags] {
    ctx.action = [flags]() -> Result<void> {
      PT_ASSIGN_OR_RETURN(auto reg, load(*flags));
      return print(render_finetune_show(reg, flags->id, flags->json));
    };
  });
  auto* costs = ft->add_subcommand("costs", "recomputed tuning cost next to the cost as written");
  costs->add_flag("--json", flags->json, "one JSON object per line");
  costs->add_option("--price-per-mtok", flags->price, "tuning price per 1M tokens (default 3.00)")->check(CLI::PositiveNumber);
  costs->callback([&ctx, flags] {
    ctx.action = [flags]() -> Result<void> {
      PT_ASSIGN_OR_RETURN(auto reg, load(*flags));
      return print(render_finetune_costs(reg, {flags->price}, flags->json));
    };
  });
  auto* check = ft->add_subcommand("check", "list inconsistencies in the registry");
  check->add_flag("--strict", flags->strict, "exit 1 when anything is found");
  check->add_flag("--json", flags->json, "one JSON object per finding");
  check->callback([&ctx, flags] {
    ctx.action = [flags]() -> Result<void> {
      PT_ASSIGN_OR_RETURN(auto reg, load(*flags));
      auto findings = check_registry(reg);
      PT_TRY(print(render_findings(findings, flags->json)));
      if (flags->strict && !findings.empty())
        return runtime_error(fmt::format("finetunes check: {} inconsistencies (--strict)", findings.size()));
      return ok();
    };
  });
  auto* diff = ft->add_subcommand("diff", "what changed between two finetunes");
  diff->add_option("A", flags->id, "first finetune id")->required();
  diff->add_option("B", flags->other, "second finetune id")->required();
  diff->add_flag("--json", flags->json, "one JSON object per changed field");
  diff->callback([&ctx, flags] {
    ctx.action = [flags]() -> Result<void> {
      PT_ASSIGN_OR_RETURN(auto reg, load(*flags));
      return print(render_finetune_diff(reg, flags->id, flags->other, flags->json));
    };
  });
}

}  // namespace pt::cli
