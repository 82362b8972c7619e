// One trace on its way through the relabel engine: loaded from the store, parsed, given its file
// context (--with-context), and finally turned into the relabel row of docs/formats.md#relabel-payload.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "net/retry.h"
#include "pipeline/relabel/relabel.h"

namespace pt {

struct RelabelItem {
  Row trace;
  PickerCall call;
  TeacherInput input;       // input.call points at `call`
  size_t input_tokens = 0;  // estimated prompt tokens (0 when not needed)
  size_t prompt_bytes = 0;
  int attempts = 0;
  int64_t ready_at_ms = 0;                                  // earliest (steady clock) time of the next attempt
  double worst_cost_usd = 0;                                // reserved against the budget while in flight
  std::vector<std::pair<std::string, std::string>> copied;  // production ids copied to the relabel
  std::string last_error;                                   // reason of the last failed attempt
  std::string last_error_class;
};

enum class PrepareStatus { ready, no_context, missing, invalid };

struct Prepared {
  PrepareStatus status = PrepareStatus::ready;
  std::unique_ptr<RelabelItem> item;  // set when ready
  std::string error;                  // why, when invalid
};

// Loads and parses the trace; with --with-context, loads the newest blob trace of its agent step
// and renders it to the context budget. Store errors are returned; bad payloads are `invalid`.
Result<Prepared> prepare_relabel_item(Store& store, const std::string& trace_id, const RelabelOptions& options,
                                      bool need_tokens);

// Tokens of everything the teacher reads: system blocks, file context, message texts.
size_t count_prompt_tokens(const TeacherInput& input, const TokenCountFn& count);
size_t prompt_bytes(const TeacherInput& input);

// The relabel row for a stored answer (id from relabel_row_id; created_at = now).
Row make_relabel_row(const RelabelItem& item, const std::string& model_id, const Completion& completion,
                     double cost_usd, double latency_ms, bool with_context, bool batch);

// Retries of one trace's calls: 1 + max_retries attempts, the options' backoff.
RetryPolicy relabel_retry_policy(const RelabelOptions& options);

// The token counter of the options, or the 4-bytes-per-token approximation.
TokenCountFn token_counter(const RelabelOptions& options);

int64_t steady_ms();

}  // namespace pt
