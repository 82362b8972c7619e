// Implementation of pipeline/collect.h: one streaming pass over the traces (oldest first), each
// joined with the teacher's relabel from an in-memory RelabelIndex, turned into a tuning record,
// deduplicated, split and appended to the open output files; the manifest is written last.
#include "pipeline/collect.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "core/picker_call.h"
#include "core/row.h"
#include "pipeline/atomic_file.h"
#include "pipeline/collect_join.h"
#include "pipeline/collect_manifest.h"
#include "pipeline/collect_util.h"
#include "tokenizer/gemma_tokenizer.h"

namespace pt {
namespace {

constexpr size_t kMaxWarningsPrinted = 20;

unsigned thread_count(int requested) {
  if (requested > 0) return static_cast<unsigned>(requested);
  return std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
}

std::string strip_jsonl(std::string_view prefix) {
  constexpr std::string_view kExt = ".jsonl";
  if (prefix.size() > kExt.size() && prefix.substr(prefix.size() - kExt.size()) == kExt)
    prefix.remove_suffix(kExt.size());
  return std::string(prefix);
}

Result<void> check_options(const CollectOptions& o) {
  if (o.teacher.empty()) return usage_error("--teacher: a relabel model id is required");
  if (o.validation_fraction) PT_TRY(check_validation_fraction(*o.validation_fraction));
  if (o.epochs < 1) return usage_error(fmt::format("--epochs: expected a positive integer, not {}", o.epochs));
  if (!(o.price_per_mtok >= 0)) return usage_error("--price-per-mtok: expected a non-negative number");
  if (o.recipe.top_k && (*o.recipe.top_k < 1 || *o.recipe.top_k > 30))
    return usage_error(fmt::format("--top-k: expected 1..30, not {}", *o.recipe.top_k));
  if (o.recipe.request_kinds.empty()) return usage_error("--kinds: at least one of Key, Non-Obvious");
  for (const auto& k : o.recipe.request_kinds)
    if (k != kKindKey && k != kKindNonObvious)
      return usage_error(fmt::format("--kinds: expected Key or Non-Obvious, not \"{}\"", k));
  if (o.since_us && o.until_us && *o.since_us >= *o.until_us) return usage_error("--since must be before --until");
  return ok();
}

// The state of one run: open outputs, counters, the join index and the reusable buffers.
class Collector {
 public:
  Collector(const CollectOptions& o, CollectSummary& s, std::function<size_t(std::string_view)> count)
      : o_(o), s_(s), tokens_(std::move(count), thread_count(o.threads)) {
    for (const char* r : kDropReasons) s_.dropped[r] = 0;
  }

  void warn(const std::string& line) {
    if (++warnings_ > kMaxWarningsPrinted) return;
    if (o_.warn)
      o_.warn(line);
    else
      std::fprintf(stderr, "picktune: warning: %s\n", line.c_str());
  }

  void bad_row(const char* table, const std::string& id, const std::string& error) {
    ++s_.bad_rows_total;
    if (s_.bad_rows.size() < kMaxBadRowsKept) s_.bad_rows.push_back({table, id, error});
    warn(fmt::format("{} row {}: {}", table, id, error));
  }

  Result<void> open_outputs() {
    s_.train_path = train_path_for(o_.output_prefix);
    s_.manifest_path = manifest_path_for(o_.output_prefix);
    PT_ASSIGN_OR_RETURN(auto train, AtomicFile::create(s_.train_path));
    train_.emplace(std::move(train));
    if (o_.validation_fraction) {
      s_.validation_path = validation_path_for(o_.output_prefix);
      PT_ASSIGN_OR_RETURN(auto val, AtomicFile::create(s_.validation_path));
      validation_.emplace(std::move(val));
    }
    PT_ASSIGN_OR_RETURN(auto manifest, AtomicFile::create(s_.manifest_path));
    manifest_.emplace(std::move(manifest));
    return ok();
  }

  Result<void> load_relabels(Store& store) {
    auto on_bad = [&](const std::string& id, const std::string& e) {
      ++s_.dropped["unparseable_relabel_payload"];
      bad_row("relabels", id, e);
    };
    PT_ASSIGN_OR_RETURN(auto index, RelabelIndex::load(store, o_.teacher, o_.recipe.request_kinds, on_bad));
    index_.emplace(std::move(index));
    s_.relabels_read = static_cast<int64_t>(index_->size()) + s_.dropped["unparseable_relabel_payload"];
    if (index_->size() == 0)
      return runtime_error(
          fmt::format("no relabels by teacher \"{}\" in {} (run `picktune relabel --teacher {}` first)", o_.teacher,
                      store.describe(), o_.teacher));
    if (index_->needs_kind_pass()) PT_TRY(index_->run_kind_pass(store));
    return ok();
  }

  Result<void> scan_traces(Store& store) {
    RowFilter filter;
    filter.type = std::string(kGetRelevantFiles);
    filter.since_us = o_.since_us;
    filter.until_us = o_.until_us;
    filter.order = RowFilter::Order::oldest_first;
    Result<void> failure = ok();
    PT_TRY(store.scan(Table::traces, filter, [&](Row&& row) {
      auto r = add_trace(row);
      if (!r.ok()) failure = r;
      return r.ok();
    }));
    return failure;
  }

  Result<void> finish() {
    PT_TRY(flush());
    check_vertex_limits(s_);
    for (const auto& w : s_.limit_warnings) warn(w);
    if (warnings_ > kMaxWarningsPrinted)
      warn(fmt::format("{} more warnings; bad rows are listed in {}", warnings_ - kMaxWarningsPrinted,
                       s_.manifest_path));
    PT_TRY(manifest_->write(manifest_json(o_, s_)));
    PT_TRY(train_->commit());
    if (validation_) PT_TRY(validation_->commit());
    return manifest_->commit();
  }

