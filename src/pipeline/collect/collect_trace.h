// The per-trace work of collect, done on worker threads: decode the stored payload (zstd, when the
// store hands it over encoded: Store::scan_encoded), parse it, filter by kind, join
// with the teacher's relabel, build the record under the recipe, hash its input, pick its split,
// count its tokens and render its JSON line. The collector applies each TraceOutcome in trace
// order (dedup, Vertex limits, writes, counters, warnings), so the output never depends on timing.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/collect/collect.h"
#include "pipeline/collect/collect_util.h"
#include "pipeline/join/teacher_answers.h"
#include "store/store.h"

namespace pt {

struct TraceOutcome {
  const char* drop = nullptr;  // a kDropReasons entry, or nullptr when `line` holds a record
  std::string bad_row_error;   // why the payload is unparseable (with drop "unparseable_payload")
  std::string store_error;     // the stored payload could not be decoded: the run fails here
  uint64_t input_hash = 0;     // equal for identical inputs
  bool validation = false;
  int64_t tokens = 0;  // every token of the example, as Vertex bills them
  std::string line;    // the record's JSON line, '\n' included
};

struct TraceBatch {
  std::vector<Row> rows;
  std::vector<TraceOutcome> outcomes;  // one per row, filled in by TraceWork
  size_t payload_bytes = 0;
};

class TraceWork {
 public:
  // `count` must be safe to call from several threads; one memo is kept per worker (at least one).
  // `decoder` (set by Store::scan_encoded before the first batch arrives; null: payloads are text).
  TraceWork(const CollectOptions& options, const TeacherAnswers& answers, std::function<size_t(std::string_view)> count,
            unsigned workers, const std::shared_ptr<const PayloadDecoder>& decoder);
  void operator()(TraceBatch& batch, unsigned worker);

 private:
  void process(const Row& row, TraceOutcome& out, TokenMemo& memo) const;
  bool kind_selected(RequestKind kind) const;

  const CollectOptions& o_;
  const TeacherAnswers& answers_;
  const std::shared_ptr<const PayloadDecoder>& decoder_;
  std::vector<std::unique_ptr<TokenMemo>> memos_;
};

}  // namespace pt
