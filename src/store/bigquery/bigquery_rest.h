// The slice of the BigQuery REST API (v2) the bigquery:// store calls: datasets/tables get and
// insert, jobs.query with NAMED query parameters (values never spliced into SQL), paging through
// jobs.getQueryResults, jobs.get for DML statistics, and tabledata.insertAll. Every call retries
// transient failures (5xx, 429, 403 rateLimitExceeded, connection errors) with backoff; errors
// name the store, the HTTP status and BigQuery's reason/message, with the access token redacted.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/retry.h"
#include "util/result.h"

namespace pt {

class GcpAuth;

// One named query parameter: a scalar (STRING, INT64, TIMESTAMP, BOOL) or an ARRAY of STRING.
struct BqParam {
  std::string name;
  std::string type;                 // STRING | INT64 | TIMESTAMP | BOOL | ARRAY
  std::string value;                // scalar value in BigQuery's text form
  std::vector<std::string> values;  // ARRAY<STRING> elements

  static BqParam string(std::string name, std::string v) { return {std::move(name), "STRING", std::move(v), {}}; }
  static BqParam int64(std::string name, int64_t v) { return {std::move(name), "INT64", std::to_string(v), {}}; }
  static BqParam timestamp(std::string name, int64_t micros);
  static BqParam strings(std::string name, std::vector<std::string> v) {
    return {std::move(name), "ARRAY", "", std::move(v)};
  }
};

// "2025-05-01 12:00:00.123456 UTC": BigQuery's canonical TIMESTAMP text (params, insertAll).
std::string bq_timestamp_text(int64_t micros);

// BYTES random bytes as lowercase hex: job request ids and staging batch names.
std::string bq_random_hex(size_t bytes);

struct BqDmlStats {
  int64_t inserted = 0, updated = 0, deleted = 0;
};

struct BigQueryRestOptions {
  std::string base_url;  // https://bigquery.googleapis.com (or a fake's URL)
  std::string project;
  std::string location;    // "" = BigQuery's default
  std::string store_name;  // bigquery://PROJECT/DATASET, prefixes every message
  std::shared_ptr<GcpAuth> auth;
  RetryPolicy retry;
  std::function<void(int64_t)> sleep_ms;  // null = really sleep
  int64_t page_rows = 10000;              // maxResults per results page
};

class BigQueryRest {
 public:
  using Cells = std::vector<std::optional<std::string>>;  // one result row, NULL = nullopt
  // Receives each result row with its 0-based index; returns false to stop reading.
  using RowVisitor = std::function<Result<bool>(Cells&& cells, int64_t index)>;

  explicit BigQueryRest(BigQueryRestOptions options);

  // GET/POST/DELETE on a path under /bigquery/v2/projects/PROJECT (e.g. "/datasets/d").
  // nullopt when BigQuery answers 404 and `missing_ok`.
  Result<std::optional<nlohmann::json>> call(const std::string& method, const std::string& path,
                                             const nlohmann::json* body, const std::string& doing,
                                             bool missing_ok = false);
  // Runs one statement; rows (if any) are streamed page by page to `visit`.
  Result<BqDmlStats> query(const std::string& sql, const std::vector<BqParam>& params, const std::string& doing,
                           const RowVisitor& visit = nullptr);
  // tabledata.insertAll of rows {"insertId": …, "json": {…}} into DATASET.TABLE; all rows or an
  // error naming the first rejected row (by `row_names[index]`). false when the table is missing.
  Result<bool> insert_all(const std::string& dataset, const std::string& table, const nlohmann::json& rows,
                          const std::vector<std::string>& row_names, const std::string& doing);

  const BigQueryRestOptions& options() const { return options_; }

 private:
  Result<nlohmann::json> fetch_page(const std::string& job_id, const std::string& location,
                                    const std::string& page_token, const std::string& doing);
  Result<BqDmlStats> dml_stats_of(const nlohmann::json& response, const std::string& job_id,
                                  const std::string& location, const std::string& doing);
  std::string redact(std::string text) const;

  BigQueryRestOptions options_;
};

}  // namespace pt
