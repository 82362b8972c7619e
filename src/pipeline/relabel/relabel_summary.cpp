// The relabel run's final report (done, skipped, failed by reason with the failed trace ids,
// tokens, dollars; or the --dry-run estimate) and the scoped SIGINT/SIGTERM handler.
#include <csignal>

#include <fmt/format.h>

#include "pipeline/relabel/relabel.h"
#include "pipeline/relabel/relabel_progress.h"

namespace pt {
namespace {

constexpr size_t kMaxListedFailures = 50;

}  // namespace

std::string dry_run_token_label(const std::string& model, const std::string& tokenizer_name) {
  const bool gemma = tokenizer_name == "the Gemma 3 tokenizer";
  const bool gemini = model.rfind("gemini:", 0) == 0 || model.rfind("vertex:", 0) == 0;
  if (gemma && gemini) return "exact Gemini tokens, counted with the Gemma 3 tokenizer";
  if (!gemma) return "estimate: " + tokenizer_name;
  std::string family = model.rfind("anthropic:", 0) == 0 ? "Claude"
                       : model.rfind("openai:", 0) == 0  ? "GPT"
                                                         : "this provider's";
  return "estimate: counted with the Gemma 3 tokenizer; " + family + " tokenizer counts differ";
}

namespace {

void print_dry_run(std::FILE* out, const RelabelSummary& s, const RelabelOptions& o) {
  fmt::print(out, "dry run: {} would relabel {} traces ({} selected, {} already relabeled", s.model, s.to_do,
             s.selected, s.skipped_done);
  if (o.with_context) fmt::print(out, ", {} without stored file context", s.skipped_no_context);
  fmt::print(out, ")\n");
  fmt::print(out, "  input tokens: {} ({})\n", s.estimated_input_tokens,
             dry_run_token_label(s.model, s.tokenizer_name.empty() ? o.tokenizer_name : s.tokenizer_name));
  fmt::print(out,
             "  estimated cost: ${:.4f} (assuming ~200 output tokens per answer); worst case ${:.4f} "
             "({} output tokens per answer){}\n",
             s.estimated_cost_usd, s.estimated_worst_cost_usd, o.max_output_tokens,
             o.batch ? ", at the batch price" : "");
  fmt::print(out, "  no request was sent and nothing was stored\n");
}

}  // namespace

void print_relabel_summary(std::FILE* out, const RelabelSummary& s, const RelabelOptions& o) {
  if (!out) return;
  if (o.dry_run) return print_dry_run(out, s, o);
  fmt::print(out, "relabel {}: {} stored, {} failed, {} left for a later run; {} selected, {} already relabeled",
             s.model, s.done, s.failed, s.not_sent, s.selected, s.skipped_done);
  if (o.with_context) fmt::print(out, ", {} skipped without stored file context", s.skipped_no_context);
  fmt::print(out, "\n");
  fmt::print(out, "  calls: {} ({} retries) in {}; tokens: {} input ({} cached), {} output; cost ${:.4f}\n", s.calls,
             s.retries, format_duration(s.elapsed_s), s.usage.input_tokens, s.usage.cached_input_tokens,
             s.usage.output_tokens, s.cost_usd);
  if (s.stopped_by_signal) fmt::print(out, "  stopped by signal: in-flight answers were stored; re-run to continue\n");
  if (s.stopped_by_budget)
    fmt::print(out,
               "  stopped before the budget of ${:.4f} would be exceeded; re-run with a larger --budget to continue\n",
               o.budget_usd.value_or(0));
  if (s.stopped_by_auth) fmt::print(out, "  stopped: the provider rejected the credentials (HTTP 401/403)\n");
  if (s.failed == 0) return;
  fmt::print(out, "  failed by reason:");
  for (const auto& [reason, n] : s.failed_by_reason) fmt::print(out, " {}={}", reason, n);
  fmt::print(out, "\n  failed traces (retried on the next run):\n");
  for (size_t i = 0; i < s.failures.size() && i < kMaxListedFailures; ++i)
    fmt::print(out, "    {}  {}\n", s.failures[i].trace_id, s.failures[i].reason);
  if (s.failures.size() > kMaxListedFailures)
    fmt::print(out, "    ... and {} more\n", s.failures.size() - kMaxListedFailures);
}

namespace {
std::atomic<int> g_stop_requests{0};
struct sigaction g_old_int, g_old_term;
extern "C" void on_stop_signal(int) { g_stop_requests.fetch_add(1); }
}  // namespace

StopSignals::StopSignals() {
  g_stop_requests = 0;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

const std::atomic<int>* StopSignals::counter() const { return &g_stop_requests; }

}  // namespace pt
