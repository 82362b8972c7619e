// `traces show ID` and `relabels show ID` (issue 20): one row in full, as data for
// report/row_detail_text.h. A trace comes with the relabel of each model that answers it under THE
// join (core/relabel_join.h), so its production answer and every teacher's sit side by side; a
// relabel comes with the trace it answers.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/row.h"
#include "store/store.h"
#include "util/result.h"

namespace pt {

// One relabel as shown next to a trace, or on its own.
struct RelabelDetail {
  Row row;
  RequestKind request_kind = RequestKind::absent;  // payload.request_type
  std::string trace_id;                            // payload.trace_id ("" when absent)
  std::optional<bool> with_context;                // payload.with_context
  std::vector<std::string> files;                  // payload.files, else the answer parsed
  std::string output;                              // payload.output (raw answer)
  std::optional<int64_t> input_tokens, output_tokens, cached_input_tokens;
  std::optional<double> cost_usd;
  std::optional<int64_t> latency_ms;
  std::string join_note;  // "" when it answers the trace; "ambiguous: ..." otherwise
};

struct TraceDetail {
  Row row;
  RequestKind request_kind = RequestKind::absent;  // payload.request_type
  std::string model;                               // payload.model: the production model that answered
  std::string request;                             // the user's request (whole)
  std::vector<std::string> picked;                 // the production answer's files
  size_t system_bytes = 0, messages = 0;
  std::string payload_problem;          // why the payload could not be read as a picker call ("" when it could)
  std::vector<RelabelDetail> relabels;  // one per model answering it (or ambiguous for it), by model id
};

// No row with that id is a usage error naming the id and the store.
Result<TraceDetail> show_trace(Store& store, const std::string& id);

struct RelabelShow {
  RelabelDetail relabel;
  std::optional<TraceDetail> trace;  // the trace it answers (without its relabels), when one does
  std::string trace_note;            // why none is shown ("" when one is)
};
Result<RelabelShow> show_relabel(Store& store, const std::string& id);

// The get-relevant-files traces of one agent step, oldest first.
Result<std::vector<Row>> step_traces(Store& store, const std::string& step);

}  // namespace pt
