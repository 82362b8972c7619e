// Conformance backend: the bigquery:// store against the loopback fake BigQuery (tests/support/fakes),
// a fresh fake per test. Pages are capped at 700 rows and every query first answers
// jobComplete=false once, so the suite also exercises polling and paging.
#include "store/bigquery/bq_test_env.h"
#include "store/conformance/backend.h"

namespace pt_test {
namespace {

class BigQueryFixture final : public StoreFixture {
 public:
  BigQueryFixture() : env_(config()) {}
  pt::Result<std::unique_ptr<pt::Store>> open() override { return env_.open(); }
  std::string secret() const override { return env_.fake->token(); }

 private:
  static pt::fake::FakeBigQueryConfig config() {
    pt::fake::FakeBigQueryConfig c;
    c.max_page_rows = 700;
    c.incomplete_polls = 1;
    return c;
  }
  BqTestEnv env_;
};

const RegisterBackend bigquery_backend({"bigquery", [] {
                                          return BackendSetup{std::make_unique<BigQueryFixture>(), "", false};
                                        }});

}  // namespace
}  // namespace pt_test
