// The trace ↔ relabel join of collect (SPEC-formats "Join key"): the teacher's relabels are
// loaded once into hash maps keyed by (agent_step_id, request_type) — or, for production
// relabels without a request type, by (agent_step_id, user_id, payload.user_input_id) — and each
// streamed trace looks its answer up. A Key trace never receives a Non-Obvious answer.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/store.h"
#include "util/result.h"

namespace pt {

struct JoinedRelabel {
  std::string id;
  std::string output;
  std::string trace_id;  // "" when the relabel does not name its trace
  int64_t created_at_us = 0;
  int8_t with_context = -1;  // -1 not recorded, 0 false, 1 true
};

enum class JoinOutcome { matched, no_relabel, context_mismatch, ambiguous };

struct JoinResult {
  JoinOutcome outcome = JoinOutcome::no_relabel;
  const JoinedRelabel* relabel = nullptr;  // set when matched
};

struct TraceKey {
  std::string_view id, agent_step_id, user_id, request_type, user_input_id;
};

class RelabelIndex {
 public:
  // Loads the relabels of `teacher` (of the request kinds in `kinds` — all when empty — plus
  // every relabel without a kind). Unparseable payloads are reported through `bad_row` (row id,
  // message) and skipped.
  static Result<RelabelIndex> load(Store& store, const std::string& teacher, const std::vector<std::string>& kinds,
                                   const std::function<void(const std::string&, const std::string&)>& bad_row);
  static Result<RelabelIndex> load(Store& store, const std::string& teacher,
                                   const std::function<void(const std::string&, const std::string&)>& bad_row) {
    return load(store, teacher, {}, bad_row);
  }

  // Production relabels need to know which kinds of trace share their key: one extra pass over
  // the get-relevant-files traces, only when such relabels exist.
  bool needs_kind_pass() const { return !by_production_key_.empty(); }
  Result<void> run_kind_pass(Store& store);
  // Records that a trace of `request_type` carries this production key (used by run_kind_pass
  // and by tests).
  void note_trace_kind(std::string_view agent_step_id, std::string_view user_id, std::string_view user_input_id,
                       std::string_view request_type);

  // with_context: the relabel must have been made with (true) or without (false) file context
  // when it records which.
  JoinResult find(const TraceKey& trace, bool with_context) const;

  size_t size() const { return count_; }  // relabels read and parsed, of any kind

 private:
  struct ProductionEntry {
    std::vector<JoinedRelabel> relabels;
    uint8_t kinds = 0;  // bit 0: a Key trace has this key; bit 1: a Non-Obvious trace
  };
  std::unordered_map<std::string, std::vector<JoinedRelabel>> by_kind_;      // step|kind
  std::unordered_map<std::string, std::vector<JoinedRelabel>> by_trace_id_;  // no kind, names its trace
  std::unordered_map<std::string, ProductionEntry> by_production_key_;
  size_t count_ = 0;
};

}  // namespace pt
