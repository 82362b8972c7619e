// The relabel engine of pipeline/relabel/relabel.h. One loop turn: (1) unless stopping, start requests
// while fewer than --concurrency are in flight, the rate limiter allows and the budget (spent +
// worst case of everything in flight) stays under --budget; (2) drive the transfers
// (HttpMulti::run_once) and handle finished ones: parse, price, queue the relabel row, or schedule
// a retry with backoff; (3) commit the rows received during this turn in one transaction. So a
// crash loses only answers still in flight or received in the current turn (< ~100 ms).
#include "pipeline/relabel/relabel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <random>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "core/request_kind.h"
#include "net/loopback.h"
#include "net/rate_limiter.h"
#include "net/retry.h"
#include "net/secrets.h"
#include "pipeline/relabel/relabel_batch.h"
#include "pipeline/relabel/relabel_exact_tokens.h"
#include "pipeline/relabel/relabel_item.h"
#include "pipeline/relabel/relabel_leases.h"
#include "pipeline/relabel/relabel_select.h"
#include "providers/token_count.h"
#include "tokenizer/gemma_tokenizer.h"
#include "util/one_line.h"

namespace pt {
namespace {

constexpr int64_t kTypicalOutputTokens = 200;  // dry-run estimate of an answer's length
constexpr int kMaxTurnMs = 50;                 // longest wait of one loop turn
constexpr size_t kMinClaim = 8;                // traces claimed per store transaction (at least)

class Engine {
 public:
  Engine(Store& store, Model& model, const RelabelOptions& o, RelabelSummary& s, std::vector<std::string> to_do)
      : store_(store),
        model_(model),
        o_(o),
        s_(s),
        queue_(std::make_move_iterator(to_do.begin()), std::make_move_iterator(to_do.end())),
        count_(token_counter(o)),
        need_tokens_(o.budget_usd.has_value() || o.tpm > 0),
        limiter_(o.rpm, o.tpm, RateLimiter::now_ms()),
        policy_(relabel_retry_policy(o)),
        rng_(std::random_device{}()) {}

  Result<void> run() {
    tick();
    if (LocalModel* local = model_.as_local()) return run_local(*local);
    remote_ = model_.as_remote();
    leases_.emplace(store_, model_.id(), o_.with_context, o_.lease_ms, o_.lease_owner);
    Result<void> r = leases_->begin(s_, o_.diagnostics);
    if (r.ok()) r = run_remote();
    Result<void> released = leases_->release_all();  // a crash leaves them to expire instead
    PT_TRY(r);
    return released;
  }

 private:
  Result<void> run_remote() {
    HttpMulti multi(std::max(1, o_.concurrency));
    multi_ = &multi;
    while (true) {
      int stops = o_.stop_requests ? o_.stop_requests->load() : 0;
      if (stops > 0 && !stop_sending_) stop(s_.stopped_by_signal);
      if (stops > 1) break;  // second signal: do not wait for what is in flight
      if (!stop_sending_) PT_TRY(fill());
      if (in_flight_.empty() && (stop_sending_ || (queue_.empty() && waiting_.empty() && !parked_))) break;
      multi.run_once(turn_wait_ms());
      PT_TRY(commit());
      PT_TRY(leases_->renew_if_due());
      tick();
    }
    PT_TRY(commit());
    s_.not_sent += static_cast<int64_t>(queue_.size() + leases_->waiting() + waiting_.size() + in_flight_.size()) +
                   (parked_ ? 1 : 0);
    tick(true);
    multi_ = nullptr;
    return ok();
  }

  void tick(bool final = false) const {
    if (o_.on_progress) o_.on_progress({s_.done, s_.failed, s_.to_do, s_.cost_usd, final});
  }

  void stop(bool& reason) {
    reason = true;
    stop_sending_ = true;
  }

