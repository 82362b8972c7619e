// Test helper for the PostgreSQL store: the test server's URI (PICKTUNE_TEST_PG_URI, set by
// scripts/test.sh via scripts/pg_test_server.sh) and a fresh schema per test, so tests run in
// parallel processes without seeing each other's rows. The store is pointed at the schema with
// libpq's `options=-csearch_path=…` URI parameter. Without the variable, tests skip — except
// under CI=true, where they must fail (see pg_required()).
#pragma once
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <string>

#include <pqxx/pqxx>

namespace pt_test {

inline std::string pg_test_uri() {
  const char* v = std::getenv("PICKTUNE_TEST_PG_URI");
  return v ? v : "";
}

// CI=true (or 1): a missing test server is a failure, not a skip.
inline bool pg_required() {
  const char* ci = std::getenv("CI");
  return ci && (std::string(ci) == "true" || std::string(ci) == "1");
}

inline const char* kPgMissing =
    "PICKTUNE_TEST_PG_URI is not set: start a server with `scripts/pg_test_server.sh start` and export its URI "
    "(scripts/test.sh does this)";

// The password inside a postgres://USER:PASSWORD@HOST… URI ("" when none).
inline std::string pg_password(const std::string& uri) {
  size_t scheme = uri.find("://");
  size_t at = uri.rfind('@');
  if (scheme == std::string::npos || at == std::string::npos) return "";
  std::string info = uri.substr(scheme + 3, at - scheme - 3);
  size_t colon = info.find(':');
  return colon == std::string::npos ? "" : info.substr(colon + 1);
}

// `uri` with its database replaced by `db` (query kept).
inline std::string pg_with_db(const std::string& uri, const std::string& db) {
  size_t q = uri.find('?');
  std::string base = uri.substr(0, q), query = q == std::string::npos ? "" : uri.substr(q);
  size_t slash = base.find('/', base.find("://") + 3);
  return (slash == std::string::npos ? base : base.substr(0, slash)) + "/" + db + query;
}

inline std::string pg_db(const std::string& uri) {
  std::string base = uri.substr(0, uri.find('?'));
  size_t slash = base.find('/', base.find("://") + 3);
  return slash == std::string::npos ? "" : base.substr(slash + 1);
}

inline std::string pg_with_param(const std::string& uri, const std::string& param) {
  return uri + (uri.find('?') == std::string::npos ? "?" : "&") + param;
}

// A schema created in the test database (and in DB_prod when `also_prod`), dropped at the end.
class PgTestSchema {
 public:
  explicit PgTestSchema(std::string base_uri, bool also_prod = false) : base_(std::move(base_uri)), prod_(also_prod) {
    static std::atomic<int> counter{0};
    std::random_device rd;
    name_ =
        "pt_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(rd() % 100000);
    for (const std::string& u : dbs()) run(u, "CREATE SCHEMA " + name_);
  }
  ~PgTestSchema() {
    for (const std::string& u : dbs()) {
      try {
        run(u, "DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
      } catch (const std::exception&) {
      }
    }
  }
  PgTestSchema(const PgTestSchema&) = delete;
  PgTestSchema& operator=(const PgTestSchema&) = delete;

  const std::string& name() const { return name_; }
  // The store URI whose tables live in this schema.
  std::string uri() const { return pg_with_param(base_, "options=-csearch_path%3D" + name_); }
  // Runs SQL as the test user in this schema (dev database).
  void exec(const std::string& sql) const { run(base_, "SET search_path TO " + name_ + "; " + sql); }
  std::string query1(const std::string& sql) const {
    pqxx::connection c(base_);
    pqxx::nontransaction n(c);
    n.exec("SET search_path TO " + name_);
    return n.exec1(sql)[0].c_str();
  }

 private:
  std::vector<std::string> dbs() const {
    std::vector<std::string> out = {base_};
    if (prod_) out.push_back(pg_with_db(base_, pg_db(base_) + "_prod"));
    return out;
  }
  static void run(const std::string& uri, const std::string& sql) {
    pqxx::connection c(uri);
    pqxx::nontransaction n(c);
    n.exec(sql);
  }

  std::string base_;
  bool prod_;
  std::string name_;
};

}  // namespace pt_test
