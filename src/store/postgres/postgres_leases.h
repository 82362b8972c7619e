// PostgreSQL statements for relabel leases (store.h claim_leases/release_leases, issue 17): the
// relabel_leases table, on one of the store's pooled connections. Every value is a bound parameter.
// Functions throw libpqxx exceptions; the store turns them into errors.
#pragma once
#include <pqxx/pqxx>

#include <span>
#include <string>
#include <vector>

#include "store/store.h"

namespace pt::postgres_leases {

// CREATE … IF NOT EXISTS: created, or added to an older store, when a store opens.
extern const char* const kSchemaSql;
extern const char* const kTables[1];
// One boolean: whether relabel_leases has its batch_id column (else init adds it: the migration).
extern const char* const kMigratedSql;

// One transaction; keys are taken in sorted order (two claimers never wait on each other in a cycle).
std::vector<std::string> claim(pqxx::connection& c, std::span<const std::string> keys, const std::string& owner,
                               int64_t now_us, int64_t expires_us);
// Also in sorted order: a claim waiting on a row lock and a release never wait on each other in a cycle.
void release(pqxx::connection& c, std::span<const std::string> keys, const std::string& owner);
std::vector<std::string> owners(pqxx::connection& c);
void drop_owner(pqxx::connection& c, const std::string& owner);
void set_batch(pqxx::connection& c, std::span<const std::string> keys, const std::string& owner,
               const std::string& batch_id);
// Returned in sorted key order.
std::vector<Store::BatchLease> adopt_batches(pqxx::connection& c, std::span<const std::string> keys,
                                             const std::string& owner, int64_t now_us, int64_t expires_us);

}  // namespace pt::postgres_leases
