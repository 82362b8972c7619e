// Implementation of pipeline/relabel/relabel_batch.h. Traces go out in batches of at most 100,000 requests
// and ~64 MB of prompt text (so memory stays bounded); each batch's custom_id is derived from the
// trace id (sha256), which lets `--batch-id ID` collect an interrupted batch's results later without
// paying again. Results are stored as they are read, committed every 256 rows. Leases
// (relabel_leases.h): a trace goes into a batch only once this run has claimed it; the accepted
// batch's id is recorded on its leases, which are renewed while it is polled; a later run adopts
// the expired leases of a batch whose run died and collects that batch instead of resubmitting.
#include "pipeline/relabel/relabel_batch.h"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "pipeline/relabel/relabel_item.h"
#include "pipeline/relabel/relabel_leases.h"
#include "providers/anthropic_batch.h"
#include "util/one_line.h"
#include "util/sha256.h"

namespace pt {
namespace {

constexpr size_t kChunkPromptBytes = 64u << 20;
constexpr size_t kCommitRows = 256;
constexpr size_t kClaimTraces = 256;  // traces claimed per store transaction

std::string custom_id_for(const std::string& trace_id) { return "t" + sha256_hex(trace_id).substr(0, 40); }

class BatchRun {
 public:
  BatchRun(Store& store, const RelabelOptions& o, RelabelSummary& s, const AnthropicBatchClient& client)
      : store_(store), o_(o), s_(s), client_(client) {}

  Result<void> run(std::vector<std::string> to_do) {
    if (!o_.batch_id.empty()) return collect_existing(to_do);
    leases_.emplace(store_, client_.model_id(), o_.with_context, o_.lease_ms, o_.lease_owner);
    Result<void> r = leases_->begin(s_, o_.diagnostics);
    if (r.ok()) r = adopt(to_do);
    if (r.ok()) r = send_all(std::move(to_do));
    Result<void> released = leases_->release_all();  // a batch not collected is left for adoption
    PT_TRY(r);
    return released;
  }

 private:
  bool stopping() const {
    return s_.stopped_by_budget || s_.stopped_by_signal || (o_.stop_requests && o_.stop_requests->load() > 0);
  }

  Result<void> send_all(std::vector<std::string> to_do) {
    std::deque<std::string> queue(std::make_move_iterator(to_do.begin()), std::make_move_iterator(to_do.end()));
    while ((!queue.empty() || leases_->waiting() > 0) && !stopping()) {
      std::vector<std::unique_ptr<RelabelItem>> items;
      PT_TRY(fill_chunk(queue, items));
      if (items.empty()) break;
      PT_TRY(send_chunk(items));
      if (s_.stopped_by_signal) break;
    }
    s_.not_sent += static_cast<int64_t>(queue.size() + leases_->waiting());
    return ok();
  }

  // Collects the batches of earlier runs that died with traces of this selection in flight (their
  // leases expired or were reaped): those traces are not sent again.
  Result<void> adopt(std::vector<std::string>& to_do) {
    PT_ASSIGN_OR_RETURN(auto adopted, leases_->adopt_batches(to_do));
    if (adopted.empty()) return ok();
    std::map<std::string, std::vector<std::string>> by_batch;
    std::unordered_set<std::string> taken;
    for (auto& [trace_id, batch_id] : adopted) {
      taken.insert(trace_id);
      by_batch[batch_id].push_back(trace_id);
    }
    std::erase_if(to_do, [&](const std::string& id) { return taken.count(id) > 0; });
    for (const auto& [batch_id, ids] : by_batch) {
      note(
          fmt::format("batch {}: {} trace(s) of this run were submitted in it by an earlier run that stopped; "
                      "collecting its results instead of sending them again",
                      batch_id, ids.size()));
      std::vector<std::unique_ptr<RelabelItem>> items;
      std::unordered_map<std::string, RelabelItem*> by_custom_id;
      for (const auto& id : ids) {
        PT_ASSIGN_OR_RETURN(Prepared p, prepare_relabel_item(store_, id, o_, false));
        if (p.status != PrepareStatus::ready) {
          skip_unready(id, p);
          continue;
        }
        by_custom_id[custom_id_for(id)] = p.item.get();
        items.push_back(std::move(p.item));
      }
      PT_TRY(collect(batch_id, by_custom_id, steady_ms(), /*missing_fails=*/true));
      if (s_.stopped_by_signal) break;
    }
    return ok();
  }

