// The relabel engine (writes docs/formats.md#relabel-payload): replays stored `get-relevant-files` traces through a
// teacher and stores each answer as a relabel row. One libcurl-multi event loop, bounded concurrency, rpm/tpm limits,
// retries with backoff, a hard dollar budget, clean stop on SIGINT/SIGTERM, and resumable: a trace already relabeled by
// this teacher (same request kind, same with_context) is skipped, and every answer is committed in the event-loop turn
// it arrives in. Used by `relabel` and `eval relabel`.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/file_context.h"
#include "providers/model.h"
#include "store/store.h"
#include "util/diagnostics.h"
#include "util/result.h"

namespace pt {

// How far a run is, reported through RelabelOptions::on_progress (report/relabel_progress draws it).
struct RelabelTick {
  int64_t done = 0, failed = 0, total = 0;  // total: traces to do in this run
  double cost_usd = 0;                      // spent so far
  bool final = false;                       // the run's last tick
};

struct RelabelOptions {
  // --- Selection (all optional; none = every get-relevant-files trace) ---
  std::optional<int64_t> since_us;          // created_at >= since
  std::optional<int64_t> until_us;          // created_at <  until
  std::optional<RequestKind> request_kind;  // Key or Non-Obvious only
  std::vector<std::string> users;           // user_id in this set (empty = any)
  std::optional<int64_t> limit;             // the newest N matching (sampled) traces, before skipping done ones
  std::optional<double> sample_fraction;    // keep a trace when hash(seed, trace id) < F (0 < F <= 1)
  uint64_t seed = 0;                        // --seed for --sample
  std::vector<std::string> trace_ids;       // explicit traces (eval relabel); other filters still apply

  // --- Teacher prompt ---
  bool with_context = false;         // add the step's stored blob files (docs/formats.md#teacher-context)
  long long context_tokens = 32000;  // token budget of the rendered file context (<= 0: none)

  // --- Sending ---
  int concurrency = 16;           // requests in flight
  double rpm = 0;                 // requests per minute (0 = unlimited)
  double tpm = 0;                 // input tokens per minute (0 = unlimited; estimated tokens)
  int64_t timeout_ms = 120000;    // per request
  int max_retries = 5;            // retries per trace after the first attempt
  int64_t backoff_base_ms = 500;  // first retry delay (doubles, with jitter; retry-after wins)
  int64_t backoff_max_ms = 60000;
  std::optional<double> budget_usd;  // stop sending before spent + in-flight worst case > budget
  int64_t max_output_tokens = 1024;  // worst-case output per call (budget) — match ModelOptions
  bool dry_run = false;              // count and price only: zero calls, nothing stored
  // --exact-tokens N (with dry_run): also count N deterministically sampled traces (by trace id and
  // seed; all when fewer) with the teacher's free count endpoint (anthropic:, gemini:; needs the
  // API key) and correct the estimate by the measured exact/local ratio. 0: off.
  int64_t exact_tokens = 0;
  bool batch = false;            // Anthropic Message Batches (model must be anthropic:)
  int64_t batch_poll_ms = 5000;  // first poll interval in batch mode (grows to batch_max_poll_ms)
  int64_t batch_max_poll_ms = 60000;
  std::string batch_id;        // --batch-id: collect the results of this earlier batch instead
  ModelOptions model_options;  // --batch: base URL, max tokens, prices of the batch client
  // Leases (pipeline/relabel/relabel_leases.h): a paid call is sent only for a trace this run has
  // claimed in the store; claims last lease_ms unless renewed (a crashed run's expire after it).
  int64_t lease_ms = 10 * 60 * 1000;
  std::string lease_owner;  // "" -> host:pid:random

  // --- Tokens: used for --dry-run, the budget's worst case, --tpm and the context budget ---
  TokenCountFn count_tokens;                              // empty -> ~4 bytes per token
  std::string tokenizer_name = "approx (4 bytes/token)";  // shown in the dry-run report

  // --- Control and reporting ---
  const std::atomic<int>* stop_requests = nullptr;  // >0: stop sending and drain; >1: stop now
  // Called once when sending starts, after every event-loop turn (or local answer) and once with
  // final set at the end; cheap to call often: the receiver decides when to draw. Empty: silent.
  std::function<void(const RelabelTick&)> on_progress;
  Diagnostics* diagnostics = nullptr;  // notes on a --batch run (its id, its state); null: dropped
};

struct RelabelFailure {
  std::string trace_id;
  std::string reason;  // one line; never contains credentials
};

// --exact-tokens: the provider's counts of a sample of the dry run's traces against the local ones.
struct ExactTokenSample {
  int64_t sampled = 0;                  // traces counted by the provider
  int64_t local_tokens = 0;             // their local count (options.tokenizer_name)
  int64_t exact_tokens = 0;             // the provider's count of the same requests
  double ratio = 1;                     // exact_tokens / local_tokens
  double ratio_min = 1, ratio_max = 1;  // over the sampled traces, one by one
  int64_t corrected_input_tokens = 0;   // the dry run's input tokens x ratio (exact when all were sampled)
  double corrected_cost_usd = 0, corrected_worst_cost_usd = 0;
};

struct RelabelSummary {
  std::string model;
  std::string tokenizer_name;      // what counted the tokens (the options' default until counted)
  int64_t selected = 0;            // traces matching the filters
  int64_t skipped_done = 0;        // already relabeled by this teacher (kind, with_context)
  int64_t skipped_no_context = 0;  // --with-context and no stored blob files for the step
  int64_t skipped_leased = 0;      // claimed by another run of this teacher right now (it answers them)
  bool leases_unlocked = false;    // the store cannot lock leases (BigQuery): concurrent runs may pay twice
  int64_t to_do = 0;               // selected - skipped
  int64_t done = 0;                // relabels stored by this run
  int64_t failed = 0;              // gave up after retries (or not retryable); retried next run
  int64_t not_sent = 0;            // left for a later run (stop, budget, batch canceled/expired)
  int64_t batch_canceled = 0;      // --batch: requests the batch canceled before processing (not billed)
  int64_t batch_expired = 0;       // --batch: requests that expired (24 h) before processing (not billed)
  int64_t calls = 0;               // requests made (attempts, including retries)
  int64_t retries = 0;
  std::map<std::string, int64_t> failed_by_reason;  // reason class -> count
  std::vector<RelabelFailure> failures;
  Usage usage;          // summed over stored answers
  double cost_usd = 0;  // summed over stored answers
  bool stopped_by_signal = false;
  bool stopped_by_budget = false;
  bool stopped_by_auth = false;  // 401/403: every further call would fail too
  double elapsed_s = 0;
  // --dry-run only
  int64_t estimated_input_tokens = 0;
  double estimated_cost_usd = 0;          // input + typical output
  double estimated_worst_cost_usd = 0;    // input + max_output_tokens per call
  std::optional<ExactTokenSample> exact;  // --exact-tokens
};

// Runs (or, with dry_run, prices) a relabel of the selected traces by `model`. Errors are returned
// only for problems with the run itself (store unreachable, bad options); per-trace problems are
// counted in the summary's failures.
Result<RelabelSummary> run_relabel(Store& store, Model& model, const RelabelOptions& options);

// The relabel row id: "rl:" + the first 32 hex digits of sha256(model "\n" trace id "\n" ctx flag).
std::string relabel_row_id(std::string_view model_id, std::string_view trace_id, bool with_context);

// Scoped SIGINT/SIGTERM handling for commands that run the engine: each signal increments the
// counter (first: stop sending and drain; second: stop at once). Previous handlers are restored.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  const std::atomic<int>* counter() const;
};

}  // namespace pt
