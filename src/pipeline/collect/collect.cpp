// Implementation of pipeline/collect/collect.h: one streaming pass over the traces (oldest first), in
// batches that worker threads join with the teacher's relabel (core/relabel_join, loaded once) and
// turn into tuning records (collect_trace.h); the collector dedups, splits and appends them in
// trace order to the open output files; the manifest is written last.
#include "pipeline/collect/collect.h"

#include <fmt/format.h>

#include <unordered_set>

#include <algorithm>
#include <future>
#include <thread>

#include "core/picker_call.h"
#include "core/request_kind.h"
#include "core/row.h"
#include "pipeline/collect/collect_manifest.h"
#include "pipeline/collect/collect_trace.h"
#include "pipeline/collect/collect_util.h"
#include "pipeline/join/teacher_answers.h"
#include "tokenizer/gemma_tokenizer.h"
#include "util/atomic_file.h"
#include "util/ordered_pool.h"

namespace pt {
namespace {

constexpr size_t kMaxWarningsPrinted = 20;

unsigned thread_count(int requested) {
  if (requested > 0) return static_cast<unsigned>(requested);
  return std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
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
  if (o.since_us && o.until_us && *o.since_us >= *o.until_us) return usage_error("--since must be before --until");
  return ok();
}

// The state of one run: open outputs, counters, the join index and the reusable buffers.
class Collector {
 public:
  Collector(const CollectOptions& o, CollectSummary& s) : o_(o), s_(s) {
    for (const char* r : kDropReasons) s_.dropped[r] = 0;
  }

  // The first kMaxWarningsPrinted warnings go to the run's diagnostics; the rest are counted.
  void warn(std::string_view code, std::string line) {
    if (++warnings_ > kMaxWarningsPrinted) return;
    if (o_.diagnostics) o_.diagnostics->warn(code, std::move(line));
  }

  void bad_row(const char* table, const std::string& id, const std::string& error) {
    ++s_.bad_rows_total;
    if (s_.bad_rows.size() < kMaxBadRowsKept) s_.bad_rows.push_back({table, id, error});
    warn("collect/bad_row", fmt::format("{} row {}: {}", table, id, error));
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
    // Only the relabels that may join the window's traces are needed (BigQuery reads just those).
    const RowFilter window = trace_filter();
    PT_ASSIGN_OR_RETURN(auto answers,
                        TeacherAnswers::load(store, o_.teacher, o_.recipe.request_kinds, on_bad, &window));
    answers_.emplace(std::move(answers));
    s_.relabels_read = static_cast<int64_t>(answers_->read);
    if (answers_->read == answers_->unreadable && answers_->not_read == 0)
      return runtime_error(
          fmt::format("no relabels by teacher \"{}\" in {} (run `picktune relabel --teacher {}` first)", o_.teacher,
                      store.describe(), o_.teacher));
    return ok();
  }

  // Streams the traces in batches to worker threads and applies their outcomes in trace order;
  // at most 4 × workers batches are held at once, so memory stays flat.
  // The traces a run reads: get-relevant-files ones of the window, oldest first.
  RowFilter trace_filter() const {
    RowFilter filter;
    filter.type = std::string(kGetRelevantFiles);
    filter.since_us = o_.since_us;
    filter.until_us = o_.until_us;
    filter.order = RowFilter::Order::oldest_first;
    return filter;
  }

  Result<void> scan_traces(Store& store, const std::function<size_t(std::string_view)>& count) {
    RowFilter filter = trace_filter();
    if (o_.progress) {
      RowFilter range = filter;
      PT_ASSIGN_OR_RETURN(progress_total_, store.count(Table::traces, range));
    }
    const unsigned threads = thread_count(o_.threads);
    const unsigned workers = threads > 1 ? threads : 0;  // 0: this thread does the work
    std::shared_ptr<const PayloadDecoder> decoder;       // set by scan_encoded before the first row
    TraceWork work(o_, *answers_, count, workers, decoder);
    OrderedPool<TraceBatch> pool(workers, [&](TraceBatch& b, unsigned w) { work(b, w); });
    const size_t max_in_flight = 4 * size_t{std::max(1u, workers)};
    Result<void> failure = ok();
    // Applies the finished batches in order, waiting while too many are in flight (or for all).
    auto apply_done = [&](bool all) {
      while (failure.ok()) {
        auto done = pool.pop_oldest(all || pool.in_flight() >= max_in_flight);
        if (!done) break;
        failure = apply(*done);
        spares_.push_back(std::move(*done));
      }
    };
    TraceBatch batch = spare_batch();
    PT_TRY(store.scan_encoded(
        Table::traces, filter,
        [&](Row&& row) {
          batch.payload_bytes += row.payload.size();
          batch.rows.push_back(spare_row());
          std::swap(batch.rows.back(), row);  // the store reads the next row into a spent row's buffers
          if (batch.rows.size() >= kBatchRows || batch.payload_bytes >= kBatchBytes) {
            pool.submit(std::move(batch));
            batch = spare_batch();
            apply_done(false);
          }
          return failure.ok();
        },
        decoder));
    if (failure.ok() && !batch.rows.empty()) pool.submit(std::move(batch));
    apply_done(true);
    return failure;
  }

