// The Store interface: every backend (sqlite:PATH, postgres://…, bigquery://PROJECT/DATASET, and the
// in-memory one of store/memory used by tests) holds the two tables of docs/formats.md#rows and answers
// the same small set of calls: rows in and out, filters, transactions. No relabel logic lives here
// (that is core/relabel_join.h). JSONL is an interchange format, not a store. Backends are chosen by
// URI in open_store(); adding one means one folder plus a line in store_registry.cpp.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/request_kind.h"
#include "core/row.h"
#include "util/result.h"

namespace pt {

struct RowFilter {
  std::optional<std::string> type;   // traces: trace type
  std::optional<std::string> model;  // relabels: model id
  std::optional<std::string> user_id;
  std::optional<std::string> agent_step_id;
  std::optional<RequestKind> request_kind;  // payload.request_type: absent, key or non_obvious
  std::optional<int64_t> since_us;          // created_at >= since
  std::optional<int64_t> until_us;          // created_at <  until
  std::optional<int64_t> limit;
  // Keyset pagination: only rows strictly past this (created_at, id) in the filter's order.
  struct Keyset {
    int64_t created_at_us = 0;
    std::string id;
  };
  std::optional<Keyset> after;
  enum class Order { newest_first, oldest_first } order = Order::newest_first;
};

// The request_type column text that RowFilter::request_kind selects ("" for absent, "Key",
// "Non-Obvious": static text, safe to bind without a copy); nullopt without a kind filter.
// RequestKind::unknown names no single value: a usage error.
inline Result<std::optional<std::string_view>> request_type_column_value(const RowFilter& f) {
  if (!f.request_kind) return std::optional<std::string_view>();
  if (*f.request_kind == RequestKind::unknown) return usage_error("a request kind filter must be Key or Non-Obvious");
  return std::optional<std::string_view>(to_string(*f.request_kind));
}

// One stored `eval score` run (issue 17): its id, when it ran, and the run itself as one JSON object
// (pipeline/eval/eval_runs.h writes and reads it; docs/formats.md#eval-runs). Runs are only added.
struct EvalRunRow {
  std::string id;
  int64_t created_at_us = 0;
  std::string body;  // a JSON object, returned byte for byte
};

struct UpsertStats {
  int64_t inserted = 0;   // ids not seen before
  int64_t updated = 0;    // ids already present (row replaced)
  int64_t unchanged = 0;  // ids already present with identical columns (nothing written)
  UpsertStats& operator+=(const UpsertStats& o) {
    inserted += o.inserted;
    updated += o.updated;
    unchanged += o.unchanged;
    return *this;
  }
};

// Turns payloads that Store::scan_encoded handed over still encoded into their JSON text. Safe to
// call from several threads at once (collect decodes on its workers, not on the reading thread).
class PayloadDecoder {
 public:
  virtual ~PayloadDecoder() = default;
  // In place; a payload that is already text is left as it is. Errors name the store and the row.
  virtual Result<void> decode(Table table, Row& row) const = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // The store's URI with any password removed; used in messages.
  virtual std::string describe() const = 0;
  // Creates tables and indexes if missing.
  virtual Result<void> init() = 0;
  // Inserts or replaces rows by id, all in one transaction: either every row lands or none.
  virtual Result<UpsertStats> upsert(Table table, std::span<const Row> rows) = 0;
  // Streams matching rows in the filter's order; `visit` returns false to stop early.
  virtual Result<void> scan(Table table, const RowFilter& filter, const std::function<bool(Row&&)>& visit) = 0;
  // scan(), except that a backend storing payloads compressed may hand rows over with the payload
  // still encoded, setting `decoder` before the first visit; the caller then runs
  // decoder->decode() on each row (on any thread) before reading its payload. Backends without
  // encoded payloads leave `decoder` null and give text (this default).
  virtual Result<void> scan_encoded(Table table, const RowFilter& filter, const std::function<bool(Row&&)>& visit,
                                    std::shared_ptr<const PayloadDecoder>& decoder) {
    decoder.reset();
    return scan(table, filter, visit);
  }
  // The relabels matching `relabels` (a model filter, its order) that may join a trace matching
  // `traces` under core/relabel_join.h: those whose payload.trace_id names such a trace and those of
  // such a trace's agent step. A superset is fine: the join still decides every pairing. Returns
  // true when the backend narrowed in the store; a backend that cannot hands over every relabel of
  // `relabels` and returns false (this default).
  virtual Result<bool> scan_relabels_joining(const RowFilter& relabels, const RowFilter& traces,
                                             const std::function<bool(Row&&)>& visit) {
    (void)traces;
    PT_TRY(scan(Table::relabels, relabels, visit));
    return false;
  }
  virtual Result<int64_t> count(Table table, const RowFilter& filter) = 0;
  virtual Result<std::optional<Row>> get(Table table, const std::string& id) = 0;

