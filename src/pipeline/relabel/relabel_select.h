// Relabel selection: which `get-relevant-files` traces a run should send. Applies the filters of
// RelabelOptions (time range, kind, users, sample, limit, explicit ids) and drops the traces this
// teacher already answered for the same request kind and the same with_context flag.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/relabel_join.h"
#include "pipeline/relabel/relabel.h"
#include "util/sha256.h"

namespace pt {

struct TraceRef {
  std::string id;
  std::string agent_step_id;
  RequestKind request_kind = RequestKind::absent;
  std::string user_id;
  std::string user_input_id;  // payload.user_input_id ("" when absent)
};

struct RelabelSelection {
  std::vector<std::string> to_do;  // trace ids to send, newest first (or in the explicit order)
  int64_t selected = 0;            // matching the filters
  int64_t skipped_done = 0;
};

// Deterministic sampling: the first 64 bits of sha256("SEED:TRACE_ID") (sample_key) / 2^64 < fraction.
uint64_t sample_key(std::string_view trace_id, uint64_t seed);
bool is_sampled(std::string_view trace_id, double fraction, uint64_t seed);

// Filtered trace refs (no payloads kept), before skipping.
Result<std::vector<TraceRef>> select_trace_refs(Store& store, const RelabelOptions& options);

// Keeps the refs not yet relabeled by the model whose relabels `join` holds: a trace is done when
// the one join (core/relabel_join.h) pairs it with a relabel made with this with_context flag (or
// one that did not record it), exactly as collect would. An ambiguous production relabel does not
// count: the trace is relabeled, and the new relabel (naming its trace) then wins the join.
// The refs' own kinds are noted in `join` first.
RelabelSelection drop_already_relabeled(std::vector<TraceRef> refs, RelabelJoin& join, bool with_context);

Result<RelabelSelection> select_for_relabel(Store& store, std::string_view model_id, const RelabelOptions& options);

}  // namespace pt
