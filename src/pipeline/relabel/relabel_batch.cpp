// Implementation of pipeline/relabel/relabel_batch.h. Traces go out in batches of at most 100,000 requests
// and ~64 MB of prompt text (so memory stays bounded); each batch's custom_id is derived from the
// trace id (sha256), which lets `--batch-id ID` collect an interrupted batch's results later without
// paying again. Results are stored as they are read, committed every 256 rows.
#include "pipeline/relabel/relabel_batch.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "pipeline/relabel/relabel_item.h"
#include "providers/anthropic_batch.h"
#include "util/sha256.h"

namespace pt {
namespace {

constexpr size_t kChunkPromptBytes = 64u << 20;
constexpr size_t kCommitRows = 256;

std::string custom_id_for(const std::string& trace_id) { return "t" + sha256_hex(trace_id).substr(0, 40); }

class BatchRun {
 public:
  BatchRun(Store& store, const RelabelOptions& o, RelabelSummary& s, const AnthropicBatchClient& client)
      : store_(store), o_(o), s_(s), client_(client) {}

  Result<void> run(std::vector<std::string> to_do) {
    if (!o_.batch_id.empty()) return collect_existing(to_do);
    size_t next = 0;
    while (next < to_do.size() && !stopping()) {
      std::vector<std::unique_ptr<RelabelItem>> items;
      PT_TRY(fill_chunk(to_do, next, items));
      if (items.empty()) break;
      PT_TRY(send_chunk(items));
      if (s_.stopped_by_signal) break;
    }
    s_.not_sent += static_cast<int64_t>(to_do.size() - std::min(next, to_do.size()));
    return ok();
  }

 private:
  bool stopping() const {
    return s_.stopped_by_budget || s_.stopped_by_signal || (o_.stop_requests && o_.stop_requests->load() > 0);
  }

  // Prepares traces from to_do[next...] into one batch, within the API limits, the chunk size
  // and the budget (worst case of every request at the batch price).
  Result<void> fill_chunk(const std::vector<std::string>& to_do, size_t& next,
                          std::vector<std::unique_ptr<RelabelItem>>& items) {
    size_t bytes = 0;
    double worst = 0;
    const bool need_tokens = o_.budget_usd.has_value();
    while (next < to_do.size() && items.size() < AnthropicBatchClient::kMaxRequests && bytes < kChunkPromptBytes) {
      PT_ASSIGN_OR_RETURN(Prepared p, prepare_relabel_item(store_, to_do[next], o_, need_tokens));
      if (p.status != PrepareStatus::ready) {
        const std::string& id = to_do[next++];
        if (p.status == PrepareStatus::invalid) {
          fail(id, "invalid_trace", p.error);
        } else {
          if (p.status == PrepareStatus::no_context) ++s_.skipped_no_context;
          --s_.to_do;
        }
        continue;
      }
      if (o_.budget_usd) {
        auto w_in = static_cast<int64_t>(std::max(1.25 * static_cast<double>(p.item->input_tokens),
                                                  static_cast<double>(p.item->prompt_bytes) / 3.0)) +
                    64;
        double w = std::max(client_.cost_usd(Usage{w_in, o_.max_output_tokens, 0, 0}),
                            client_.cost_usd(Usage{w_in, o_.max_output_tokens, 0, w_in}));
        if (s_.cost_usd + worst + w > *o_.budget_usd) {
          s_.stopped_by_budget = true;
          break;
        }
        worst += w;
      }
      bytes += p.item->prompt_bytes;
      items.push_back(std::move(p.item));
      ++next;
    }
    return ok();
  }

  Result<void> send_chunk(std::vector<std::unique_ptr<RelabelItem>>& items) {
    std::vector<BatchItem> batch;
    batch.reserve(items.size());
    std::unordered_map<std::string, RelabelItem*> by_custom_id;
    for (auto& it : items) {
      batch.push_back({custom_id_for(it->trace.id), it->input});
      by_custom_id[batch.back().custom_id] = it.get();
    }
    int64_t t0 = steady_ms();
    PT_ASSIGN_OR_RETURN(BatchStatus created, client_.submit(batch));
    batch.clear();
    s_.calls += static_cast<int64_t>(items.size());
    note(
        fmt::format("batch {}: {} requests submitted; waiting for it to end (if interrupted, collect it later "
                    "with --batch --batch-id {})",
                    created.id, items.size(), created.id));
    return collect(created.id, by_custom_id, t0, /*missing_fails=*/true);
  }