  // A run that wrote nothing says why: the drop reason that took the most traces, and what to do.
  void warn_no_samples() {
    if (!o_.diagnostics || s_.samples + s_.validation_samples > 0) return;
    std::string who = o_.recipe_id.empty() ? "teacher " + o_.teacher : "recipe " + o_.recipe_id;
    if (s_.traces_read == 0) {
      o_.diagnostics->warn("collect/no_samples",
                           fmt::format("{}: 0 samples: no get-relevant-files trace in the time range", who));
      return;
    }
    auto top = std::max_element(s_.dropped.begin(), s_.dropped.end(),
                                [](const auto& a, const auto& b) { return a.second < b.second; });
    const std::string& reason = top->first;
    std::string hint;
    if (reason == "relabel_context_mismatch")
      hint = o_.recipe.with_file_context
                 ? fmt::format(
                       "it needs relabels made with file context (picktune relabel --teacher {} "
                       "--with-context; for git history, import it with import git --with-file-context first)",
                       o_.teacher)
                 : "the relabels were made with file context; pass --with-context";
    else if (reason == "no_relabel")
      hint = fmt::format("no relabel by {} answers them (picktune relabel --teacher {})", o_.teacher, o_.teacher);
    else if (reason == "kind_filtered")
      hint = "the recipe keeps other request kinds only (--kinds)";
    else if (reason == "no_request_type")
      hint = "the traces record no request kind";
    else
      hint = "see the dropped counts in " + s_.manifest_path;
    o_.diagnostics->warn("collect/no_samples", fmt::format("{}: 0 samples: {} of {} traces dropped as {}: {}", who,
                                                           top->second, s_.traces_read, reason, hint));
  }

  Result<void> finish() {
    if (o_.progress) o_.progress->finish(s_.traces_read);
    warn_no_samples();
    warn_split_overlap();
    check_vertex_limits(s_);
    for (const auto& w : s_.limit_warnings) warn("collect/vertex_limit", w);
    if (warnings_ > kMaxWarningsPrinted)
      warn("collect/more_warnings", fmt::format("{} more warnings; bad rows are listed in {}",
                                                warnings_ - kMaxWarningsPrinted, s_.manifest_path));
    PT_TRY(manifest_->write(manifest_json(o_, s_)));
    PT_TRY(train_->commit());
    if (validation_) PT_TRY(validation_->commit());
    return manifest_->commit();
  }

 private:
  void skip(const char* reason) { ++s_.dropped[reason]; }

  TraceBatch spare_batch() {
    if (spares_.empty()) return {};
    TraceBatch b = std::move(spares_.back());
    spares_.pop_back();
    for (Row& r : b.rows) spare_rows_.push_back(std::move(r));
    b.rows.clear();
    b.payload_bytes = 0;
    return b;
  }

  Row spare_row() {
    if (spare_rows_.empty()) return {};
    Row r = std::move(spare_rows_.back());
    spare_rows_.pop_back();
    return r;
  }

  // What the workers made of a batch, in trace order: counters, warnings, dedup, limits, writes.
  Result<void> apply(const TraceBatch& batch) {
    for (size_t i = 0; i < batch.rows.size(); ++i) {
      const TraceOutcome& out = batch.outcomes[i];
      if (!out.store_error.empty()) return runtime_error(out.store_error);  // as a failed scan() would
      ++s_.traces_read;
      s_.input_bytes += static_cast<int64_t>(batch.rows[i].payload.size());
      if (!out.bad_row_error.empty()) bad_row("traces", batch.rows[i].id, out.bad_row_error);
      if (out.drop) {
        skip(out.drop);
        continue;
      }
      // ~0 is the table's empty marker: that one hash shares a slot with its neighbour ~0 - 1.
      const uint64_t h = out.input_hash == FlatMap64::kEmpty ? FlatMap64::kEmpty - 1 : out.input_hash;
      if (!seen_.insert(h, 0)) {
        skip("duplicate_input");
        continue;
      }
      if (out.tokens > kVertexMaxExampleTokens) {
        skip("over_token_limit");
        continue;
      }
      PT_TRY(write_record(out));
      note_split_side(batch.rows[i], out.validation);
    }
    if (o_.progress) o_.progress->update(s_.traces_read, progress_total_);
    return ok();
  }