  // The next item ready to send: a parked one, a retry whose time has come, else a fresh trace.
  Result<std::unique_ptr<RelabelItem>> next_item() {
    if (parked_) return std::move(parked_);
    int64_t now = steady_ms();
    for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
      if ((*it)->ready_at_ms <= now) {
        auto item = std::move(*it);
        waiting_.erase(it);
        return item;
      }
    }
    while (true) {
      PT_ASSIGN_OR_RETURN(std::optional<std::string> next, next_trace_id());
      if (!next) break;
      std::string id = std::move(*next);
      PT_ASSIGN_OR_RETURN(Prepared p, prepare_relabel_item(store_, id, o_, need_tokens_));
      switch (p.status) {
        case PrepareStatus::ready: return std::move(p.item);
        case PrepareStatus::no_context:
          ++s_.skipped_no_context;
          --s_.to_do;
          if (leases_) leases_->finish(id);
          break;
        case PrepareStatus::missing:
          --s_.to_do;
          if (leases_) leases_->finish(id);
          break;  // deleted since selection
        case PrepareStatus::invalid: fail(id, "invalid_trace", p.error); break;
      }
    }
    return std::unique_ptr<RelabelItem>();
  }

  // The next trace to prepare. With leases: one this run has claimed and nobody has answered
  // meanwhile (RelabelLeases::next).
  Result<std::optional<std::string>> next_trace_id() {
    if (leases_) return leases_->next(queue_, std::max<size_t>(kMinClaim, static_cast<size_t>(o_.concurrency)), s_);
    if (queue_.empty()) return std::optional<std::string>();
    std::string id = std::move(queue_.front());
    queue_.pop_front();
    return std::optional<std::string>(std::move(id));
  }

  // Tokens the budget assumes for an item's input: its estimate with a safety margin.
  int64_t worst_input_tokens(const RelabelItem& item) const {
    auto est = static_cast<int64_t>(std::ceil(1.25 * static_cast<double>(item.input_tokens)));
    return std::max<int64_t>(est, static_cast<int64_t>(item.prompt_bytes / 3)) + 64;
  }

  Result<void> fill() {
    while (static_cast<int>(in_flight_.size()) < o_.concurrency && !stop_sending_) {
      PT_ASSIGN_OR_RETURN(auto item, next_item());
      if (!item) return ok();
      if (o_.budget_usd) {
        int64_t w = worst_input_tokens(*item);  // priced as plain input or as a cache write, the dearer
        item->worst_cost_usd = std::max(model_.cost_usd(Usage{w, o_.max_output_tokens, 0, 0}),
                                        model_.cost_usd(Usage{w, o_.max_output_tokens, 0, w}));
        if (s_.cost_usd + in_flight_worst_ + item->worst_cost_usd > *o_.budget_usd) {
          parked_ = std::move(item);
          stop(s_.stopped_by_budget);
          return ok();
        }
      }
      if (!limiter_.try_acquire(static_cast<int64_t>(item->input_tokens), RateLimiter::now_ms())) {
        parked_ = std::move(item);
        return ok();
      }
      send(std::move(item));
    }
    return ok();
  }

  void send(std::unique_ptr<RelabelItem> item) {
    auto req = remote_->build_request(item->input);
    if (!req.ok()) {  // only credentials fail here (e.g. a rejected service-account JWT): every call would
      fail(item->trace.id, "request", req.error().message);
      stop(s_.stopped_by_auth);  // fail alike, so stop instead of one token exchange per trace
      return;
    }
    if (!learned_secrets_) {
      redactor_.add_request(*req);
      learned_secrets_ = true;
    }
    req->timeout_ms = o_.timeout_ms;
    if (is_loopback_url(req->url))  // for the loopback fakes only: never sent to a real provider
      req->headers.emplace_back("x-picktune-trace-id", item->trace.id);
    ++item->attempts;
    ++s_.calls;
    in_flight_worst_ += item->worst_cost_usd;
    uint64_t key = next_key_++;
    int64_t sent_ms = steady_ms();
    in_flight_.emplace(key, std::move(item));
    multi_->submit(std::move(req).value(), [this, key, sent_ms](HttpResponse&& r) {
      auto it = in_flight_.find(key);
      if (it == in_flight_.end()) return;
      auto owned = std::move(it->second);
      in_flight_.erase(it);
      in_flight_worst_ -= owned->worst_cost_usd;
      on_response(std::move(owned), r, static_cast<double>(steady_ms() - sent_ms));
    });
  }

