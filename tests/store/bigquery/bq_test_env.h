// Test helper: a fake BigQuery plus what a client needs to reach it — a service-account JSON with
// a freshly generated RSA key whose token_uri points at the fake, a GcpAuth from it, and store
// options with a fast retry policy (no real sleeping; waits are recorded). Used by tests/bigquery
// and the BigQuery backend of the conformance suite.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "net/gcp_auth.h"
#include "store/bigquery/bigquery_store.h"
#include "support/fakes/fake_bigquery.h"
#include "support/fakes/test_keys.h"

namespace pt_test {

using pt::fake::test_private_key_pem;

inline std::string service_account_json(const std::string& token_uri) {
  return nlohmann::json{{"type", "service_account"},
                        {"project_id", "pt-test"},
                        {"private_key_id", "kid-bq-1"},
                        {"private_key", test_private_key_pem()},
                        {"client_email", "picktune@pt-test.iam.gserviceaccount.com"},
                        {"token_uri", token_uri}}
      .dump();
}

struct BqTestEnv {
  explicit BqTestEnv(pt::fake::FakeBigQueryConfig config = {})
      : fake(std::make_unique<pt::fake::FakeBigQuery>(std::move(config))) {
    auto a = pt::GcpAuth::from_json(service_account_json(fake->base_url() + "/token"), "test-sa.json");
    if (a.ok()) auth = *a;
  }

  pt::BigQueryStoreOptions options(const std::string& dataset = "picktune_dev") {
    pt::BigQueryStoreOptions o;
    o.target.project = "pt-test";
    o.target.dataset = dataset;
    o.base_url = fake->base_url();
    o.auth = auth;
    o.retry.max_attempts = 4;
    o.retry.base_delay_ms = 10;
    o.sleep_ms = [w = waits](int64_t ms) { w->push_back(ms); };
    o.page_rows = 1000;
    return o;
  }

  pt::Result<std::unique_ptr<pt::Store>> open(const std::string& dataset = "picktune_dev") {
    return pt::open_bigquery_store(options(dataset));
  }

  // A production-shaped traces table in `dataset` whose payload column is JSON, not STRING.
  void create_json_payload_traces(const std::string& dataset) {
    nlohmann::json fields = nlohmann::json::array();
    for (auto [name, type] : {std::pair{"id", "STRING"},
                              {"agent_step_id", "STRING"},
                              {"user_id", "STRING"},
                              {"created_at", "TIMESTAMP"},
                              {"type", "STRING"},
                              {"payload", "JSON"}})
      fields.push_back({{"name", name}, {"type", type}, {"mode", "NULLABLE"}});
    fake->create_table("pt-test", dataset,
                       {{"tableReference", {{"projectId", "pt-test"}, {"datasetId", dataset}, {"tableId", "traces"}}},
                        {"schema", {{"fields", fields}}},
                        {"timePartitioning", {{"type", "MONTH"}, {"field", "created_at"}}}});
  }

  std::unique_ptr<pt::fake::FakeBigQuery> fake;
  std::shared_ptr<pt::GcpAuth> auth;
  std::shared_ptr<std::vector<int64_t>> waits = std::make_shared<std::vector<int64_t>>();
};

}  // namespace pt_test
