// Loopback fake of the BigQuery REST v2 subset the bigquery:// store calls, plus Google's OAuth
// token endpoint: datasets/tables get/insert, tabledata.insertAll (insertId dedup, row errors),
// jobs.query with NAMED parameters (SQL run by fake_bigquery_sql), getQueryResults paging and
// jobComplete=false polls, jobs.get, requestId dedup; faults on demand (status/reason per
// operation, lost answers, a malformed result row, a rejected insert row).
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/fakes/fake_bigquery_sql.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace pt::fake {

struct FakeBigQueryConfig {
  std::string access_token = "ya29.fake-bq-SECRET-token-7f3a";  // issued at /token, required as Bearer
  int64_t max_page_rows = 0;  // cap on rows per page whatever maxResults says (0 = none)
  int incomplete_polls = 0;   // every query first answers jobComplete=false this many times
};

// An error answered instead of the real response, `times` times, for requests of `op`:
// datasets.get, datasets.insert, tables.get, tables.insert, tables.delete, insertAll, query,
// getQueryResults, jobs.get, token, or "*" (any). "{token}" in `message` is replaced by the
// bearer token the request carried (to check that clients never echo it).
struct FakeBqFault {
  std::string op = "*";
  int status = 500;
  std::string reason = "backendError";
  std::string message = "Error encountered during execution. Retrying may solve the problem.";
  int times = 1;
  std::string retry_after;        // Retry-After header value ("" = none)
  std::string body_contains;      // only requests whose body contains this text ("" = any)
  bool after_processing = false;  // insertAll/query only: do the work, then lose the answer
};

class FakeBigQuery {
 public:
  explicit FakeBigQuery(FakeBigQueryConfig config = {});
  ~FakeBigQuery();
  FakeBigQuery(const FakeBigQuery&) = delete;
  FakeBigQuery& operator=(const FakeBigQuery&) = delete;

  std::string base_url() const;  // http://127.0.0.1:PORT
  const std::string& token() const { return config_.access_token; }

  void fail(FakeBqFault fault);
  // The next SELECT's result row `index` (0-based) gets garbage in its first INT64 cell (or
  // loses its last cell when it has none).
  void corrupt_next_result_row(int64_t index);
  // insertAll rejects (reason "invalid") any row whose json.id equals `id`.
  void reject_insert_row(const std::string& id);
  // Creates a table directly (e.g. a production-shaped one with a JSON payload).
  void create_table(const std::string& project, const std::string& dataset, const nlohmann::json& resource);
  void drop_table(const std::string& project, const std::string& dataset, const std::string& table);

  // Observations for assertions.
  int requests(const std::string& op) const;         // how many requests of `op` arrived (faulted ones too)
  std::vector<std::string> queries() const;          // SQL text of every jobs.query, in order
  std::vector<nlohmann::json> query_bodies() const;  // full jobs.query request bodies
  // Rows each jobs.query's SELECT produced (what BigQuery would ship back), parallel to
  // queries(); -1 for DML, failed queries and requestId replays.
  std::vector<int64_t> result_rows() const;
  std::optional<nlohmann::json> table(const std::string& project, const std::string& dataset,
                                      const std::string& table) const;
  int64_t row_count(const std::string& project, const std::string& dataset, const std::string& table) const;
  bool dataset_exists(const std::string& project, const std::string& dataset) const;

 private:
  struct Job {
    std::string id;
    bq::QueryResult result;
    int polls_left = 0;
  };
  void routes();
  bool guard(const std::string& op, const httplib::Request& req, httplib::Response& res);
  bool planned_fault(const std::string& op, const httplib::Request& req, httplib::Response& res, bool after);
  void query(const std::string& project, const httplib::Request& req, httplib::Response& res);
  void results(const std::string& project, const std::string& job_id, const httplib::Request& req,
               httplib::Response& res);
  nlohmann::json page_of(const Job& job, size_t offset, int64_t max_rows) const;
  void insert_all(const std::string& name, const httplib::Request& req, httplib::Response& res);
  void insert_table(const std::string& project, const std::string& dataset, const nlohmann::json& body,
                    httplib::Response& res);
  bq::Table* find(const std::string& full_name);

  FakeBigQueryConfig config_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::set<std::string> datasets_;                           // "project.dataset"
  std::map<std::string, bq::Table> tables_;                  // "project.dataset.table"
  std::map<std::string, std::set<std::string>> insert_ids_;  // per table
  std::map<std::string, Job> jobs_;
  std::map<std::string, std::string> request_ids_;  // requestId -> job id
  std::vector<FakeBqFault> faults_;
  std::map<std::string, int> counts_;
  std::vector<std::string> queries_;
  std::vector<nlohmann::json> query_bodies_;
  std::vector<int64_t> result_rows_;
  std::optional<int64_t> corrupt_row_;
  std::set<std::string> reject_ids_;
  int next_job_ = 1;
};

}  // namespace pt::fake