 private:
  Result<void> skip(const char* reason) {
    ++s_.dropped[reason];
    return ok();
  }

  bool kind_selected(std::string_view kind) const {
    for (const auto& k : o_.recipe.request_kinds)
      if (k == kind) return true;
    return false;
  }

  Result<void> add_trace(const Row& row) {
    ++s_.traces_read;
    s_.input_bytes += static_cast<int64_t>(row.payload.size());
    auto call = parse_picker_call(row.payload);
    if (!call.ok()) {
      bad_row("traces", row.id, call.error().message);
      return skip("unparseable_payload");
    }
    if (call->request_type.empty()) return skip("no_request_type");
    if (!kind_selected(call->request_type)) return skip("kind_filtered");
    TraceKey key{row.id, row.agent_step_id, row.user_id, call->request_type, call->user_input_id};
    JoinResult joined = index_->find(key, o_.recipe.with_file_context);
    switch (joined.outcome) {
      case JoinOutcome::matched:
        break;
      case JoinOutcome::no_relabel:
        return skip("no_relabel");
      case JoinOutcome::context_mismatch:
        return skip("relabel_context_mismatch");
      case JoinOutcome::ambiguous:
        return skip("ambiguous_relabel");
    }
    BuiltExample built = build_tuning_example(*call, joined.relabel->output, o_.recipe);
    if (built.drop == ExampleDrop::empty_answer) return skip("empty_answer");
    if (built.drop == ExampleDrop::no_input) return skip("no_input");
    buf_.clear();
    append_input_fingerprint(built.example, buf_);
    if (!seen_.insert(sha256_u64(buf_))) return skip("duplicate_input");
    bool validation = false;
    if (o_.validation_fraction) {
      std::string_view k = split_key(o_.split_by, row.agent_step_id, row.user_id, row.id);
      validation = in_validation(sha256_hex(split_hash_input(k, o_.seed)), *o_.validation_fraction);
    }
    for (const auto& p : built.example.system) batch_bytes_ += p.size();
    for (const auto& t : built.example.contents)
      for (const auto& p : t.parts) batch_bytes_ += p.size();
    batch_.push_back({std::move(built.example), validation});
    if (batch_.size() >= kBatchRecords || batch_bytes_ >= kBatchBytes) return flush();
    return ok();
  }

  // Counts the tokens of the pending records (in parallel), then drops or writes each in order.
  Result<void> flush() {
    texts_.clear();
    for (const auto& p : batch_) {
      for (const auto& s : p.example.system) texts_.push_back(s);
      for (const auto& t : p.example.contents)
        for (const auto& part : t.parts) texts_.push_back(part);
    }
    tokens_.count(texts_, counts_);
    size_t k = 0;
    for (const auto& p : batch_) {
      // count_example_tokens visits the parts in the order texts_ was filled
      int64_t tokens =
          static_cast<int64_t>(count_example_tokens(p.example, [&](std::string_view) { return counts_[k++]; }));
      if (tokens > kVertexMaxExampleTokens) {
        PT_TRY(skip("over_token_limit"));
        continue;
      }
      PT_TRY(write_record(p.example, p.validation, tokens));
    }
    batch_.clear();
    batch_bytes_ = 0;
    return ok();
  }

  Result<void> write_record(const TuningExample& example, bool validation, int64_t tokens) {
    buf_.clear();
    append_record_json(example, o_.format, buf_);
    buf_ += '\n';
    s_.max_example_tokens = std::max(s_.max_example_tokens, tokens);
    if (validation) {
      ++s_.validation_samples;
      s_.tokens_validation += tokens;
      s_.validation_bytes += static_cast<int64_t>(buf_.size());
      return validation_->write(buf_);
    }
    ++s_.samples;
    s_.tokens_train += tokens;
    s_.train_bytes += static_cast<int64_t>(buf_.size());
    return train_->write(buf_);
  }

  struct Pending {
    TuningExample example;
    bool validation = false;
  };
  static constexpr size_t kBatchRecords = 512;
  static constexpr size_t kBatchBytes = size_t{16} << 20;

  const CollectOptions& o_;
  CollectSummary& s_;
  BatchTokenCounter tokens_;
  std::vector<Pending> batch_;
  size_t batch_bytes_ = 0;
  std::vector<std::string_view> texts_;
  std::vector<size_t> counts_;
  std::optional<RelabelIndex> index_;
  std::optional<AtomicFile> train_, validation_, manifest_;
  HashSet64 seen_;
  std::string buf_;
  size_t warnings_ = 0;
};

}  // namespace

std::string train_path_for(std::string_view prefix) { return strip_jsonl(prefix) + ".jsonl"; }
std::string validation_path_for(std::string_view prefix) { return strip_jsonl(prefix) + "-validation.jsonl"; }
std::string manifest_path_for(std::string_view prefix) { return strip_jsonl(prefix) + ".manifest.json"; }

Result<CollectSummary> run_collect(Store& store, const CollectOptions& options) {
  PT_TRY(check_options(options));
  std::function<size_t(std::string_view)> count = options.count_tokens;
  if (!count) {
    PT_ASSIGN_OR_RETURN(const GemmaTokenizer* tok, GemmaTokenizer::shared());
    count = [tok](std::string_view text) { return tok->count(text); };
  }
  CollectSummary summary;
  Collector collector(options, summary, std::move(count));
  PT_TRY(collector.open_outputs());
  PT_TRY(collector.load_relabels(store));
  PT_TRY(collector.scan_traces(store));
  PT_TRY(collector.finish());
  return summary;
}

}  // namespace pt
