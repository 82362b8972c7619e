// Implementation of pipeline/join/teacher_answers.h.
#include "pipeline/join/teacher_answers.h"

#include <algorithm>

#include "pipeline/join/relabel_source.h"
#include "providers/student_names.h"

namespace pt {

Result<TeacherAnswers> TeacherAnswers::load(Store& store, const std::string& teacher,
                                            const std::vector<RequestKind>& kinds,
                                            const std::function<void(const std::string&, const std::string&)>& bad_row,
                                            const RowFilter* traces) {
  TeacherAnswers a;
  auto visit = [&](RelabelRecord&& r) {
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
  };
  bool narrowed = false;
  if (traces) {
    PT_ASSIGN_OR_RETURN(narrowed, scan_relabels_of_traces(store, teacher, *traces, visit));
  } else {
    PT_TRY(scan_relabels(store, teacher, visit));
  }
  if (narrowed && a.read == a.unreadable) {
    RowFilter all;
    PT_ASSIGN_OR_RETURN(all.model, canonical_model_id(teacher));
    PT_ASSIGN_OR_RETURN(int64_t stored, store.count(Table::relabels, all));
    a.not_read = stored - static_cast<int64_t>(a.read);
  }
  PT_TRY(note_trace_kinds(store, a.join));
  return a;
}

}  // namespace pt
