// One model's stored answers (relabels) for `eval score`, loaded once: the one trace ↔ relabel
// join (core/relabel_join.h: trace id, then agent step + request kind, then the production key,
// ambiguous when that key is carried by traces of both kinds) plus each answer's file list.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/relabel_join.h"
#include "store/store.h"
#include "util/result.h"

namespace pt {

struct StoredAnswer {
  std::string id;                  // relabel row id
  std::string problem;             // why the payload could not be read; "" when readable
  std::vector<std::string> files;  // scoring parse (parse_file_list of output, else payload.files)
  std::string text;                // answer text for the legacy parse (output, else files joined)
};

struct AnswerLookup {
  const StoredAnswer* answer = nullptr;  // the joined answer, or null
  bool ambiguous = false;                // only a production-key answer matched, and both kinds carry its key
};

// The answer parts of a relabel read by core/relabel_join.h's read_relabel.
StoredAnswer stored_answer(RelabelRecord&& record);

class AnswerIndex {
 public:
  // `traces`: when given, only relabels that may join one of those traces are needed (the store
  // may leave the others unread: join/relabel_source.h, scan_relabels_of_traces).
  static Result<AnswerIndex> load(Store& store, const std::string& model, const RowFilter* traces = nullptr);
  void add(RelabelRecord&& record);
  size_t size() const { return answers_.size(); }
  RelabelJoin& join() { return join_; }
  AnswerLookup find(const TraceKey& trace) const;

 private:
  RelabelJoin join_;
  std::vector<StoredAnswer> answers_;  // by join slot
};

}  // namespace pt
