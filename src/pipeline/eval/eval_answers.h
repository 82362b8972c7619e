// One model's stored answers (relabels) for `eval score`, loaded once and indexed so each trace
// finds its answer: by payload.trace_id, else by (agent_step_id, request kind), else — for
// production relabels that carry no request_type — by agent step (and user / user_input_id when
// both sides have them), which is ambiguous when the step has traces of both kinds (SPEC-formats).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/store.h"
#include "util/result.h"

namespace pt {

struct StoredAnswer {
  std::string id;  // relabel row id
  std::string agent_step_id, user_id, request_type, trace_id, user_input_id;
  int64_t created_at_us = 0;
  std::string problem;             // why the payload could not be read; "" when readable
  std::vector<std::string> files;  // scoring parse (parse_file_list of output, else payload.files)
  std::string text;                // answer text for the legacy parse (output, else files joined)
};

// What a trace is joined on.
struct TraceKey {
  std::string id, agent_step_id, user_id, user_input_id, kind;
};

struct AnswerLookup {
  const StoredAnswer* answer = nullptr;  // newest matching answer, or null
  bool ambiguous = false;                // only kind-less answers matched and the step has both kinds
};

// Reads one relabel payload (never fails: an unreadable payload sets `problem`).
StoredAnswer read_answer(Row&& row);

class AnswerIndex {
 public:
  // Does the step have a get-relevant-files trace of this request kind?
  using KindProbe = std::function<bool(const std::string& agent_step_id, const std::string& kind)>;

  static Result<AnswerIndex> load(Store& store, const std::string& model);
  void add(StoredAnswer answer);
  size_t size() const { return answers_.size(); }
  // Agent steps that have answers without a request_type (production relabels).
  const std::vector<std::string>& kindless_steps() const { return kindless_steps_; }
  AnswerLookup find(const TraceKey& trace, const KindProbe& has_kind) const;

 private:
  const StoredAnswer* newest(const std::vector<uint32_t>* ids, const TraceKey& trace, bool kindless) const;
  std::vector<StoredAnswer> answers_;
  std::unordered_map<std::string, std::vector<uint32_t>> by_trace_;      // payload.trace_id
  std::unordered_map<std::string, std::vector<uint32_t>> by_step_kind_;  // step + '\x1f' + kind
  std::vector<std::string> kindless_steps_;
};

}  // namespace pt
