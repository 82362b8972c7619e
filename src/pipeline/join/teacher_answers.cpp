// Implementation of pipeline/join/teacher_answers.h.
#include "pipeline/join/teacher_answers.h"

#include <algorithm>

#include "pipeline/join/relabel_source.h"

namespace pt {

Result<TeacherAnswers> TeacherAnswers::load(
    Store& store, const std::string& teacher, const std::vector<RequestKind>& kinds,
    const std::function<void(const std::string&, const std::string&)>& bad_row) {
  TeacherAnswers a;
  PT_TRY(scan_relabels(store, teacher, [&](RelabelRecord&& r) {
    ++a.read;
    std::string problem = r.problem;
    if (problem.empty() && !r.output) problem = "payload.output: missing";
    if (!problem.empty()) {
      ++a.unreadable;
      bad_row(r.key.id, problem);
    }
    // A kind this run never joins (its traces are filtered out before the join): not kept.
    RequestKind kind = r.key.request_kind;
    if (is_known(kind) && !kinds.empty() && std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) return;
    a.join.add(r.key);
    a.readable.push_back(problem.empty() ? 1 : 0);
    a.outputs.push_back(problem.empty() ? std::move(*r.output) : std::string());
  }));
  PT_TRY(note_trace_kinds(store, a.join));
  return a;
}

}  // namespace pt
