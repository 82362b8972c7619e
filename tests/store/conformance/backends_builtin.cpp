// Conformance backends: SQLite (always; a temp file per test) and PostgreSQL (the test server
// in PICKTUNE_TEST_PG_URI, a fresh schema per test; skipped without it, failed under CI=true).
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "store/conformance/backend.h"
#include "store/postgres/pg_test_db.h"
#include "store/sqlite/sqlite_store.h"

namespace pt_test {
namespace {

class SqliteFixture final : public StoreFixture {
 public:
  SqliteFixture() {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("pt_conformance_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~SqliteFixture() override { std::filesystem::remove_all(dir_); }
  pt::Result<std::unique_ptr<pt::Store>> open() override { return pt::open_sqlite_store((dir_ / "s.db").string()); }

 private:
  std::filesystem::path dir_;
};

class PostgresFixture final : public StoreFixture {
 public:
  explicit PostgresFixture(const std::string& uri) : schema_(uri), password_(pg_password(uri)) {}
  pt::Result<std::unique_ptr<pt::Store>> open() override {
    pt::StoreOptions o;
    o.uri = schema_.uri();
    return pt::open_store(o);
  }
  std::string secret() const override { return password_; }

 private:
  PgTestSchema schema_;
  std::string password_;
};

const RegisterBackend sqlite_backend({"sqlite", [] {
                                        return BackendSetup{std::make_unique<SqliteFixture>(), "", false};
                                      }});

const RegisterBackend postgres_backend({"postgres", [] {
                                          BackendSetup s;
                                          std::string uri = pg_test_uri();
                                          if (uri.empty()) {
                                            s.unavailable = kPgMissing;
                                            s.required = pg_required();
                                          } else {
                                            s.fixture = std::make_unique<PostgresFixture>(uri);
                                          }
                                          return s;
                                        }});

}  // namespace
}  // namespace pt_test