  void on_response(std::unique_ptr<RelabelItem> item, const HttpResponse& r, double latency_ms) {
    const bool success_status = r.status >= 200 && r.status < 300;
    Result<Completion> completion = success_status ? remote_->parse_response(r) : Result<Completion>(Error{});
    FailureKind kind = classify(r, success_status && !completion.ok());
    if (kind == FailureKind::none) {
      limiter_.adjust_tokens(completion->usage.input_tokens - static_cast<int64_t>(item->input_tokens),
                             RateLimiter::now_ms());
      record_answer(*item, *completion, latency_ms);
      if (o_.budget_usd && s_.cost_usd >= *o_.budget_usd) stop(s_.stopped_by_budget);
      return;
    }
    std::string label = failure_label(r, kind);
    std::string detail = kind == FailureKind::malformed                                    ? completion.error().message
                         : kind == FailureKind::timeout || kind == FailureKind::connection ? r.transport_error
                                                                                           : r.body;
    item->last_error_class = label;
    item->last_error = redactor_.redact(label + ": " + one_line(detail));
    if (r.status == 401 || r.status == 403) stop(s_.stopped_by_auth);
    if (policy_.should_retry(kind, item->attempts)) {
      ++s_.retries;
      item->ready_at_ms = steady_ms() + policy_.delay_ms(item->attempts, r, rng_, unix_now_ms());
      waiting_.push_back(std::move(item));
      return;
    }
    fail(item->trace.id, item->last_error_class, item->last_error);
  }

  void record_answer(const RelabelItem& item, const Completion& c, double latency_ms) {
    double cost = model_.cost_usd(c.usage);
    s_.cost_usd += cost;  // spent, stored or not
    pending_.push_back(make_relabel_row(item, model_.id(), c, cost, latency_ms, o_.with_context, false));
    pending_trace_ids_.push_back(item.trace.id);
    pending_usage_.push_back(c.usage);
  }

  void fail(const std::string& trace_id, const std::string& label, const std::string& reason) {
    if (leases_) leases_->finish(trace_id);
    ++s_.failed;
    ++s_.failed_by_reason[label];
    s_.failures.push_back({trace_id, redactor_.redact(reason)});
  }

  // Commits the rows received this turn; a busy store is retried briefly before giving up.
  Result<void> commit() {
    if (pending_.empty()) return leases_ ? leases_->flush() : ok();
    Result<UpsertStats> r = store_.upsert(Table::relabels, pending_);
    for (int attempt = 0; !r.ok() && attempt < 3; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
      r = store_.upsert(Table::relabels, pending_);
    }
    if (!r.ok()) return runtime_error("storing relabels: " + r.error().message);
    if (leases_) {  // stored: another run now sees the answer, so the claims can go
      for (const auto& t : pending_trace_ids_) leases_->finish(t);
      PT_TRY(leases_->flush());
    }
    pending_trace_ids_.clear();
    s_.done += static_cast<int64_t>(pending_.size());
    for (const auto& u : pending_usage_) s_.usage += u;
    pending_.clear();
    pending_usage_.clear();
    return ok();
  }

  int turn_wait_ms() {
    int64_t now = steady_ms();
    int64_t wait = kMaxTurnMs;
    for (const auto& w : waiting_) wait = std::min(wait, w->ready_at_ms - now);
    if (parked_ && !stop_sending_)
      wait = std::min(wait, limiter_.wait_ms(static_cast<int64_t>(parked_->input_tokens), RateLimiter::now_ms()));
    return static_cast<int>(std::clamp<int64_t>(wait, 0, kMaxTurnMs));
  }

