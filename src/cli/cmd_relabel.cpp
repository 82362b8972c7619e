// CLI: `relabel --teacher MODEL_ID …` (docs/formats.md#relabel-payload): parses the flags into RelabelOptions and
// ModelOptions, opens the store and the teacher, and runs pipeline/relabel under a SIGINT/SIGTERM
// guard. Progress goes to stderr; the final summary (or the dry-run estimate) to stdout.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "pipeline/eval/eval_relabel.h"
#include "pipeline/relabel/relabel.h"
#include "report/relabel_progress.h"
#include "report/relabel_summary.h"
#include "util/time.h"

namespace pt::cli {
namespace {

struct RelabelFlags {
  std::string teacher;
  std::string since, until;
  double timeout_s = 120;
  double batch_poll_s = 5;
  double max_backoff_s = 60;
  bool no_progress = false;
  std::string progress = "auto";
  double progress_interval_s = 10;
  std::optional<int64_t> limit;
  std::optional<double> sample, budget;
  std::optional<std::string> kind;
  std::string base_url, price_as;
  std::string registry;  // "" -> data/finetunes.json
  RelabelOptions options;
  ModelOptions model;
};

constexpr const char* kFooter = R"(
Resuming: a trace already relabeled by this teacher for its request kind (and the same
--with-context setting) is skipped, so re-running the same command continues where it stopped.
Durability: every answer is committed in the event-loop turn it arrives in (one transaction per
turn, a turn lasting at most ~50 ms); a crash or kill -9 loses only answers still in flight or
received in that last turn (at most --concurrency traces), and the next run pays only for those.
Ctrl-C (SIGINT) or SIGTERM stops sending, waits for the requests in flight, stores them and
prints the summary; a second Ctrl-C stops at once. Failed traces are listed and retried next run.
--dry-run counts tokens with the Gemma 3 tokenizer (exact for gemini:/vertex:, an approximation
for anthropic:/openai: teachers) and prices them; it sends nothing. --dry-run --exact-tokens N
also counts N sampled traces (by trace id and --seed; all when fewer) with the provider's free
count endpoint, exactly as they would be sent, and shows the totals corrected by the measured
exact/local ratio (with its range) beside the local estimate. It needs the API key (anthropic:,
gemini:; openai: has no count endpoint) and sends no paid request.)";

Result<void> run(Context& ctx, RelabelFlags& f) {
  RelabelOptions& o = f.options;
  PT_ASSIGN_OR_RETURN(o.since_us, parse_time_filter("--since", f.since));
  PT_ASSIGN_OR_RETURN(o.until_us, parse_time_filter("--until", f.until));
  if (f.kind) {
    PT_ASSIGN_OR_RETURN(o.request_kind, parse_request_kind(*f.kind, "--kind"));
  }
  o.limit = f.limit;
  o.sample_fraction = f.sample;
  o.budget_usd = f.budget;
  o.timeout_ms = static_cast<int64_t>(f.timeout_s * 1000);
  o.backoff_max_ms = static_cast<int64_t>(f.max_backoff_s * 1000);
  if (!f.no_progress && f.progress != "none")
    o.on_progress = RelabelProgressBar(stderr,
                                       f.progress == "bar"     ? 1
                                       : f.progress == "plain" ? 0
                                                               : -1,
                                       f.progress_interval_s);
  o.diagnostics = &ctx.diagnostics;
  f.model.base_url = f.base_url;
  f.model.price_as = f.price_as;
  o.max_output_tokens = f.model.max_output_tokens;
  o.batch_poll_ms = static_cast<int64_t>(f.batch_poll_s * 1000);
  if (!o.batch_id.empty()) o.batch = true;
  f.model.batch = o.batch;
  f.model.offline = o.dry_run;  // a dry run sends nothing: no key needed
  o.model_options = f.model;

  PT_ASSIGN_OR_RETURN(auto model, make_candidate_model(f.teacher, f.model, f.registry));
  PT_ASSIGN_OR_RETURN(auto store, open_store(ctx.store_options()));
  StopSignals signals;
  o.stop_requests = signals.counter();
  PT_ASSIGN_OR_RETURN(auto summary, run_relabel(*store, *model, o));
  std::fputs(render_relabel_summary(summary, o).c_str(), stdout);
  if (summary.stopped_by_auth) return runtime_error("the teacher's provider rejected the credentials (HTTP 401/403)");
  if (summary.failed > 0)
    return runtime_error(std::to_string(summary.failed) +
                         " call(s) failed permanently (reasons and trace ids in the summary above); rerun to retry "
                         "only those");
  return ok();
}

}  // namespace

