// The bigquery:// store (`bigquery://PROJECT/DATASET[?location=L&prod_dataset=NAME]`), exposed so
// tests can open it with a fake's URL, their own credentials and a fast retry policy. `--env prod`
// picks `prod_dataset=NAME` when given, else DATASET with a trailing `_dev` replaced by `_prod`
// (codebuff_data_dev → codebuff_data_prod), else DATASET_prod. Env BIGQUERY_BASE_URL overrides
// https://bigquery.googleapis.com; credentials come from GOOGLE_APPLICATION_CREDENTIALS.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "net/retry.h"
#include "store/store.h"
#include "util/result.h"

namespace pt {

class GcpAuth;

struct BigQueryTarget {
  std::string project;
  std::string dataset;   // the dataset in use (after --env)
  std::string location;  // "" = BigQuery's default (datasets created in US)
};

// Parses the URI and applies --env; usage errors name the URI part that is wrong.
Result<BigQueryTarget> parse_bigquery_uri(const std::string& uri, bool prod);
// The default prod dataset for a dev dataset name (see above).
std::string bigquery_prod_dataset(const std::string& dev_dataset);

struct BigQueryStoreOptions {
  BigQueryTarget target;
  std::string base_url;           // "" = env BIGQUERY_BASE_URL, else https://bigquery.googleapis.com
  std::shared_ptr<GcpAuth> auth;  // null = GcpAuth::shared_from_env() (GOOGLE_APPLICATION_CREDENTIALS)
  RetryPolicy retry;
  std::function<void(int64_t)> sleep_ms;  // null = really sleep (tests inject)
  int64_t page_rows = 10000;              // rows per results page
  size_t insert_rows = 500;               // rows per tabledata.insertAll request
  size_t insert_bytes = 5u << 20;         // ~bytes per tabledata.insertAll request
};

// Opens (and, when missing, creates) the dataset and its tables.
Result<std::unique_ptr<Store>> open_bigquery_store(BigQueryStoreOptions options);
// For open_store(): parses the URI, reads credentials from the environment; `prod` selects the
// prod dataset (?prod_dataset=NAME, else DATASET with `_dev` replaced by `_prod`, else DATASET_prod).
Result<std::unique_ptr<Store>> open_bigquery_store(const std::string& uri, bool prod);

}  // namespace pt
