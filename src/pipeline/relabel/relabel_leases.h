// Relabel leases (issue 17): before a relabel run sends a trace to a paid teacher it claims the
// answer's key (the relabel row id: teacher, trace, with_context) in the store for a while, renews
// its claims while they are in flight and drops them once the answer is stored or given up. So two
// runs of one teacher on one store never send the same trace at once, and a crashed run's claims
// expire. Store backends that cannot lock (BigQuery) are reported by locking() == false. A `--batch`
// run records on its leases the batch their traces went out in; a later run adopts such leases
// once they expire (their run died) and collects that batch instead of paying again.
#pragma once
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "pipeline/relabel/relabel.h"
#include "store/store.h"
#include "util/diagnostics.h"
#include "util/result.h"

namespace pt {

class RelabelLeases {
 public:
  // ttl_ms: how long a claim lasts without renewal (renewed every ttl/3 by renew_if_due()).
  // owner: "" -> host:pid:random.
  RelabelLeases(Store& store, std::string model_id, bool with_context, int64_t ttl_ms, std::string owner = "");

  bool locking() const { return store_.locks_leases(); }
  // Start of a run: when the store cannot lock, warns (relabel/leases) and sets
  // summary.leases_unlocked; then reaps the leases of dead runs on this host.
  Result<void> begin(RelabelSummary& summary, Diagnostics* diagnostics);
  const std::string& owner() const { return owner_; }
  std::string key(const std::string& trace_id) const;

  // Claims the traces' keys; returns the trace ids now held by this run (others hold the rest).
  Result<std::vector<std::string>> claim(std::span<const std::string> trace_ids);
  // The next trace of `queue` that this run holds and nobody has answered meanwhile (another run
  // may have stored it between our selection and our claim): claims `group` traces at a time,
  // counting in `summary` those held by other runs (skipped_leased) or answered (skipped_done).
  // nullopt once the queue is done. waiting(): claimed traces not handed out yet.
  Result<std::optional<std::string>> next(std::deque<std::string>& queue, size_t group, RelabelSummary& summary);
  void put_back(std::string trace_id) { claimed_.push_front(std::move(trace_id)); }
  size_t waiting() const { return claimed_.size(); }
  // Marks a held trace as finished (stored or given up); flush() drops the finished leases.
  void finish(const std::string& trace_id);
  Result<void> flush();
  // Extends every held lease when a third of the ttl has passed since the last claim or renewal.
  Result<void> renew_if_due();
  // Drops every lease this run holds (end of run), except those of a batch not collected yet:
  // these are left expired, for the next run to adopt.
  Result<void> release_all();
  // Records that these held traces went out in batch `batch_id` (one transaction).
  Result<void> set_batch(std::span<const std::string> trace_ids, const std::string& batch_id);
  // Takes the expired leases carrying a batch id among these traces (their run died before
  // collecting the batch); returns (trace id, batch id) pairs, now held by this run.
  Result<std::vector<std::pair<std::string, std::string>>> adopt_batches(std::span<const std::string> trace_ids);
  // Drops the leases of runs on this host whose process is gone (killed, crashed): their traces
  // need not wait for the leases to expire (leases of a batch are made expired instead, for
  // adoption: Store::drop_leases_of). Returns how many owners were reaped.
  Result<int> reap_dead_local_owners();

 private:
  static int64_t now_us();
  std::vector<std::string> keys_of(std::span<const std::string> trace_ids,
                                   std::unordered_map<std::string, std::string>& trace_of) const;
  Store& store_;
  std::string model_id_;
  bool with_context_;
  int64_t ttl_us_;
  std::string owner_;
  std::unordered_map<std::string, std::string> held_;  // key -> trace id
  std::vector<std::string> finished_;                  // keys to release at the next flush()
  std::unordered_set<std::string> batched_;            // held keys whose batch is not collected yet
  std::deque<std::string> claimed_;                    // held, not yet handed out by next()
  int64_t renewed_at_us_ = 0;
};

}  // namespace pt
