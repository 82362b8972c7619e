// The store side of core/relabel_join: reads one model's relabels (oldest first) into a
// RelabelJoin, and notes the request kinds of the traces that production-key relabels need to
// tell ambiguous from unambiguous. Collect, eval, student training and relabel's "already
// answered" check all load their join here, so they all see the same relabels and trace kinds.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/relabel_join.h"
#include "store/store.h"
#include "util/result.h"

namespace pt {

// Scans the relabels of `model`, oldest first, handing each one read to `visit`; `visit` adds
// the ones it wants to `join` (and keeps their answers by slot).
Result<void> scan_relabels(Store& store, const std::string& model, const std::function<void(RelabelRecord&&)>& visit);
// The same, when only the relabels that may join one of the traces `traces` selects are needed: the
// store may narrow the scan to them (Store::scan_relabels_joining; BigQuery does, in the query
// job). The join decides every pairing as before. Returns true when the store narrowed.
Result<bool> scan_relabels_of_traces(Store& store, const std::string& model, const RowFilter& traces,
                                     const std::function<void(RelabelRecord&&)>& visit);

// One scan over every get-relevant-files trace (all times: the kinds of a step do not depend on
// a run's time range), only when `join` holds production-key relabels.
Result<void> note_trace_kinds(Store& store, RelabelJoin& join);
// The same for several joins in one scan.
Result<void> note_trace_kinds(Store& store, const std::vector<RelabelJoin*>& joins);

// The join key of a trace row: payload.request_type and payload.user_input_id read leniently
// (a payload that cannot be read keys with neither).
struct TraceKeyFields {
  RequestKind request_kind = RequestKind::absent;
  std::string user_input_id;
};
TraceKeyFields read_trace_key_fields(std::string_view payload);

}  // namespace pt