  // A trace that cannot go out (deleted, no context, invalid payload): counted, its lease dropped.
  void skip_unready(const std::string& id, const Prepared& p) {
    leases_->finish(id);
    if (p.status == PrepareStatus::invalid) {
      fail(id, "invalid_trace", p.error);
      return;
    }
    if (p.status == PrepareStatus::no_context) ++s_.skipped_no_context;
    --s_.to_do;
  }

  // Prepares claimed traces of the queue into one batch, within the API limits, the chunk size
  // and the budget (worst case of every request at the batch price).
  Result<void> fill_chunk(std::deque<std::string>& queue, std::vector<std::unique_ptr<RelabelItem>>& items) {
    size_t bytes = 0;
    double worst = 0;
    const bool need_tokens = o_.budget_usd.has_value();
    while (items.size() < AnthropicBatchClient::kMaxRequests && bytes < kChunkPromptBytes) {
      PT_ASSIGN_OR_RETURN(std::optional<std::string> id, leases_->next(queue, kClaimTraces, s_));
      if (!id) break;
      PT_TRY(leases_->renew_if_due());
      PT_ASSIGN_OR_RETURN(Prepared p, prepare_relabel_item(store_, *id, o_, need_tokens));
      if (p.status != PrepareStatus::ready) {
        skip_unready(*id, p);
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
          leases_->put_back(std::move(*id));  // not sent: counted in not_sent, released at the end
          break;
        }
        worst += w;
      }
      bytes += p.item->prompt_bytes;
      items.push_back(std::move(p.item));
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
    std::vector<std::string> trace_ids;
    for (const auto& it : items) trace_ids.push_back(it->trace.id);
    PT_TRY(leases_->renew_if_due());
    int64_t t0 = steady_ms();
    PT_ASSIGN_OR_RETURN(BatchStatus created, client_.submit(batch));
    batch.clear();
    s_.calls += static_cast<int64_t>(items.size());
    note(
        fmt::format("batch {}: {} requests submitted; waiting for it to end (if interrupted, the next relabel --batch "
                    "run collects it, or collect it with --batch --batch-id {})",
                    created.id, items.size(), created.id));
    Result<void> recorded = leases_->set_batch(trace_ids, created.id);
    if (!recorded.ok())
      return runtime_error(
          fmt::format("batch {} was submitted but could not be recorded on its leases ({}); collect "
                      "it with --batch --batch-id {}",
                      created.id, recorded.error().message, created.id));
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
                          // A failed renewal is not fatal: a run adopting the lease collects the same batch.
                          if (leases_) (void)leases_->renew_if_due();
                          return !(o_.stop_requests && o_.stop_requests->load() > 0);
                        }));
    if (!st.ended()) {
      s_.stopped_by_signal = true;
      s_.not_sent += static_cast<int64_t>(by_custom_id.size());
      note(fmt::format("batch {} is still running; the next relabel --batch run collects it (or --batch --batch-id {})",
                       st.id, st.id));
      return ok();
    }
    tick();
    using Outcome = AnthropicBatchClient::Outcome;
    PT_TRY(client_.results_with_outcome(st, [&](const std::string& custom_id, Outcome outcome, Result<Completion> c) {
      auto it = by_custom_id.find(custom_id);
      if (it == by_custom_id.end() || it->second == nullptr) return;  // not ours (or seen already)
      RelabelItem& item = *it->second;
      it->second = nullptr;
      answered_.push_back(item.trace.id);
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
      if (leases_) (void)leases_->renew_if_due();  // reading a large batch's results takes a while
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
      answered_.push_back(item->trace.id);
      if (missing_fails)
        fail(item->trace.id, "batch_missing", "no result for this request in batch " + st.id);
      else
        ++s_.not_sent;
    }
    if (leases_) {  // every trace of the batch is settled: stored, failed, or free to send again
      for (const auto& id : answered_) leases_->finish(id);
      PT_TRY(leases_->flush());
    }
    answered_.clear();
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
  std::optional<RelabelLeases> leases_;  // not with --batch-id (collecting pays nothing)
  std::vector<std::string> answered_;    // traces of the batch being collected whose result was read
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
