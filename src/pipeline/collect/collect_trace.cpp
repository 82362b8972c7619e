// Implementation of pipeline/collect/collect_trace.h.
#include "pipeline/collect/collect_trace.h"

#include <algorithm>

#include "core/picker_call.h"
#include "core/row.h"
#include "util/sha256.h"

namespace pt {

TraceWork::TraceWork(const CollectOptions& options, const TeacherAnswers& answers,
                     std::function<size_t(std::string_view)> count, unsigned workers,
                     const std::shared_ptr<const PayloadDecoder>& decoder)
    : o_(options), answers_(answers), decoder_(decoder) {
  for (unsigned i = 0; i < std::max(1u, workers); ++i) memos_.push_back(std::make_unique<TokenMemo>(count));
}

void TraceWork::operator()(TraceBatch& batch, unsigned worker) {
  batch.outcomes.resize(batch.rows.size());
  for (size_t i = 0; i < batch.rows.size(); ++i) {
    TraceOutcome& out = batch.outcomes[i];
    out.drop = nullptr;
    out.bad_row_error.clear();
    out.store_error.clear();
    out.line.clear();  // keeps its capacity for the next record
    if (decoder_) {
      if (Result<void> r = decoder_->decode(Table::traces, batch.rows[i]); !r.ok()) {
        out.store_error = r.error().message;
        out.drop = "unparseable_payload";
        continue;
      }
    }
    process(batch.rows[i], out, *memos_[worker]);
  }
}

bool TraceWork::kind_selected(RequestKind kind) const {
  const auto& kinds = o_.recipe.request_kinds;
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

void TraceWork::process(const Row& row, TraceOutcome& out, TokenMemo& memo) const {
  auto call = parse_picker_call(row.payload);
  if (!call.ok()) {
    out.bad_row_error = call.error().message;
    out.drop = "unparseable_payload";
    return;
  }
  if (call->request_kind == RequestKind::absent) return void(out.drop = "no_request_type");
  if (!kind_selected(call->request_kind)) return void(out.drop = "kind_filtered");
  TraceKey key{row.id, row.agent_step_id, row.user_id, call->user_input_id, call->request_kind};
  JoinResult joined = answers_.join.find(key, o_.recipe.with_file_context);
  switch (joined.outcome) {
    case JoinOutcome::matched: break;
    case JoinOutcome::no_relabel: return void(out.drop = "no_relabel");
    case JoinOutcome::context_mismatch: return void(out.drop = "relabel_context_mismatch");
    case JoinOutcome::ambiguous: return void(out.drop = "ambiguous_relabel");
  }
  if (!answers_.readable[joined.slot]) return void(out.drop = "relabel_unreadable");
  BuiltExample built = build_tuning_example(std::move(*call), answers_.outputs[joined.slot], o_.recipe);
  if (built.drop == ExampleDrop::empty_answer) return void(out.drop = "empty_answer");
  if (built.drop == ExampleDrop::no_input) return void(out.drop = "no_input");
  out.input_hash = input_hash(built.example);
  std::string_view split = split_key(o_.split_by, row.agent_step_id, row.user_id, row.id);
  out.validation =
      o_.validation_fraction && in_validation(sha256_hex(split_hash_input(split, o_.seed)), *o_.validation_fraction);
  out.tokens = static_cast<int64_t>(
      count_example_tokens(built.example, [&](std::string_view text) { return memo.count(text); }));
  append_record_json(built.example, o_.format, out.line);
  out.line += '\n';
}

}  // namespace pt
