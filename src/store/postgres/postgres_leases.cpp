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
  expires_at BIGINT NOT NULL                 -- microseconds since the Unix epoch, UTC
);
)sql";

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
        "WHERE relabel_leases.owner = EXCLUDED.owner OR relabel_leases.expires_at <= $4 RETURNING id",
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
  // Row by row in key order, like claim() and release(): no lock-wait cycle with them.
  pqxx::result keys = w.exec_params("SELECT id FROM relabel_leases WHERE owner = $1 ORDER BY id", owner);
  for (const pqxx::row& r : keys)
    w.exec_params("DELETE FROM relabel_leases WHERE id = $1 AND owner = $2", r[0].c_str(), owner);
  w.commit();
}

}  // namespace pt::postgres_leases