  // Local models answer in-process, one trace at a time; rows are committed every 256 answers or
  // 100 ms, whichever comes first.
  Result<void> run_local(LocalModel& local) {
    int64_t last_commit = steady_ms();
    while (!stop_sending_) {
      if (o_.stop_requests && o_.stop_requests->load() > 0) {
        stop(s_.stopped_by_signal);
        break;
      }
      PT_ASSIGN_OR_RETURN(auto item, next_item());
      if (!item) break;
      int64_t t0 = steady_ms();
      ++s_.calls;
      auto c = local.answer(item->input);
      if (c.ok())
        record_answer(*item, *c, static_cast<double>(steady_ms() - t0));
      else
        fail(item->trace.id, "local", c.error().message);
      if (pending_.size() >= 256 || steady_ms() - last_commit >= 100) {
        PT_TRY(commit());
        last_commit = steady_ms();
      }
      tick();
    }
    PT_TRY(commit());
    s_.not_sent += static_cast<int64_t>(queue_.size());
    tick(true);
    return ok();
  }

  Store& store_;
  Model& model_;
  RemoteModel* remote_ = nullptr;  // model_ as a remote model (run() without a local one)
  const RelabelOptions& o_;
  RelabelSummary& s_;
  std::deque<std::string> queue_;
  TokenCountFn count_;
  bool need_tokens_;
  RateLimiter limiter_;
  RetryPolicy policy_;
  std::mt19937_64 rng_;
  Redactor redactor_;  // the credentials of every request sent
  bool learned_secrets_ = false;
  HttpMulti* multi_ = nullptr;
  std::unordered_map<uint64_t, std::unique_ptr<RelabelItem>> in_flight_;
  uint64_t next_key_ = 0;
  double in_flight_worst_ = 0;
  std::vector<std::unique_ptr<RelabelItem>> waiting_;  // retries, until ready_at_ms
  std::unique_ptr<RelabelItem> parked_;                // held back by the limiter or the budget
  std::vector<Row> pending_;                           // answers of this turn, not yet committed
  std::vector<std::string> pending_trace_ids_;         // their traces
  std::optional<RelabelLeases> leases_;                // remote models: claims on the traces sent
  std::vector<Usage> pending_usage_;
  bool stop_sending_ = false;
};

// The dry run's prices of `input_tokens` over `calls` answers: typical and worst case.
std::pair<double, double> dry_run_cost(const Model& model, int64_t input_tokens, int64_t calls,
                                       const RelabelOptions& o) {
  return {model.cost_usd(Usage{input_tokens, calls * kTypicalOutputTokens, 0, 0}),
          model.cost_usd(Usage{input_tokens, calls * o.max_output_tokens, 0, 0})};
}

// --dry-run: prepares every trace to count its tokens; sends nothing, stores nothing. With
// --exact-tokens, a sample is counted by the provider and the totals corrected by the ratio.
Result<void> dry_run(Store& store, Model& model, const RelabelOptions& o, const std::vector<std::string>& to_do,
                     RelabelSummary& s) {
  std::vector<DryRunTrace> ready;
  for (const auto& id : to_do) {
    PT_ASSIGN_OR_RETURN(Prepared p, prepare_relabel_item(store, id, o, true));
    if (p.status == PrepareStatus::no_context) ++s.skipped_no_context;
    if (p.status != PrepareStatus::ready) continue;
    ready.push_back({id, static_cast<int64_t>(p.item->input_tokens)});
    s.estimated_input_tokens += ready.back().local_tokens;
  }
  const auto calls = static_cast<int64_t>(ready.size());
  s.to_do = calls;
  std::tie(s.estimated_cost_usd, s.estimated_worst_cost_usd) = dry_run_cost(model, s.estimated_input_tokens, calls, o);
  if (o.exact_tokens <= 0 || ready.empty()) return ok();
  PT_ASSIGN_OR_RETURN(ExactTokenSample x, sample_exact_tokens(store, model.id(), o, ready));
  x.corrected_input_tokens =
      x.sampled == calls ? x.exact_tokens : std::llround(static_cast<double>(s.estimated_input_tokens) * x.ratio);
  std::tie(x.corrected_cost_usd, x.corrected_worst_cost_usd) = dry_run_cost(model, x.corrected_input_tokens, calls, o);
  s.exact = x;
  return ok();
}

Result<void> check_options(const Model& model, const RelabelOptions& o) {
  if (o.concurrency < 1) return usage_error("--concurrency must be at least 1");
  if (o.sample_fraction && (*o.sample_fraction <= 0 || *o.sample_fraction > 1))
    return usage_error("--sample must be in (0, 1]");
  if (o.request_kind && !is_known(*o.request_kind)) return usage_error("--kind must be Key or Non-Obvious");
  if (o.budget_usd && *o.budget_usd < 0) return usage_error("--budget must not be negative");
  if (o.limit && *o.limit < 0) return usage_error("--limit must not be negative");
  if (o.timeout_ms <= 0) return usage_error("--timeout must be positive");
  if (!o.batch_id.empty() && !o.batch) return usage_error("--batch-id needs --batch");
  if (o.batch && model.id().rfind("anthropic:", 0) != 0)
    return usage_error("--batch needs an anthropic: teacher (Message Batches API)");
  if (o.exact_tokens < 0) return usage_error("--exact-tokens must not be negative");
  if (o.exact_tokens > 0 && !o.dry_run) return usage_error("--exact-tokens needs --dry-run");
  if (o.exact_tokens > 0) {  // before any call: the provider has a count endpoint and the key is set
    auto checked = check_remote_token_count(model.id(), o.model_options);
    if (!checked.ok() && checked.error().kind == ErrorKind::usage)
      return usage_error("--exact-tokens: " + checked.error().message);
    return checked;
  }
  return ok();
}

// Token counts (dry run, budget, --tpm, context budget) come from the Gemma 3 tokenizer when it
// loads; otherwise from the 4-bytes-per-token approximation, and the dry-run report says so.
RelabelOptions with_token_counter(const RelabelOptions& in) {
  RelabelOptions o = in;
  bool needed = o.dry_run || o.budget_usd || o.tpm > 0 || o.with_context;
  if (o.count_tokens || !needed) return o;
  auto tok = GemmaTokenizer::shared();
  if (!tok.ok()) {
    o.tokenizer_name =
        "approx (4 bytes/token; Gemma tokenizer unavailable: " + one_line(tok.error().message, 120) + ")";
    return o;
  }
  const GemmaTokenizer* t = *tok;
  o.count_tokens = [t](std::string_view text) { return t->count(text); };
  o.tokenizer_name = "the Gemma 3 tokenizer";
  return o;
}

}  // namespace

Result<RelabelSummary> run_relabel(Store& store, Model& model, const RelabelOptions& in_options) {
  PT_TRY(check_options(model, in_options));
  const RelabelOptions options = with_token_counter(in_options);
  auto t0 = std::chrono::steady_clock::now();
  RelabelSummary s;
  s.model = model.id();
  s.tokenizer_name = options.tokenizer_name;
  PT_ASSIGN_OR_RETURN(auto sel, select_for_relabel(store, model.id(), options));
  s.selected = sel.selected;
  s.skipped_done = sel.skipped_done;
  s.to_do = static_cast<int64_t>(sel.to_do.size());
  if (options.dry_run) {
    PT_TRY(dry_run(store, model, options, sel.to_do, s));
  } else if (options.batch) {
    PT_TRY(run_relabel_batch(store, model, options, std::move(sel.to_do), s));
  } else {
    Engine engine(store, model, options, s, std::move(sel.to_do));
    PT_TRY(engine.run());
  }
  s.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

}  // namespace pt
