// THE trace ↔ relabel join (SPEC-formats "Join key"), pure and in memory: collect, eval, student
// training and relabel's "already answered" check all pair a get-relevant-files trace with a
// model's relabel through RelabelJoin::find, so they never disagree. Building the index (reading
// the rows from a store) is the caller's business: pipeline/join/relabel_source.h.
//
// The rule, in precedence order (the first tier with a usable relabel decides):
//   1. trace id: relabels whose payload.trace_id is the trace's id (and whose request kind, when
//      they record one, is the trace's).
//   2. kind-tagged step: relabels of the trace's agent step with the trace's request kind (Key or
//      Non-Obvious) that name no trace. A relabel naming another trace never answers this one.
//   3. production key: relabels with neither a request kind nor a trace id (production data),
//      matched on agent_step_id (equal) + user_id + payload.user_input_id (each equal, or absent
//      on either side: rows from other tools may lack them). When the chosen relabel's key also
//      fits a trace of another request kind, it may answer either: the outcome is `ambiguous`
//      (counted and reported by the caller, never guessed).
// Within a tier the newest created_at wins; equal times go to the greatest id (byte order) —
// the last row of a store's oldest-first scan. A relabel that recorded with_context must agree
// with the caller's requirement (when it has one); one that did not record it fits either.
// Relabels of an unknown request kind join nothing. A relabel whose payload cannot be read
// still takes part (keyed by what could be read): the caller reports the trace, it never falls
// back to an older relabel.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/request_kind.h"
#include "core/row.h"
#include "util/hash.h"

namespace pt {

// The join fields of one relabel row.
struct RelabelKey {
  std::string id, agent_step_id, user_id;
  int64_t created_at_us = 0;
  RequestKind request_kind = RequestKind::absent;
  std::string trace_id;       // payload.trace_id, "" when absent
  std::string user_input_id;  // payload.user_input_id, "" when absent
  int8_t with_context = -1;   // payload.with_context: -1 not recorded, 0 false, 1 true
};

// A relabel row read once for the join and for its users (answer text or file list).
struct RelabelRecord {
  RelabelKey key;
  std::optional<std::string> output;              // payload.output when a string
  std::optional<std::vector<std::string>> files;  // payload.files when an array of strings (read without output)
  std::string problem;                            // first join field or output that could not be read; "" when none
  std::string files_problem;                      // why payload.files could not be read (only looked at without output)
};

// Reads a relabel row (never fails: what cannot be read is named in `problem`). A payload that is
// not a JSON object keys as a production relabel with an empty user_input_id.
RelabelRecord read_relabel(Row&& row);

// What a trace is joined on (views into the caller's row and parsed payload).
struct TraceKey {
  std::string_view id, agent_step_id, user_id, user_input_id;
  RequestKind request_kind = RequestKind::absent;
};

enum class JoinOutcome { matched, no_relabel, context_mismatch, ambiguous };

struct JoinResult {
  JoinOutcome outcome = JoinOutcome::no_relabel;
  uint32_t slot = 0;  // the matched relabel's slot (order of add()), when matched
};

class RelabelJoin {
 public:
  // Adds one relabel and returns its slot (0, 1, 2, ... in call order) for the caller's own data.
  uint32_t add(const RelabelKey& key);
  size_t size() const { return entries_.size(); }
  const std::string& relabel_id(uint32_t slot) const { return entries_[slot].id; }

  // Production-key relabels need the request kinds of the traces that fit their key: the caller
  // notes every get-relevant-files trace (note_trace ignores steps no such relabel names).
  bool needs_trace_kinds() const { return !by_production_key_.empty(); }
  void note_trace(const TraceKey& trace);

  // with_context: the caller's requirement (nullopt: any).
  JoinResult find(const TraceKey& trace, std::optional<bool> with_context) const;

 private:
  struct Entry {
    std::string id, trace_id;
    std::string user_id, user_input_id;  // production-key relabels only
    int64_t created_at_us = 0;
    RequestKind request_kind = RequestKind::absent;
    int8_t with_context = -1;
    uint8_t trace_kinds = 0;  // production-key relabels: one bit per RequestKind of the traces fitting the key
  };
  using Map = std::unordered_map<std::string, std::vector<uint32_t>, StringHash, std::equal_to<>>;

  // A production-key relabel's user_id and user_input_id fit the trace's.
  static bool fits(const Entry& e, const TraceKey& trace);
  // The best slot of `slots` for the trace; sets `mismatch` when one was left out for its context.
  // `production`: compare user_id and user_input_id (equal, or absent on either side).
  std::optional<uint32_t> best(const std::vector<uint32_t>& slots, const TraceKey& trace, std::optional<bool> ctx,
                               bool production, bool& mismatch) const;

  std::vector<Entry> entries_;
  Map by_trace_id_;        // tier 1: payload.trace_id
  Map by_step_kind_;       // tier 2: step + '\x1f' + kind
  Map by_production_key_;  // tier 3: step (user and user_input_id are compared per relabel)
};

}  // namespace pt
