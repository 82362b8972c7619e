// Implementation of report/relabel_summary.h.
#include "report/relabel_summary.h"

#include <fmt/format.h>

#include <iterator>

#include "report/relabel_progress.h"

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

void render_dry_run(std::string& out, const RelabelSummary& s, const RelabelOptions& o) {
  fmt::format_to(std::back_inserter(out), "dry run: {} would relabel {} traces ({} selected, {} already relabeled",
                 s.model, s.to_do, s.selected, s.skipped_done);
  if (o.with_context) fmt::format_to(std::back_inserter(out), ", {} without stored file context", s.skipped_no_context);
  fmt::format_to(std::back_inserter(out), ")\n");
  fmt::format_to(std::back_inserter(out), "  input tokens: {} ({})\n", s.estimated_input_tokens,
                 dry_run_token_label(s.model, s.tokenizer_name.empty() ? o.tokenizer_name : s.tokenizer_name));
  fmt::format_to(std::back_inserter(out),
                 "  estimated cost: ${:.4f} (assuming ~200 output tokens per answer); worst case ${:.4f} "
                 "({} output tokens per answer){}\n",
                 s.estimated_cost_usd, s.estimated_worst_cost_usd, o.max_output_tokens,
                 o.batch ? ", at the batch price" : "");
  if (s.exact) {
    const ExactTokenSample& x = *s.exact;
    fmt::format_to(
        std::back_inserter(out),
        "  exact count of {} sampled trace{} by the provider: {} tokens vs {} local; ratio {:.4f} (per trace "
        "{:.4f}-{:.4f})\n",
        x.sampled, x.sampled == 1 ? "" : "s", x.exact_tokens, x.local_tokens, x.ratio, x.ratio_min, x.ratio_max);
    fmt::format_to(std::back_inserter(out),
                   "  corrected: {} input tokens ({}), estimated cost ${:.4f}, worst case ${:.4f} (local estimate: {} "
                   "tokens, ${:.4f})\n",
                   x.corrected_input_tokens, x.sampled == s.to_do ? "every trace counted exactly" : "local x ratio",
                   x.corrected_cost_usd, x.corrected_worst_cost_usd, s.estimated_input_tokens, s.estimated_cost_usd);
  }
  fmt::format_to(std::back_inserter(out), "  no {}request was sent and nothing was stored\n", s.exact ? "paid " : "");
}

}  // namespace

std::string render_relabel_summary(const RelabelSummary& s, const RelabelOptions& o) {
  std::string out;
  if (o.dry_run) {
    render_dry_run(out, s, o);
    return out;
  }
  fmt::format_to(std::back_inserter(out),
                 "relabel {}: {} stored, {} failed, {} left for a later run; {} selected, {} already relabeled",
                 s.model, s.done, s.failed, s.not_sent, s.selected, s.skipped_done);
  if (o.with_context)
    fmt::format_to(std::back_inserter(out), ", {} skipped without stored file context", s.skipped_no_context);
  if (s.skipped_leased > 0)
    fmt::format_to(std::back_inserter(out), ", {} claimed by another run of this teacher", s.skipped_leased);
  fmt::format_to(std::back_inserter(out), "\n");
  fmt::format_to(std::back_inserter(out),
                 "  calls: {} ({} retries) in {}; tokens: {} input ({} cached), {} output; cost ${:.4f}\n", s.calls,
                 s.retries, format_duration(s.elapsed_s), s.usage.input_tokens, s.usage.cached_input_tokens,
                 s.usage.output_tokens, s.cost_usd);
  if (s.stopped_by_signal)
    fmt::format_to(std::back_inserter(out), "  stopped by signal: in-flight answers were stored; re-run to continue\n");
  if (s.stopped_by_budget)
    fmt::format_to(
        std::back_inserter(out),
        "  stopped before the budget of ${:.4f} would be exceeded; re-run with a larger --budget to continue\n",
        o.budget_usd.value_or(0));
  if (s.stopped_by_auth)
    fmt::format_to(std::back_inserter(out), "  stopped: the provider rejected the credentials (HTTP 401/403)\n");
  if (s.batch_canceled + s.batch_expired > 0)
    fmt::format_to(std::back_inserter(out),
                   "  batch: {} canceled, {} expired before processing (not billed, not stored); re-run to send them "
                   "again\n",
                   s.batch_canceled, s.batch_expired);
  if (s.failed == 0) return out;
  fmt::format_to(std::back_inserter(out), "  failed by reason:");
  for (const auto& [reason, n] : s.failed_by_reason) fmt::format_to(std::back_inserter(out), " {}={}", reason, n);
  fmt::format_to(std::back_inserter(out), "\n  failed traces (retried on the next run):\n");
  for (size_t i = 0; i < s.failures.size() && i < kMaxListedFailures; ++i)
    fmt::format_to(std::back_inserter(out), "    {}  {}\n", s.failures[i].trace_id, s.failures[i].reason);
  if (s.failures.size() > kMaxListedFailures)
    fmt::format_to(std::back_inserter(out), "    ... and {} more\n", s.failures.size() - kMaxListedFailures);
  return out;
}

}  // namespace pt