void register_relabel_commands(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<RelabelFlags>();
  RelabelOptions& o = f->options;
  auto* cmd = app.add_subcommand("relabel", "replay get-relevant-files traces through a teacher and store its answers");
  cmd->footer(kFooter);
  cmd->add_option("--teacher", f->teacher,
                  "teacher model id (anthropic:NAME, openai:NAME, gemini:NAME, vertex:ID, local:bm25) or a registry "
                  "id (ft_filepicker_008: called at its endpoint, stored under the registry id)")
      ->required();
  add_registry_flag(cmd, f->registry);
  cmd->add_flag("--with-context", o.with_context, "add the step's stored file contents to the teacher prompt");
  cmd->add_option("--context-tokens", o.context_tokens, "token budget of the added file context")
      ->capture_default_str();
  cmd->add_option("--concurrency", o.concurrency, "requests in flight")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--rpm", o.rpm, "requests per minute limit (0 = none)");
  cmd->add_option("--tpm", o.tpm, "input tokens per minute limit (0 = none)");
  cmd->add_option("--timeout", f->timeout_s, "per-request timeout in seconds")->capture_default_str();
  cmd->add_option("--max-retries", o.max_retries, "retries per trace on 429/5xx/529/timeouts/resets/malformed answers")
      ->capture_default_str();
  cmd->add_option("--max-backoff", f->max_backoff_s,
                  "cap in seconds of the exponential retry backoff (retry-after wins)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--max-output-tokens", f->model.max_output_tokens, "answer length cap (also the budget's worst case)")
      ->capture_default_str();
  cmd->add_option("--limit", f->limit, "the newest N matching traces (already relabeled ones among them are skipped)")
      ->check(non_negative_count());
  add_window_flags(cmd, f->since, f->until);
  cmd->add_option("--kind", f->kind, "request kind: Key or Non-Obvious");
  cmd->add_option("--user", o.users, "only these user ids (repeatable)");
  cmd->add_option("--sample", f->sample, "keep a deterministic fraction F of the traces (by trace id and --seed)");
  cmd->add_option("--seed", o.seed, "seed of --sample")->capture_default_str();
  cmd->add_option("--trace-id", o.trace_ids, "relabel only these trace ids (repeatable)");
  cmd->add_flag("--dry-run", o.dry_run, "count traces, input tokens and dollars; send nothing");
  cmd->add_option("--exact-tokens", o.exact_tokens,
                  "with --dry-run: count N sampled traces with the provider's free count endpoint (needs the API "
                  "key) and correct the estimate by the measured ratio")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  cmd->add_option("--budget", f->budget, "USD: stop sending before spent + in-flight worst case would exceed it");
  cmd->add_flag("--batch", o.batch, "Anthropic Message Batches API (half price), polled until done");
  cmd->add_option("--batch-id", o.batch_id, "collect the results of an earlier --batch run's batch (implies --batch)");
  cmd->add_option("--batch-poll", f->batch_poll_s, "seconds before the first batch poll (then x1.5, up to 60)")
      ->capture_default_str();
  add_remote_call_flags(cmd, f->base_url, f->price_as, f->progress);
  cmd->add_option("--progress-interval", f->progress_interval_s, "seconds between plain progress lines")
      ->capture_default_str();
  cmd->add_flag("--no-progress", f->no_progress, "no progress output");
  cmd->callback([&ctx, f] { ctx.action = [&ctx, f] { return run(ctx, *f); }; });
}

}  // namespace pt::cli
