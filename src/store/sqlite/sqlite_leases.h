// SQLite statements for relabel leases (store.h claim_leases/release_leases, issue 17): the
// relabel_leases table on the store's connection. A claim runs in one BEGIN IMMEDIATE transaction,
// so two processes on one file take turns and a key is never held by two owners at once. Errors
// come back as messages without the store's name (the caller prefixes it).
#pragma once
#include <sqlite3.h>

#include <span>
#include <string>
#include <vector>

#include "store/store.h"
#include "util/result.h"

namespace pt::sqlite_leases {

// CREATE … IF NOT EXISTS: run by init() and before every claim (stores made by an older picktune).
extern const char* const kSchemaSql;
// kSchemaSql, then the batch_id column added when missing (a store made before relabel --batch leased).
Result<void> ensure_schema(sqlite3* db);

Result<std::vector<std::string>> claim(sqlite3* db, std::span<const std::string> keys, const std::string& owner,
                                       int64_t now_us, int64_t expires_us);
Result<void> release(sqlite3* db, std::span<const std::string> keys, const std::string& owner);
Result<std::vector<std::string>> owners(sqlite3* db);
Result<void> drop_owner(sqlite3* db, const std::string& owner);
Result<void> set_batch(sqlite3* db, std::span<const std::string> keys, const std::string& owner,
                       const std::string& batch_id);
Result<std::vector<Store::BatchLease>> adopt_batches(sqlite3* db, std::span<const std::string> keys,
                                                     const std::string& owner, int64_t now_us, int64_t expires_us);

}  // namespace pt::sqlite_leases
