// Implementation of pipeline/relabel/relabel_leases.h.
#include "pipeline/relabel/relabel_leases.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <chrono>
#include <random>

#include <fmt/format.h>

namespace pt {
namespace {

std::string default_owner() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = 0;
  std::random_device rd;
  return fmt::format("{}:{}:{:08x}", host, static_cast<long>(getpid()), rd());
}

}  // namespace

RelabelLeases::RelabelLeases(Store& store, std::string model_id, bool with_context, int64_t ttl_ms, std::string owner)
    : store_(store),
      model_id_(std::move(model_id)),
      with_context_(with_context),
      ttl_us_(std::max<int64_t>(ttl_ms, 1) * 1000),
      owner_(owner.empty() ? default_owner() : std::move(owner)) {}

int64_t RelabelLeases::now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string RelabelLeases::key(const std::string& trace_id) const {
  return relabel_row_id(model_id_, trace_id, with_context_);
}

std::vector<std::string> RelabelLeases::keys_of(std::span<const std::string> trace_ids,
                                                std::unordered_map<std::string, std::string>& trace_of) const {
  std::vector<std::string> keys;
  keys.reserve(trace_ids.size());
  for (const auto& id : trace_ids) {
    keys.push_back(key(id));
    trace_of[keys.back()] = id;
  }
  return keys;
}

Result<std::vector<std::string>> RelabelLeases::claim(std::span<const std::string> trace_ids) {
  std::unordered_map<std::string, std::string> trace_of;
  std::vector<std::string> keys = keys_of(trace_ids, trace_of);
  int64_t now = now_us();
  PT_ASSIGN_OR_RETURN(std::vector<std::string> got, store_.claim_leases(keys, owner_, now, now + ttl_us_));
  std::unordered_map<std::string, bool> is_held;
  for (const auto& k : got) {
    held_[k] = trace_of[k];
    is_held[k] = true;
  }
  std::vector<std::string> ids;  // in the order asked
  for (const auto& k : keys)
    if (is_held.count(k)) ids.push_back(trace_of[k]);
  if (renewed_at_us_ == 0) renewed_at_us_ = now;
  return ids;
}

Result<void> RelabelLeases::begin(RelabelSummary& summary, Diagnostics* diagnostics) {
  if (!locking()) {
    summary.leases_unlocked = true;
    if (diagnostics)
      diagnostics->warn("relabel/leases",
                        fmt::format("{} cannot lock rows: another relabel run of {} on this store at the same "
                                    "time would pay again for the same traces (run one at a time; "
                                    "docs/formats.md#relabel-leases)",
                                    store_.describe(), model_id_));
  }
  PT_ASSIGN_OR_RETURN(int reaped, reap_dead_local_owners());  // killed runs here: no need to wait for expiry
  (void)reaped;
  return ok();
}

Result<std::optional<std::string>> RelabelLeases::next(std::deque<std::string>& queue, size_t group,
                                                       RelabelSummary& summary) {
  while (true) {
    while (claimed_.empty() && !queue.empty()) {
      std::vector<std::string> ids;
      while (!queue.empty() && ids.size() < group) {
        ids.push_back(std::move(queue.front()));
        queue.pop_front();
      }
      PT_ASSIGN_OR_RETURN(std::vector<std::string> held, claim(ids));
      summary.skipped_leased += static_cast<int64_t>(ids.size() - held.size());
      summary.to_do -= static_cast<int64_t>(ids.size() - held.size());
      for (auto& id : held) claimed_.push_back(std::move(id));
    }
    if (claimed_.empty()) return std::optional<std::string>();
    std::string id = std::move(claimed_.front());
    claimed_.pop_front();
    PT_ASSIGN_OR_RETURN(auto stored, store_.get(Table::relabels, key(id)));
    if (!stored) return std::optional<std::string>(std::move(id));
    ++summary.skipped_done;  // answered by a concurrent run after we selected it
    --summary.to_do;
    finish(id);
  }
}

void RelabelLeases::finish(const std::string& trace_id) {
  auto it = held_.find(key(trace_id));
  if (it == held_.end()) return;
  batched_.erase(it->first);
  finished_.push_back(it->first);
  held_.erase(it);
}

Result<void> RelabelLeases::flush() {
  if (finished_.empty()) return ok();
  PT_TRY(store_.release_leases(finished_, owner_));
  finished_.clear();
  return ok();
}

Result<void> RelabelLeases::renew_if_due() {
  int64_t now = now_us();
  if (held_.empty() || now - renewed_at_us_ < ttl_us_ / 3) return ok();
  std::vector<std::string> keys;
  keys.reserve(held_.size());
  for (const auto& [k, id] : held_) keys.push_back(k);
  PT_ASSIGN_OR_RETURN(std::vector<std::string> got, store_.claim_leases(keys, owner_, now, now + ttl_us_));
  (void)got;  // a lease lost to another run (it expired while we were stalled) stays in flight here
  renewed_at_us_ = now;
  return ok();
}

Result<int> RelabelLeases::reap_dead_local_owners() {
  PT_ASSIGN_OR_RETURN(std::vector<std::string> owners, store_.lease_owners());
  const std::string host = owner_.substr(0, owner_.find(':'));
  int reaped = 0;
  for (const auto& o : owners) {
    size_t a = o.find(':'), b = a == std::string::npos ? a : o.find(':', a + 1);
    if (b == std::string::npos || o == owner_ || o.substr(0, a) != host) continue;
    long pid = 0;
    try {
      pid = std::stol(o.substr(a + 1, b - a - 1));
    } catch (const std::exception&) {
      continue;
    }
    // Gone for sure only on ESRCH (EPERM: alive, someone else's). A reused pid just means waiting for expiry.
    if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    PT_TRY(store_.drop_leases_of(o));
    ++reaped;
  }
  return reaped;
}

Result<void> RelabelLeases::release_all() {
  std::vector<std::string> left;  // in a batch not collected: expire now, for the next run to adopt
  for (const auto& [k, id] : held_) (batched_.count(k) ? left : finished_).push_back(k);
  held_.clear();
  batched_.clear();
  if (!left.empty()) {
    int64_t now = now_us();
    PT_ASSIGN_OR_RETURN(std::vector<std::string> got, store_.claim_leases(left, owner_, now, now));
    (void)got;
  }
  return flush();
}

Result<void> RelabelLeases::set_batch(std::span<const std::string> trace_ids, const std::string& batch_id) {
  std::vector<std::string> keys;
  for (const auto& id : trace_ids) keys.push_back(key(id));
  PT_TRY(store_.set_lease_batch(keys, owner_, batch_id));
  for (auto& k : keys)
    if (held_.count(k)) batched_.insert(std::move(k));
  return ok();
}

Result<std::vector<std::pair<std::string, std::string>>> RelabelLeases::adopt_batches(
    std::span<const std::string> trace_ids) {
  std::unordered_map<std::string, std::string> trace_of;
  std::vector<std::string> keys = keys_of(trace_ids, trace_of);
  int64_t now = now_us();
  PT_ASSIGN_OR_RETURN(std::vector<Store::BatchLease> got, store_.adopt_batch_leases(keys, owner_, now, now + ttl_us_));
  std::vector<std::pair<std::string, std::string>> adopted;
  for (auto& l : got) {
    held_[l.key] = trace_of[l.key];
    batched_.insert(l.key);
    adopted.emplace_back(trace_of[l.key], std::move(l.batch_id));
  }
  if (!got.empty() && renewed_at_us_ == 0) renewed_at_us_ = now;
  return adopted;
}

}  // namespace pt
