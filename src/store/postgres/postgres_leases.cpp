// Implementation of store/postgres/postgres_leases.h. INSERT … ON CONFLICT DO UPDATE … WHERE locks
// the conflicting row and re-checks the condition under the lock (READ COMMITTED), so of two runs
// claiming one key at once exactly one gets a row back from RETURNING.
#include "store/postgres/postgres_leases.h"

#include <algorithm>

namespace pt::postgres_leases {

const char* const kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS relabel_leases (  -- a relabel run's claim on one (teacher, trace) answer
  id TEXT COLLATE "C" PRIMARY KEY,           -- the relabel row id the answer will have
  owner TEXT NOT NULL,                       -- host:pid:random of the claiming run
  expires_at BIGINT NOT NULL,                -- microseconds since the Unix epoch, UTC
  batch_id TEXT                              -- the Message Batch it was submitted in (relabel --batch)
);
ALTER TABLE relabel_leases ADD COLUMN IF NOT EXISTS batch_id TEXT;  -- stores made before batch runs leased
)sql";

const char* const kMigratedSql =
    "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
    "AND table_name = 'relabel_leases' AND column_name = 'batch_id')";

const char* const kTables[1] = {"relabel_leases"};

std::vector<std::string> claim(pqxx::connection& c, std::span<const std::string> keys, const std::string& owner,
                               int64_t now_us, int64_t expires_us) {
  std::vector<std::string> sorted(keys.begin(), keys.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<std::string> held;
  pqxx::work w(c);
  for (const auto& key : sorted) {
    pqxx::result r = w.exec_params(
        "INSERT INTO relabel_leases(id, owner, expires_at) VALUES($1, $2, $3) "
        "ON CONFLICT (id) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at "
        "WHERE relabel_leases.owner = EXCLUDED.owner OR "
        "(relabel_leases.expires_at <= $4 AND relabel_leases.batch_id IS NULL) RETURNING id",
        key, owner, expires_us, now_us);
    if (!r.empty()) held.push_back(key);
  }
  w.commit();
  return held;
}

void release(pqxx::connection& c, std::span<const std::string> keys, const std::string& owner) {
  std::vector<std::string> sorted(keys.begin(), keys.end());  // the claims' lock order: no wait cycle
  std::sort(sorted.begin(), sorted.end());
  pqxx::work w(c);
  for (const auto& key : sorted) w.exec_params("DELETE FROM relabel_leases WHERE id = $1 AND owner = $2", key, owner);
  w.commit();
}

std::vector<std::string> owners(pqxx::connection& c) {
  pqxx::read_transaction w(c);
  std::vector<std::string> out;
  for (const pqxx::row& r : w.exec("SELECT DISTINCT owner FROM relabel_leases ORDER BY owner"))
    out.push_back(r[0].c_str());
  return out;
}

void drop_owner(pqxx::connection& c, const std::string& owner) {
  pqxx::work w(c);
  // Row by row in key order, like claim() and release(): no lock-wait cycle with them. Leases carrying
  // a batch id stay, expired, for adopt_batches().
  pqxx::result keys = w.exec_params("SELECT id FROM relabel_leases WHERE owner = $1 ORDER BY id", owner);
  for (const pqxx::row& r : keys) {
    w.exec_params("DELETE FROM relabel_leases WHERE id = $1 AND owner = $2 AND batch_id IS NULL", r[0].c_str(), owner);
    w.exec_params("UPDATE relabel_leases SET expires_at = 0 WHERE id = $1 AND owner = $2", r[0].c_str(), owner);
  }
  w.commit();
}

void set_batch(pqxx::connection& c, std::span<const std::string> keys, const std::string& owner,
               const std::string& batch_id) {
  std::vector<std::string> sorted(keys.begin(), keys.end());  // the claims' lock order: no wait cycle
  std::sort(sorted.begin(), sorted.end());
  pqxx::work w(c);
  for (const auto& key : sorted)
    w.exec_params("UPDATE relabel_leases SET batch_id = $3 WHERE id = $1 AND owner = $2", key, owner, batch_id);
  w.commit();
}

std::vector<Store::BatchLease> adopt_batches(pqxx::connection& c, std::span<const std::string> keys,
                                             const std::string& owner, int64_t now_us, int64_t expires_us) {
  std::vector<std::string> sorted(keys.begin(), keys.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<Store::BatchLease> adopted;
  pqxx::work w(c);
  for (const auto& key : sorted) {  // UPDATE … WHERE re-checks under the row lock: one adopter wins
    pqxx::result r = w.exec_params(
        "UPDATE relabel_leases SET owner = $2, expires_at = $3 "
        "WHERE id = $1 AND batch_id IS NOT NULL AND expires_at <= $4 RETURNING batch_id",
        key, owner, expires_us, now_us);
    if (!r.empty()) adopted.push_back({key, r[0][0].c_str()});
  }
  w.commit();
  return adopted;
}

}  // namespace pt::postgres_leases