  // Polls the batch until it ends (or a stop signal), then stores its results.
  // missing_fails: a request of ours absent from the results is a failure (else: left for later).
  Result<void> collect(const std::string& batch_id, std::unordered_map<std::string, RelabelItem*>& by_custom_id,
                       int64_t t0, bool missing_fails) {
    PT_ASSIGN_OR_RETURN(BatchStatus st,
                        client_.wait(batch_id, o_.batch_poll_ms, o_.batch_max_poll_ms, [&](const BatchStatus& b) {
                          note(fmt::format("batch {}: {}, {} processing, {} succeeded, {} errored", b.id,
                                           b.processing_status, b.processing, b.succeeded, b.errored));
                          return !(o_.stop_requests && o_.stop_requests->load() > 0);
                        }));
    if (!st.ended()) {
      s_.stopped_by_signal = true;
      s_.not_sent += static_cast<int64_t>(by_custom_id.size());
      note(fmt::format("batch {} is still running; collect it later with --batch --batch-id {}", st.id, st.id));
      return ok();
    }
    tick();
    using Outcome = AnthropicBatchClient::Outcome;
    PT_TRY(client_.results_with_outcome(st, [&](const std::string& custom_id, Outcome outcome, Result<Completion> c) {
      auto it = by_custom_id.find(custom_id);
      if (it == by_custom_id.end() || it->second == nullptr) return;  // not ours (or seen already)
      RelabelItem& item = *it->second;
      it->second = nullptr;
      if (outcome == Outcome::canceled || outcome == Outcome::expired) {
        // Never processed, not billed: the trace stays unlabeled and the next run sends it again.
        ++(outcome == Outcome::canceled ? s_.batch_canceled : s_.batch_expired);
        ++s_.not_sent;
      } else if (c.ok()) {
        double cost = client_.cost_usd(c->usage);
        s_.cost_usd += cost;
        pending_.push_back(make_relabel_row(item, client_.model_id(), *c, cost, static_cast<double>(steady_ms() - t0),
                                            o_.with_context, true));
        pending_usage_.push_back(c->usage);
      } else {
        fail(item.trace.id, "batch_error", c.error().message);
      }
      if (pending_.size() >= kCommitRows) commit_ok_ = commit_ok_ && commit().ok();
      tick();
    }));
    if (!commit_ok_ || !commit().ok()) return runtime_error("storing batch relabels failed");
    if (s_.batch_canceled + s_.batch_expired > 0)
      note(
          fmt::format("batch {}: {} request(s) canceled and {} expired before processing (not billed); those traces "
                      "stay unlabeled and the next relabel run sends them again",
                      st.id, s_.batch_canceled, s_.batch_expired));
    for (auto& [custom_id, item] : by_custom_id) {
      if (!item) continue;
      if (missing_fails)
        fail(item->trace.id, "batch_missing", "no result for this request in batch " + st.id);
      else
        ++s_.not_sent;
    }
    tick(true);
    return ok();
  }

  // --batch-id: the batch was made by an earlier run; its custom ids are hashes of trace ids, so
  // the traces of the current selection are matched back to its results.
  Result<void> collect_existing(const std::vector<std::string>& to_do) {
    std::vector<std::unique_ptr<RelabelItem>> items;
    std::unordered_map<std::string, RelabelItem*> by_custom_id;
    for (const auto& id : to_do) {
      PT_ASSIGN_OR_RETURN(Prepared p, prepare_relabel_item(store_, id, o_, false));
      if (p.status != PrepareStatus::ready) continue;
      by_custom_id[custom_id_for(id)] = p.item.get();
      items.push_back(std::move(p.item));
    }
    PT_TRY(collect(o_.batch_id, by_custom_id, steady_ms(), /*missing_fails=*/false));
    return ok();
  }

  Result<void> commit() {
    if (pending_.empty()) return ok();
    PT_TRY(store_.upsert(Table::relabels, pending_));
    s_.done += static_cast<int64_t>(pending_.size());
    for (const auto& u : pending_usage_) s_.usage += u;
    pending_.clear();
    pending_usage_.clear();
    return ok();
  }

  void fail(const std::string& trace_id, const std::string& label, const std::string& reason) {
    ++s_.failed;
    ++s_.failed_by_reason[label];
    s_.failures.push_back({trace_id, one_line(reason)});
  }

  void note(std::string line) const {
    if (o_.diagnostics) o_.diagnostics->note("relabel/batch", std::move(line));
  }

  void tick(bool final = false) const {
    if (o_.on_progress) o_.on_progress({s_.done, s_.failed, s_.to_do, s_.cost_usd, final});
  }

  Store& store_;
  const RelabelOptions& o_;
  RelabelSummary& s_;
  const AnthropicBatchClient& client_;
  std::vector<Row> pending_;
  std::vector<Usage> pending_usage_;
  bool commit_ok_ = true;
};

}  // namespace

Result<void> run_relabel_batch(Store& store, Model& model, const RelabelOptions& options,
                               std::vector<std::string> to_do, RelabelSummary& summary) {
  ModelOptions mo = options.model_options;
  mo.batch = true;
  PT_ASSIGN_OR_RETURN(auto client, AnthropicBatchClient::create(model.id(), mo));
  BatchRun run(store, options, summary, *client);
  return run.run(std::move(to_do));
}

}  // namespace pt