  // Which agent steps and users each side of the split holds (only when there is a validation side).
  void note_split_side(const Row& row, bool validation) {
    if (!validation_) return;
    (validation ? validation_steps_ : train_steps_).insert(row.agent_step_id);
    (validation ? validation_users_ : train_users_).insert(row.user_id);
  }

  static size_t shared(const std::unordered_set<std::string>& a, const std::unordered_set<std::string>& b) {
    size_t n = 0;
    for (const auto& x : a.size() <= b.size() ? a : b) n += (a.size() <= b.size() ? b : a).count(x);
    return n;
  }

  // Validation that shares an agent step or a user with training measures memory, not transfer:
  // say so (always, outside the warning cap), with the split that would keep them apart.
  void warn_split_overlap() {
    if (!validation_ || !o_.diagnostics) return;
    const size_t steps = shared(train_steps_, validation_steps_), users = shared(train_users_, validation_users_);
    if (steps > 0)
      o_.diagnostics->warn("collect/split_overlap",
                           fmt::format("validation shares {} agent step(s) with training (of {} in validation); "
                                       "--split-by step keeps steps apart",
                                       steps, validation_steps_.size()));
    // A single user cannot be kept apart (--split-by user would leave one side empty): no warning.
    const bool one_user = users == 1 && train_users_.size() == 1 && validation_users_.size() == 1;
    if (users > 0 && !one_user)
      o_.diagnostics->warn("collect/split_overlap",
                           fmt::format("validation shares {} user(s) with training (of {} in validation); "
                                       "--split-by user keeps users apart",
                                       users, validation_users_.size()));
  }

  Result<void> write_record(const TraceOutcome& out) {
    const auto bytes = static_cast<int64_t>(out.line.size());
    s_.max_example_tokens = std::max(s_.max_example_tokens, out.tokens);
    if (out.validation) {
      ++s_.validation_samples;
      s_.tokens_validation += out.tokens;
      s_.validation_bytes += bytes;
      return validation_->write(out.line);
    }
    ++s_.samples;
    s_.tokens_train += out.tokens;
    s_.train_bytes += bytes;
    return train_->write(out.line);
  }

  static constexpr size_t kBatchRows = 256;
  static constexpr size_t kBatchBytes = size_t{4} << 20;

  const CollectOptions& o_;
  CollectSummary& s_;
  std::vector<TraceBatch> spares_;  // applied batches, reused for their buffers
  std::vector<Row> spare_rows_;     // their rows, whose buffers the store reads into
  std::optional<TeacherAnswers> answers_;
  std::optional<AtomicFile> train_, validation_, manifest_;
  FlatMap64 seen_{1024};  // input hashes of the examples written
  size_t warnings_ = 0;
  int64_t progress_total_ = 0;
  std::unordered_set<std::string> train_steps_, validation_steps_, train_users_, validation_users_;
};

}  // namespace

std::string train_path_for(std::string_view prefix) { return strip_jsonl(prefix) + ".jsonl"; }
std::string validation_path_for(std::string_view prefix) { return strip_jsonl(prefix) + "-validation.jsonl"; }
std::string manifest_path_for(std::string_view prefix) { return strip_jsonl(prefix) + ".manifest.json"; }

Result<CollectSummary> run_collect(Store& store, const CollectOptions& options) {
  PT_TRY(check_options(options));
  // The tokenizer loads (a few tenths of a second) while the relabels are read.
  std::future<Result<const GemmaTokenizer*>> tokenizer;
  if (!options.count_tokens) tokenizer = std::async(std::launch::async, [] { return GemmaTokenizer::shared(); });
  auto counter = [&]() -> Result<std::function<size_t(std::string_view)>> {
    if (options.count_tokens) return options.count_tokens;
    PT_ASSIGN_OR_RETURN(const GemmaTokenizer* tok, tokenizer.get());
    return std::function<size_t(std::string_view)>([tok](std::string_view text) { return tok->count(text); });
  };
  CollectSummary summary;
  Collector collector(options, summary);
  Result<void> loaded = collector.open_outputs();
  if (loaded.ok()) loaded = collector.load_relabels(store);
  auto count = counter();  // a missing tokenizer is named before any relabel problem
  if (!count.ok()) return count.error();
  PT_TRY(loaded);
  PT_TRY(collector.scan_traces(store, *count));
  PT_TRY(collector.finish());
  return summary;
}

}  // namespace pt