  // Bulk loads may group several upserts into one transaction, which is much cheaper for
  // big imports (SQLite rewrites every index page a transaction touches). Only backends that
  // answer true implement the three calls; between begin_group() and commit_group() their
  // upserts land all together or (rollback_group(), or any failed upsert) not at all.
  virtual bool groups_upserts() const { return false; }
  virtual Result<void> begin_group() { return usage_error("this store cannot group upserts"); }
  virtual Result<void> commit_group() { return usage_error("this store cannot group upserts"); }
  virtual void rollback_group() {}

  // `prune` and `status` (issue 20). Deletes every row of both tables created before `before_us`
  // in one transaction: all of them go or none does. Backends that cannot delete say so.
  struct Pruned {
    int64_t traces = 0, relabels = 0;
  };
  virtual Result<Pruned> delete_before(int64_t before_us) {
    (void)before_us;
    return usage_error(describe() + ": this store cannot delete rows (prune works on sqlite and postgres stores)");
  }
  // What the store's data takes on disk, in bytes, when the backend can tell.
  virtual Result<std::optional<int64_t>> bytes_on_disk() { return std::optional<int64_t>(); }
  // Stored evaluation runs. save_eval_run() adds one (an id already stored is an error: runs are
  // never replaced); list_eval_runs() returns every run oldest first (created_at, then id).
  virtual Result<void> save_eval_run(const EvalRunRow& run);
  virtual Result<std::vector<EvalRunRow>> list_eval_runs();
  virtual Result<std::optional<EvalRunRow>> get_eval_run(const std::string& id);

  // Leases (issue 17: concurrent relabel runs never pay twice for one trace). A lease is a row
  // (key, owner, expires_at µs). claim_leases() takes, in one transaction, every key that has no
  // lease, an expired one (expires_at <= now_us) or one of this owner, for `owner` until
  // expires_us (so claiming again renews), and returns the keys this owner now holds, in order;
  // keys held by another owner are left alone. release_leases() drops this owner's leases on
  // the keys. A backend that cannot lock rows (BigQuery) answers false to locks_leases() and its
  // claim returns every key: callers must warn that concurrent runs are not protected there.
  // A lease may carry the id of the Message Batch its trace was submitted in (`relabel --batch`):
  // such a lease, once expired, is not taken by claim_leases() (that would pay again) but only by
  // adopt_batch_leases(), whose caller collects the batch instead of sending the trace again.
  virtual bool locks_leases() const { return false; }
  virtual Result<std::vector<std::string>> claim_leases(std::span<const std::string> keys, const std::string& owner,
                                                        int64_t now_us, int64_t expires_us);
  virtual Result<void> release_leases(std::span<const std::string> keys, const std::string& owner);
  // set_lease_batch() records, in one transaction, that this owner's leases on the keys were
  // submitted in batch `batch_id`. adopt_batch_leases() takes, in one transaction, every key that
  // has an expired lease carrying a batch id, for `owner` until expires_us (the batch id is kept),
  // and returns those keys with their batch ids, in order. Backends without leases adopt nothing.
  struct BatchLease {
    std::string key, batch_id;
  };
  virtual Result<void> set_lease_batch(std::span<const std::string> keys, const std::string& owner,
                                       const std::string& batch_id) {
    (void)keys, (void)owner, (void)batch_id;
    return ok();
  }
  virtual Result<std::vector<BatchLease>> adopt_batch_leases(std::span<const std::string> keys,
                                                             const std::string& owner, int64_t now_us,
                                                             int64_t expires_us) {
    (void)keys, (void)owner, (void)now_us, (void)expires_us;
    return std::vector<BatchLease>();
  }
  // The distinct owners of stored leases, and ending every lease of one owner (a run known to be
  // dead: its process is gone): leases without a batch id are dropped, those with one are made
  // expired (left for adopt_batch_leases()). Backends without leases hold none.
  virtual Result<std::vector<std::string>> lease_owners() { return std::vector<std::string>(); }
  virtual Result<void> drop_leases_of(const std::string& owner) {
    (void)owner;
    return ok();
  }
};

struct StoreOptions {
  std::string uri;          // "" -> PICKTUNE_STORE, else sqlite:./picktune.db
  std::string env = "dev";  // dev | prod: prod selects a separate database / dataset
  // Reading commands: a SQLite store that does not exist is an error ("no store at PATH"), not
  // created; one whose file or directory is not writable is opened read-only (immutable).
  bool read_only = false;
};

// Resolves the URI (flag, then PICKTUNE_STORE, then the default) and opens the backend.
Result<std::unique_ptr<Store>> open_store(const StoreOptions& options);

}  // namespace pt
