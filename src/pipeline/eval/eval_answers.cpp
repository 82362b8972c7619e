// Implementation of pipeline/eval/eval_answers.h.
#include "pipeline/eval/eval_answers.h"

#include "core/file_list.h"
#include "pipeline/join/relabel_source.h"

namespace pt {

StoredAnswer stored_answer(RelabelRecord&& r) {
  StoredAnswer a;
  a.id = r.key.id;
  a.problem = std::move(r.problem);
  if (!a.problem.empty()) return a;
  if (r.output) {
    a.files = parse_file_list(*r.output);
    a.text = std::move(*r.output);
    return a;
  }
  if (!r.files_problem.empty()) {
    a.problem = std::move(r.files_problem);
    return a;
  }
  if (!r.files) {
    a.problem = "payload: neither an \"output\" string nor a \"files\" array";
    return a;
  }
  for (const auto& f : *r.files) a.text.append(f).push_back('\n');
  a.files = parse_file_list(a.text);
  return a;
}

Result<AnswerIndex> AnswerIndex::load(Store& store, const std::string& model, const RowFilter* traces) {
  AnswerIndex index;
  auto visit = [&](RelabelRecord&& r) { index.add(std::move(r)); };
  if (traces) {
    PT_TRY(scan_relabels_of_traces(store, model, *traces, visit));
  } else {
    PT_TRY(scan_relabels(store, model, visit));
  }
  return index;
}

void AnswerIndex::add(RelabelRecord&& record) {
  join_.add(record.key);
  answers_.push_back(stored_answer(std::move(record)));
}

AnswerLookup AnswerIndex::find(const TraceKey& trace) const {
  JoinResult r = join_.find(trace, std::nullopt);
  if (r.outcome == JoinOutcome::ambiguous) return {nullptr, true};
  if (r.outcome != JoinOutcome::matched) return {};
  return {&answers_[r.slot], false};
}

}  // namespace pt
