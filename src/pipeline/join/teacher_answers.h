// A teacher's relabels as collect and student training use them: the one join
// (core/relabel_join.h) plus each relabel's answer text by slot. A relabel whose payload cannot
// be read is reported once (bad_row) and stays in the join, so a trace it would answer is dropped
// ("relabel_unreadable") rather than answered by an older relabel: eval does the same.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/relabel_join.h"
#include "store/store.h"
#include "util/result.h"

namespace pt {

struct TeacherAnswers {
  RelabelJoin join;
  std::vector<std::string> outputs;  // per slot: payload.output ("" when unreadable)
  std::vector<uint8_t> readable;     // per slot: 1 when payload and output could be read
  size_t read = 0;                   // relabel rows read, of any kind
  size_t unreadable = 0;             // of them, unreadable
  // Loads narrowed to a trace window by the store: the teacher's relabels left in the store (none
  // may join those traces), counted only when every relabel read was unreadable (or none was read).
  int64_t not_read = 0;

  // Loads `teacher`'s relabels of `kinds` (all when empty; kind-less ones always) and notes the
  // trace kinds the production-key relabels need. `bad_row(id, problem)` names each unreadable one.
  // `traces`: when given, only relabels that may join one of those traces are needed (the store
  // may leave the others unread: relabel_source.h, scan_relabels_of_traces).
  static Result<TeacherAnswers> load(Store& store, const std::string& teacher, const std::vector<RequestKind>& kinds,
                                     const std::function<void(const std::string&, const std::string&)>& bad_row,
                                     const RowFilter* traces = nullptr);
};

}  // namespace pt
