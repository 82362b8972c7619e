// CLI: `eval score` and `eval relabel` (docs/formats.md#metrics, #eval-json). Flags are parsed here into the options of
// pipeline/eval_score and pipeline/eval_relabel; warnings reach stderr through ctx.diagnostics, the table or --json to
// stdout, and --report writes report.html atomically.
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.h"
#include "pipeline/eval/eval_relabel.h"
#include "pipeline/eval/eval_score.h"
#include "report/eval_output.h"
#include "report/html_report.h"
#include "report/relabel_progress.h"
#include "report/relabel_summary.h"
#include "util/atomic_file.h"
#include "util/time.h"

namespace pt::cli {
namespace {

struct ScoreFlags {
  std::vector<std::string> models;
  std::string reference, since, until, report;
  std::optional<double> newest;
  bool json = false;
  EvalScoreOptions options;
};

Result<void> run_score(Context& ctx, ScoreFlags& f) {
  EvalScoreOptions& o = f.options;
  o.models = f.models;
  o.reference = f.reference;
  o.newest = f.newest;
  PT_ASSIGN_OR_RETURN(o.since_us, parse_time_filter("--since", f.since));
  PT_ASSIGN_OR_RETURN(o.until_us, parse_time_filter("--until", f.until));
  o.diagnostics = &ctx.diagnostics;
  PT_ASSIGN_OR_RETURN(auto store, open_store(ctx.read_store_options()));
  PT_ASSIGN_OR_RETURN(EvalSummary summary, run_eval_score(*store, o));
  if (f.json)
    std::printf("%s\n", eval_json(summary).c_str());
  else
    std::fputs(eval_table(summary).c_str(), stdout);
  if (!f.report.empty()) {
    PT_TRY(write_file_atomic(f.report, render_html_report(summary)));
    std::fprintf(f.json ? stderr : stdout, "%sreport: %s\n", f.json ? "picktune: " : "\n", f.report.c_str());
  }
  return ok();
}

void register_score(CLI::App& eval, Context& ctx) {
  auto f = std::make_shared<ScoreFlags>();
  auto* cmd = eval.add_subcommand("score", "score models' stored answers against a reference (a teacher, or truth)");
  cmd->add_option("--models", f->models, "model ids as stored in relabels, comma-separated")
      ->required()
      ->delimiter(',');
  cmd->add_option("--reference", f->reference, "reference model id: a teacher, or truth (from import git)")->required();
  cmd->add_option("--newest", f->newest,
                  "only the newest fraction F (0 < F <= 1) of the selected traces, by created_at");
  cmd->add_option("--since", f->since, "traces created at or after this time (RFC 3339 or YYYY-MM-DD)");
  cmd->add_option("--until", f->until, "traces created before this time");
  cmd->add_flag("--json", f->json, "print one JSON object (docs/formats.md#eval-json schema, full precision)");
  cmd->add_option("--report,-o,--output", f->report, "write the HTML report to FILE (atomically)");
  cmd->add_option("--bootstrap", f->options.bootstrap.resamples, "bootstrap resamples for the 95% CIs")
      ->capture_default_str();
  cmd->add_option("--seed", f->options.bootstrap.seed, "bootstrap seed")->capture_default_str();
  cmd->add_option("--examples", f->options.examples, "traces shown side by side in the report")->capture_default_str();
  cmd->add_flag("--union", f->options.union_of_answers,
                "score each model on every trace it answered (default: only the traces every model answered)");
  cmd->add_flag("--allow-training-overlap", f->options.allow_training_overlap,
                "score a student on traces it trained on; every output marks its figures IN-SAMPLE");
  cmd->callback([&ctx, f] { ctx.action = [&ctx, f] { return run_score(ctx, *f); }; });
}

struct RelabelFlags {
  std::vector<std::string> models;
  std::string split, since, until, base_url, price_as, progress = "auto";
  std::optional<double> newest, budget;
  std::optional<int64_t> limit;
  double timeout_s = 120;
  EvalRelabelOptions options;
};

Result<void> run_relabel_cmd(Context& ctx, RelabelFlags& f) {
  EvalRelabelOptions& o = f.options;
  o.models = f.models;
  if (!f.split.empty()) o.split_file = f.split;
  o.newest = f.newest;
  o.limit = f.limit;
  PT_ASSIGN_OR_RETURN(o.since_us, parse_time_filter("--since", f.since));
  PT_ASSIGN_OR_RETURN(o.until_us, parse_time_filter("--until", f.until));
  o.relabel.budget_usd = f.budget;
  o.relabel.timeout_ms = static_cast<int64_t>(f.timeout_s * 1000);
  o.relabel.max_output_tokens = o.model.max_output_tokens;
  if (f.progress != "none")
    o.relabel.on_progress = RelabelProgressBar(stderr, f.progress == "bar" ? 1 : f.progress == "plain" ? 0 : -1, 10);
  o.relabel.diagnostics = &ctx.diagnostics;
  o.model.offline = o.relabel.dry_run;  // a dry run sends nothing: no key needed
  o.model.base_url = f.base_url;
  o.model.price_as = f.price_as;
  PT_ASSIGN_OR_RETURN(auto store, open_store(ctx.store_options()));
  StopSignals signals;
  o.relabel.stop_requests = signals.counter();
  bool auth_failed = false;
  std::vector<std::string> failed;
  PT_ASSIGN_OR_RETURN(EvalRelabelResult result, run_eval_relabel(*store, o, [&](const EvalRelabelRun& run) {
                        std::printf("== %s%s\n", run.model.c_str(),
                                    run.resolved == run.model ? "" : (" (" + run.resolved + ")").c_str());
                        std::fputs(render_relabel_summary(run.summary, o.relabel).c_str(), stdout);
                        auth_failed |= run.summary.stopped_by_auth;
                        if (run.summary.failed > 0)
                          failed.push_back(fmt::format("{} ({} failed)", run.model, run.summary.failed));
                      }));
  for (const auto& w : result.warnings) std::fprintf(stderr, "picktune: warning: %s\n", w.c_str());
  std::printf("eval relabel: %zu model(s) on %s\n", result.runs.size(), result.selection.c_str());
  if (auth_failed) return runtime_error("a candidate's provider rejected the credentials (HTTP 401/403)");
  if (!failed.empty())
    return runtime_error(
        fmt::format("calls failed permanently for {} (reasons and ids in the summary above; "
                    "rerun to retry only those)",
                    fmt::join(failed, ", ")));
  return ok();
}

void register_relabel(CLI::App& eval, Context& ctx) {
  auto f = std::make_shared<RelabelFlags>();
  RelabelOptions& r = f->options.relabel;
  auto* cmd = eval.add_subcommand("relabel", "run held-out traces through candidate models and store their answers");
  cmd->footer(
      "\nCandidates: provider ids (vertex:ID, gemini:NAME, openai:NAME, anthropic:NAME, local:bm25, "
      "local:student@PATH) or registry ids (ft_filepicker_008: called at vertex:ENDPOINT, stored as given).\n"
      "Resumable like relabel: answers already stored for a trace are not requested again.");
  cmd->add_option("--models", f->models, "candidate model ids, comma-separated")->required()->delimiter(',');
  cmd->add_option("--split", f->split,
                  "the validation side of a collect split: NAME-validation.jsonl (NAME.manifest.json beside it)");
  cmd->add_option("--newest", f->newest, "only the newest fraction F (0 < F <= 1) of the traces, by created_at");
  cmd->add_option("--since", f->since, "created_at >= DATE (RFC 3339 or YYYY-MM-DD)");
  cmd->add_option("--until", f->until, "created_at < DATE");
  cmd->add_option("--limit", f->limit, "at most the newest N selected traces")->check(non_negative_count());
  cmd->add_option("--concurrency", r.concurrency, "requests in flight per model")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--timeout", f->timeout_s, "per-request timeout in seconds")->capture_default_str();
  cmd->add_option("--max-retries", r.max_retries, "retries per trace")->capture_default_str();
  cmd->add_option("--max-output-tokens", f->options.model.max_output_tokens, "answer length cap")
      ->capture_default_str();
  cmd->add_flag("--dry-run", r.dry_run, "count traces, input tokens and dollars; send nothing");
  cmd->add_option("--budget", f->budget, "USD for all models together: stop sending before exceeding it");
  cmd->add_option("--base-url", f->base_url,
                  "provider base URL (default: the provider's env var, then its public URL)");
  cmd->add_option("--price-as", f->price_as, "price calls as this price-table key (e.g. free)");
  cmd->add_option("--registry", f->options.registry_path, "finetune registry file (default data/finetunes.json)");
  cmd->add_flag("--allow-training-overlap", f->options.allow_training_overlap,
                "send a student traces it trained on; its answers are marked IN-SAMPLE");
  cmd->add_option("--progress", f->progress, "auto, bar, plain or none")
      ->check(CLI::IsMember({"auto", "bar", "plain", "none"}));
  cmd->callback([&ctx, f] { ctx.action = [&ctx, f] { return run_relabel_cmd(ctx, *f); }; });
}

}  // namespace

void register_eval_commands(CLI::App& app, Context& ctx) {
  auto* eval = app.add_subcommand("eval", "offline evaluation: run candidates on held-out traces, score them");
  eval->require_subcommand(1);
  register_relabel(*eval, ctx);
  register_score(*eval, ctx);
}

}  // namespace pt::cli
