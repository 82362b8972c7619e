// Implementation of store/sqlite/sqlite_leases.h. A key is taken when it has no lease, an expired
// one or one of the same owner (INSERT … ON CONFLICT DO UPDATE … WHERE: sqlite3_changes() says
// whether the row was written, i.e. whether this owner holds the key now).
#include "store/sqlite/sqlite_leases.h"

#include <memory>

#include <fmt/format.h>

#include "store/sqlite/sqlite_stmt.h"

namespace pt::sqlite_leases {

const char* const kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS relabel_leases (  -- a relabel run's claim on one (teacher, trace) answer
  id TEXT PRIMARY KEY NOT NULL,              -- the relabel row id the answer will have
  owner TEXT NOT NULL,                       -- host:pid:random of the claiming run
  expires_at INTEGER NOT NULL,               -- microseconds since the Unix epoch, UTC
  batch_id TEXT                              -- the Message Batch it was submitted in (relabel --batch)
);
)sql";

namespace {

using sqlite_stmt::bind;
using sqlite_stmt::exec;
using sqlite_stmt::prepare;
using sqlite_stmt::StmtPtr;

// Runs `body` in one BEGIN IMMEDIATE transaction (the busy timeout waits for another writer).
template <typename F>
Result<void> in_transaction(sqlite3* db, F&& body) {
  if (!sqlite3_get_autocommit(db)) return runtime_error("relabel leases: a transaction is already open");
  PT_TRY(exec(db, "BEGIN IMMEDIATE"));
  Result<void> r = body();
  if (r.ok()) r = exec(db, "COMMIT");
  if (!r.ok()) (void)exec(db, "ROLLBACK");
  return r;
}

Result<bool> has_batch_column(sqlite3* db) {
  PT_ASSIGN_OR_RETURN(StmtPtr s,
                      prepare(db, "SELECT 1 FROM pragma_table_info('relabel_leases') WHERE name = 'batch_id'"));
  int rc = sqlite3_step(s.get());
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return runtime_error(fmt::format("reading relabel leases: {}", sqlite3_errmsg(db)));
  return rc == SQLITE_ROW;
}

constexpr const char* kAddBatchIdSql = "ALTER TABLE relabel_leases ADD COLUMN batch_id TEXT";

}  // namespace

Result<void> ensure_schema(sqlite3* db) {
  PT_TRY(exec(db, kSchemaSql));
  PT_ASSIGN_OR_RETURN(bool has, has_batch_column(db));
  if (has) return ok();
  if (!sqlite3_get_autocommit(db)) return exec(db, kAddBatchIdSql);  // inside the caller's transaction
  return in_transaction(db, [&]() -> Result<void> {                  // another process may have added it meanwhile
    PT_ASSIGN_OR_RETURN(bool again, has_batch_column(db));
    return again ? ok() : exec(db, kAddBatchIdSql);
  });
}

Result<std::vector<std::string>> claim(sqlite3* db, std::span<const std::string> keys, const std::string& owner,
                                       int64_t now_us, int64_t expires_us) {
  std::vector<std::string> held;
  if (keys.empty()) return held;
  PT_TRY(ensure_schema(db));
  PT_TRY(in_transaction(db, [&]() -> Result<void> {
    PT_ASSIGN_OR_RETURN(StmtPtr s, prepare(db,
                                           "INSERT INTO relabel_leases(id, owner, expires_at) VALUES(?1, ?2, ?3) "
                                           "ON CONFLICT(id) DO UPDATE SET owner = excluded.owner, "
                                           "expires_at = excluded.expires_at "
                                           "WHERE relabel_leases.owner = excluded.owner OR "
                                           "(relabel_leases.expires_at <= ?4 AND relabel_leases.batch_id IS NULL)"));
    for (const auto& key : keys) {
      sqlite3_reset(s.get());
      bind(s.get(), 1, key);
      bind(s.get(), 2, owner);
      sqlite3_bind_int64(s.get(), 3, expires_us);
      sqlite3_bind_int64(s.get(), 4, now_us);
      if (sqlite3_step(s.get()) != SQLITE_DONE)
        return runtime_error(fmt::format("claiming relabel leases: {}", sqlite3_errmsg(db)));
      if (sqlite3_changes(db) > 0) held.push_back(key);
    }
    return ok();
  }));
  return held;
}

