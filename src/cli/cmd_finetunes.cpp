// CLI: finetunes list/show/costs/check/diff (the registry) and tune submit/status/wait.
// Flags are parsed here; the work is done in src/pipeline/registry_file and tune_jobs.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"
#include "pipeline/registry/registry_file.h"
#include "pipeline/tune/tune_jobs.h"
#include "report/finetune_views.h"
#include "util/time.h"

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

struct TuneFlags {
  TuneSubmitOptions submit;
  std::string recipe, registry, id;
  std::optional<int64_t> epochs;
  std::string adapter_size;
  std::optional<double> lr;
  double poll_s = 30, timeout_s = 86400;
};

std::string today() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return format_rfc3339(std::chrono::duration_cast<std::chrono::microseconds>(now).count()).substr(0, 10);
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

void print_state(const std::string& id, const TuneJobState& s) {
  std::fprintf(stderr, "%s: %s (%s)%s%s\n", id.c_str(), s.state.c_str(), s.provider_state.c_str(),
               s.endpoint_id.empty() ? "" : " endpoint ", s.endpoint_id.c_str());
}

// A command group of `picktune`: one subcommand required, and --registry for all of them.
CLI::App* add_registry_group(CLI::App& app, const std::string& name, const std::string& about, std::string& registry) {
  auto* group = app.add_subcommand(name, about);
  group->require_subcommand(1);
  add_registry_flag(group, registry);
  return group;
}

// --registry as given, else the default registry file.
std::string registry_path(const std::string& flag) { return flag.empty() ? default_registry_path() : flag; }

void register_tune_commands(CLI::App& app, Context& ctx) {
  auto t = std::make_shared<TuneFlags>();
  auto* tune = add_registry_group(app, "tune", "submit and track tuning jobs (Vertex AI, OpenAI)", t->registry);
  auto* submit = tune->add_subcommand("submit", "upload the data, create the job, record a pending registry entry");
  submit->add_option("--recipe", t->recipe, "take data files and recipe from this registry entry");
  submit->add_option("--train", t->submit.train_file, "training JSONL (its PREFIX.manifest.json gives samples/tokens)");
  submit->add_option("--validation", t->submit.validation_file, "validation JSONL");
  submit->add_option("--data-dir", t->submit.data_dir, "where a recipe's file names are found (default .)");
  submit->add_option("--provider", t->submit.provider, "vertex or openai")
      ->required()
      ->check(CLI::IsMember({"vertex", "openai"}));
  submit->add_option("--epochs", t->epochs, "epoch count")->check(CLI::PositiveNumber);
  submit->add_option("--adapter-size", t->adapter_size, "Vertex adapter size: 1, 4, 8, 16, 32 or max");
  submit->add_option("--lr-multiplier", t->lr, "learning-rate multiplier")->check(CLI::PositiveNumber);
  submit->add_option("--base-model", t->submit.base_model,
                     "base model (default: the recipe's, else gemini-2.0-flash-001 / gpt-4.1-mini)");
  submit->add_option(
      "--teacher", t->submit.teacher,
      "teacher recorded in the registry (default: the manifest's; required when it and the recipe's differ)");
  submit->add_option("--bucket", t->submit.bucket, "Vertex: GCS bucket for the data (env PICKTUNE_GCS_BUCKET)");
  submit->add_option("--project", t->submit.project,
                     "Vertex: project (env VERTEX_PROJECT, else the service account's)");
  submit->add_option("--location", t->submit.location, "Vertex: location (env VERTEX_LOCATION, default us-central1)");
  submit->add_option("--id", t->submit.new_id, "registry id of the new finetune")->required();
  submit->callback([&ctx, t] {
    ctx.action = [&ctx, t]() -> Result<void> {
      TuneSubmitOptions o = t->submit;
      o.diagnostics = &ctx.diagnostics;
      o.registry_path = registry_path(t->registry);
      if (!t->recipe.empty()) o.recipe = t->recipe;
      o.epochs = t->epochs;
      if (!t->adapter_size.empty()) o.adapter_size = t->adapter_size;
      o.lr_multiplier = t->lr;
      if (o.bucket.empty()) o.bucket = env_or_empty("PICKTUNE_GCS_BUCKET");
      o.today = today();
      PT_ASSIGN_OR_RETURN(Finetune f, tune_submit(o));
      std::printf("submitted %s: %s job %s (pending); track it with `picktune tune wait %s`\n", f.id.c_str(),
                  f.provider->c_str(), f.job_name->c_str(), f.id.c_str());
      return ok();
    };
  });
  auto* status = tune->add_subcommand("status", "poll a job once and update the registry");
  status->add_option("ID", t->id, "finetune id")->required();
  status->callback([&ctx, t] {
    ctx.action = [t]() -> Result<void> {
      PT_ASSIGN_OR_RETURN(TuneJobState s, tune_status(registry_path(t->registry), t->id));
      std::printf("%s: %s (%s)%s%s%s\n", t->id.c_str(), s.state.c_str(), s.provider_state.c_str(),
                  s.endpoint_id.empty() ? "" : " endpoint ", s.endpoint_id.c_str(),
                  s.error.empty() ? "" : (" error: " + s.error).c_str());
      return ok();
    };
  });
  auto* wait = tune->add_subcommand("wait", "poll with backoff until the job ends; record the endpoint");
  wait->add_option("ID", t->id, "finetune id")->required();
  wait->add_option("--poll", t->poll_s, "first poll interval in seconds (doubles up to 60)")
      ->check(CLI::PositiveNumber);
  wait->add_option("--timeout", t->timeout_s, "give up after this many seconds")->check(CLI::PositiveNumber);
  wait->callback([&ctx, t] {
    ctx.action = [t]() -> Result<void> {
      PT_ASSIGN_OR_RETURN(TuneJobState s, tune_wait(registry_path(t->registry), t->id, t->poll_s, t->timeout_s,
                                                    [&](const TuneJobState& st) { print_state(t->id, st); }));
      std::printf("%s succeeded: %s%s\n", t->id.c_str(), s.endpoint_id.empty() ? "model " : "endpoint ",
                  s.endpoint_id.empty() ? s.tuned_model.c_str() : s.endpoint_id.c_str());
      return ok();
    };
  });
}

Result<Registry> load(const FinetuneFlags& f) { return load_registry(registry_path(f.registry)); }

}  // namespace

void register_finetune_commands(CLI::App& app, Context& ctx) {
  register_tune_commands(app, ctx);
  auto flags = std::make_shared<FinetuneFlags>();
  auto* ft = add_registry_group(app, "finetunes", "the finetune registry (data/finetunes.json)", flags->registry);
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
  costs->add_option("--price-per-mtok", flags->price, "tuning price per 1M tokens (default 3.00)")
      ->check(CLI::PositiveNumber);
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