namespace {

// Runs `sql` once per key, all in one transaction, with ?1 = the key, ?2 = `owner` and, when
// given, ?3 = `*third`; `doing` opens the error message.
Result<void> for_each_lease(sqlite3* db, std::span<const std::string> keys, const char* sql, const std::string& owner,
                            const std::string* third, const char* doing) {
  if (keys.empty()) return ok();
  PT_TRY(ensure_schema(db));
  return in_transaction(db, [&]() -> Result<void> {
    PT_ASSIGN_OR_RETURN(StmtPtr s, prepare(db, sql));
    for (const auto& key : keys) {
      sqlite3_reset(s.get());
      bind(s.get(), 1, key);
      bind(s.get(), 2, owner);
      if (third) bind(s.get(), 3, *third);
      if (sqlite3_step(s.get()) != SQLITE_DONE) return runtime_error(fmt::format("{}: {}", doing, sqlite3_errmsg(db)));
    }
    return ok();
  });
}

}  // namespace

Result<void> release(sqlite3* db, std::span<const std::string> keys, const std::string& owner) {
  return for_each_lease(db, keys, "DELETE FROM relabel_leases WHERE id = ?1 AND owner = ?2", owner, nullptr,
                        "releasing relabel leases");
}

Result<std::vector<std::string>> owners(sqlite3* db) {
  PT_TRY(ensure_schema(db));
  PT_ASSIGN_OR_RETURN(StmtPtr s, prepare(db, "SELECT DISTINCT owner FROM relabel_leases ORDER BY owner"));
  std::vector<std::string> out;
  for (;;) {
    int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW) return runtime_error(fmt::format("reading relabel leases: {}", sqlite3_errmsg(db)));
    out.push_back(sqlite_stmt::text(s.get(), 0));
  }
}

Result<void> drop_owner(sqlite3* db, const std::string& owner) {
  PT_TRY(ensure_schema(db));
  return in_transaction(db, [&]() -> Result<void> {  // batch leases stay, expired, for adoption
    PT_ASSIGN_OR_RETURN(StmtPtr del, prepare(db, "DELETE FROM relabel_leases WHERE owner = ?1 AND batch_id IS NULL"));
    bind(del.get(), 1, owner);
    if (sqlite3_step(del.get()) != SQLITE_DONE)
      return runtime_error(fmt::format("dropping relabel leases: {}", sqlite3_errmsg(db)));
    PT_ASSIGN_OR_RETURN(StmtPtr exp, prepare(db, "UPDATE relabel_leases SET expires_at = 0 WHERE owner = ?1"));
    bind(exp.get(), 1, owner);
    if (sqlite3_step(exp.get()) != SQLITE_DONE)
      return runtime_error(fmt::format("dropping relabel leases: {}", sqlite3_errmsg(db)));
    return ok();
  });
}

Result<void> set_batch(sqlite3* db, std::span<const std::string> keys, const std::string& owner,
                       const std::string& batch_id) {
  return for_each_lease(db, keys, "UPDATE relabel_leases SET batch_id = ?3 WHERE id = ?1 AND owner = ?2", owner,
                        &batch_id, "recording the batch of relabel leases");
}

Result<std::vector<Store::BatchLease>> adopt_batches(sqlite3* db, std::span<const std::string> keys,
                                                     const std::string& owner, int64_t now_us, int64_t expires_us) {
  std::vector<Store::BatchLease> adopted;
  if (keys.empty()) return adopted;
  PT_TRY(ensure_schema(db));
  PT_TRY(in_transaction(db, [&]() -> Result<void> {  // BEGIN IMMEDIATE: read and take under one write lock
    PT_ASSIGN_OR_RETURN(StmtPtr find,
                        prepare(db,
                                "SELECT batch_id FROM relabel_leases WHERE id = ?1 AND batch_id IS NOT NULL "
                                "AND expires_at <= ?2"));
    PT_ASSIGN_OR_RETURN(StmtPtr take,
                        prepare(db, "UPDATE relabel_leases SET owner = ?2, expires_at = ?3 WHERE id = ?1"));
    for (const auto& key : keys) {
      sqlite3_reset(find.get());
      bind(find.get(), 1, key);
      sqlite3_bind_int64(find.get(), 2, now_us);
      int rc = sqlite3_step(find.get());
      if (rc == SQLITE_DONE) continue;
      if (rc != SQLITE_ROW) return runtime_error(fmt::format("adopting relabel leases: {}", sqlite3_errmsg(db)));
      std::string batch_id = sqlite_stmt::text(find.get(), 0);
      sqlite3_reset(take.get());
      bind(take.get(), 1, key);
      bind(take.get(), 2, owner);
      sqlite3_bind_int64(take.get(), 3, expires_us);
      if (sqlite3_step(take.get()) != SQLITE_DONE)
        return runtime_error(fmt::format("adopting relabel leases: {}", sqlite3_errmsg(db)));
      adopted.push_back({key, std::move(batch_id)});
    }
    return ok();
  }));
  return adopted;
}

}  // namespace pt::sqlite_leases
