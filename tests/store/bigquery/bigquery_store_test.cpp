// BigQuery-specific behaviour of the bigquery:// store against the loopback fake: table layout
// (monthly partitions, clustering, STRING payload), named parameters only, paging and polling,
// retries with backoff on 500/429/403 rateLimitExceeded (not on 403 accessDenied), lost answers
// (insertId and requestId dedup keep upsert counts exact), missing tables, malformed and
// rejected rows, tokens never echoed, production tables with a JSON payload, URI and --env.
#include <gtest/gtest.h>

#include <algorithm>

#include "store/bigquery/bq_test_env.h"

namespace pt {
namespace {

using fake::FakeBigQueryConfig;
using fake::FakeBqFault;
using pt_test::BqTestEnv;

Row trace(const std::string& id, int64_t t, const std::string& user = "u1") {
  Row r;
  r.id = id;
  r.agent_step_id = "step-" + id;
  r.user_id = user;
  r.created_at_us = t;
  r.type = "get-relevant-files";
  r.payload = R"({"request_type":"Key", "output":"a.ts"})";
  return r;
}

FakeBqFault fault(std::string op, int status, std::string reason, std::string message, int times = 1,
                  std::string retry_after = "") {
  FakeBqFault f;
  f.op = std::move(op);
  f.status = status;
  f.reason = std::move(reason);
  f.message = std::move(message);
  f.times = times;
  f.retry_after = std::move(retry_after);
  return f;
}

std::vector<std::string> scan_ids(Store& s, const RowFilter& f = {}) {
  std::vector<std::string> out;
  auto r = s.scan(Table::traces, f, [&](Row&& row) {
    out.push_back(row.id);
    return true;
  });
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return out;
}

std::unique_ptr<Store> must_open(BqTestEnv& env, const std::string& dataset = "picktune_dev") {
  auto s = env.open(dataset);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return s.ok() ? std::move(s).value() : nullptr;
}

TEST(BigQueryStore, CreatesMonthlyPartitionedClusteredTablesWithAStringPayload) {
  BqTestEnv env;
  auto store = must_open(env);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->describe(), "bigquery://pt-test/picktune_dev");
  EXPECT_TRUE(env.fake->dataset_exists("pt-test", "picktune_dev"));
  for (const char* name : {"traces", "relabels"}) {
    auto t = env.fake->table("pt-test", "picktune_dev", name);
    ASSERT_TRUE(t) << name;
    EXPECT_EQ((*t)["timePartitioning"], (nlohmann::json{{"type", "MONTH"}, {"field", "created_at"}}));
    EXPECT_EQ((*t)["clustering"]["fields"], (nlohmann::json{"user_id", "agent_step_id"}));
    auto fields = (*t)["schema"]["fields"];
    auto payload = std::find_if(fields.begin(), fields.end(), [](auto& f) { return f["name"] == "payload"; });
    ASSERT_NE(payload, fields.end());
    EXPECT_EQ((*payload)["type"], "STRING");  // keeps the imported text byte for byte
  }
  // Re-opening finds the tables and creates nothing.
  int inserts = env.fake->requests("tables.insert");
  ASSERT_TRUE(must_open(env));
  EXPECT_EQ(env.fake->requests("tables.insert"), inserts);
}

TEST(BigQueryStore, ValuesTravelOnlyAsNamedParameters) {
  BqTestEnv env;
  auto store = must_open(env);
  ASSERT_TRUE(store);
  const std::string hostile = "u1' OR '1'='1";
  ASSERT_TRUE(store->upsert(Table::traces, std::vector<Row>{trace("a", 10, hostile), trace("b", 20)}).ok());
  RowFilter f;
  f.user_id = hostile;
  f.request_kind = pt::RequestKind::key;
  f.since_us = 5;
  f.limit = 5;
  EXPECT_EQ(scan_ids(*store, f), std::vector<std::string>{"a"});
  f.user_id = "u1' --";
  EXPECT_TRUE(scan_ids(*store, f).empty());
  for (const auto& body : env.fake->query_bodies()) {
    std::string sql = body["query"];
    EXPECT_EQ(sql.find("u1'"), std::string::npos) << sql;
    EXPECT_EQ(sql.find("step-a"), std::string::npos) << sql;
    EXPECT_EQ(body["useLegacySql"], false);
    if (!body["queryParameters"].empty()) {
      EXPECT_EQ(body["parameterMode"], "NAMED");
    }
    EXPECT_FALSE(body.value("requestId", "").empty());
  }
}

TEST(BigQueryStore, PagesThroughManyResultPagesAndStopsFetchingWhenTheReaderStops) {
  FakeBigQueryConfig c;
  c.max_page_rows = 7;
  BqTestEnv env(c);
  auto store = must_open(env);
  ASSERT_TRUE(store);
  std::vector<Row> rows;
  for (int i = 0; i < 100; ++i) rows.push_back(trace("r" + std::to_string(1000 + i), i));
  ASSERT_TRUE(store->upsert(Table::traces, rows).ok());
  int before = env.fake->requests("getQueryResults");
  RowFilter oldest;
  oldest.order = RowFilter::Order::oldest_first;
  auto got = scan_ids(*store, oldest);
  ASSERT_EQ(got.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(got[static_cast<size_t>(i)], "r" + std::to_string(1000 + i));
  EXPECT_EQ(env.fake->requests("getQueryResults") - before, 14);  // 15 pages of ≤ 7 rows
  before = env.fake->requests("getQueryResults");
  int seen = 0;
  ASSERT_TRUE(store->scan(Table::traces, {}, [&](Row&&) { return ++seen < 10; }).ok());
  EXPECT_EQ(seen, 10);
  EXPECT_EQ(env.fake->requests("getQueryResults") - before, 1);  // 2 pages read, no more
}

TEST(BigQueryStore, PollsUnfinishedJobsAndReadsDmlStatisticsFromTheJob) {
  FakeBigQueryConfig c;
  c.incomplete_polls = 3;
  BqTestEnv env(c);
  auto store = must_open(env);
  ASSERT_TRUE(store);
  auto s = store->upsert(Table::traces, std::vector<Row>{trace("a", 1), trace("b", 2)});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->inserted, 2);
  EXPECT_GE(env.fake->requests("jobs.get"), 1);  // dmlStats are not on getQueryResults pages
  auto n = store->count(Table::traces, {});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
}

TEST(BigQueryStore, RetriesServerErrorsAndRateLimitsWithBackoff) {
  BqTestEnv env;
  auto store = must_open(env);
  ASSERT_TRUE(store);
  env.fake->fail(
      fault("query", 500, "backendError", "Error encountered during execution. Retrying may solve the problem.", 2));
  env.fake->fail(
      fault("insertAll", 429, "rateLimitExceeded", "Exceeded rate limits: too many api requests per user", 1));
  env.fake->fail(fault("query", 403, "rateLimitExceeded", "Exceeded rate limits: too many concurrent queries", 1, "2"));
  env.fake->fail(fault("insertAll", 503, "backendError", "Service unavailable", 1));
  auto s = store->upsert(Table::traces, std::vector<Row>{trace("a", 1)});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->inserted, 1);
  EXPECT_EQ(scan_ids(*store), std::vector<std::string>{"a"});
  ASSERT_GE(env.waits->size(), 4u);
  EXPECT_TRUE(std::any_of(env.waits->begin(), env.waits->end(),
                          [](int64_t ms) { return ms >= 2000; }));  // Retry-After honoured
}

TEST(BigQueryStore, PermissionDeniedIsNotRetriedAndNamesStoreStatusAndReason) {
  BqTestEnv env;
  auto store = must_open(env);
  ASSERT_TRUE(store);
  env.fake->fail(fault("query", 403, "accessDenied",
                       "Access Denied: Table pt-test:picktune_dev.traces: User does not have permission", 5));
  int before = env.fake->requests("query");
  auto n = store->count(Table::traces, {});
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(env.fake->requests("query") - before, 1);
  const std::string& m = n.error().message;
  for (const char* part :
       {"bigquery://pt-test/picktune_dev", "counting traces", "HTTP 403", "accessDenied", "Access Denied"})
    EXPECT_NE(m.find(part), std::string::npos) << part << " in: " << m;
}

TEST(BigQueryStore, GivesUpAfterTheRetryBudgetWithAClearMessage) {
  BqTestEnv env;
  auto store = must_open(env);
  ASSERT_TRUE(store);
  env.fake->fail(fault("query", 500, "backendError", "The service is currently unavailable.", 50));
  auto n = store->count(Table::traces, {});
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.error().message.find("HTTP 500 backendError: The service is currently unavailable. (after 4 attempts)"),
            std::string::npos)
      << n.error().message;
  ASSERT_EQ(env.waits->size(), 3u);
}

TEST(BigQueryStore, LostAnswersAreRetriedWithoutDuplicatesOrWrongCounts) {
  BqTestEnv env;
  auto store = must_open(env);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->upsert(Table::traces, std::vector<Row>{trace("old", 1)}).ok());
  FakeBqFault lost_insert = fault("insertAll", 503, "backendError", "lost");
  lost_insert.after_processing = true;
  FakeBqFault lost_merge = fault("query", 500, "backendError", "lost");
  lost_merge.after_processing = true;
  lost_merge.body_contains = "MERGE";
  env.fake->fail(lost_insert);
  env.fake->fail(lost_merge);
  Row changed = trace("old", 2);
  auto s = store->upsert(Table::traces, std::vector<Row>{changed, trace("new", 3)});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->inserted, 1);  // the retried MERGE (same requestId) reports the first run's counts
  EXPECT_EQ(s->updated, 1);
  EXPECT_EQ(s->unchanged, 0);
  EXPECT_EQ(env.waits->size(), 2u);                                                       // both answers were lost once
  EXPECT_EQ(env.fake->row_count("pt-test", "picktune_dev", "picktune_stage_traces"), 3);  // 1 + 2, none twice
  EXPECT_EQ(env.fake->row_count("pt-test", "picktune_dev", "traces"), 2);
}

TEST(BigQueryStore, RowsAreNeverStreamedIntoTheTablesSoLaterUpdatesWork) {
  BqTestEnv env;
  auto store = must_open(env);
  ASSERT_TRUE(store);
  Row r = trace("a", 1);
  ASSERT_TRUE(store->upsert(Table::traces, std::vector<Row>{r}).ok());
  r.payload = R"({"request_type":"Non-Obvious"})";  // the fake refuses DML over streamed rows
  auto s = store->upsert(Table::traces, std::vector<Row>{r});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->updated, 1);
  EXPECT_EQ(env.fake->requests("insertAll"), 2);  // staging only
}

TEST(BigQueryStore, MissingTableNamesTheStoreAndHowToFixIt) {
  BqTestEnv env;
  auto store = must_open(env);
  ASSERT_TRUE(store);
  env.fake->drop_table("pt-test", "picktune_dev", "traces");
  auto s = store->scan(Table::traces, {}, [](Row&&) { return true; });
  ASSERT_FALSE(s.ok());
  for (const char* part : {"bigquery://pt-test/picktune_dev", "reading traces", "HTTP 404 notFound",
                           "picktune_dev.traces", "picktune init"})
    EXPECT_NE(s.error().message.find(part), std::string::npos) << part << " in: " << s.error().message;
}

TEST(BigQueryStore, ATableThatCannotBeCreatedFailsTheOpenClearly) {
  BqTestEnv env;
  env.fake->fail(fault("tables.insert", 403, "accessDenied",
                       "Access Denied: Dataset pt-test:picktune_dev: Permission bigquery.tables.create denied", 1));
  auto s = env.open();
  ASSERT_FALSE(s.ok());
  for (const char* part :
       {"bigquery://pt-test/picktune_dev", "creating table traces", "HTTP 403 accessDenied", "bigquery.tables.create"})
    EXPECT_NE(s.error().message.find(part), std::string::npos) << part << " in: " << s.error().message;
}

TEST(BigQueryStore, AMalformedResultRowIsAnErrorNamingTheRow) {
  BqTestEnv env;
  auto store = must_open(env);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->upsert(Table::traces, std::vector<Row>{trace("a", 3), trace("b", 2), trace("c", 1)}).ok());
  env.fake->corrupt_next_result_row(1);
  int seen = 0;
  auto s = store->scan(Table::traces, {}, [&](Row&&) { return ++seen, true; });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(seen, 1);
  EXPECT_NE(s.error().message.find(
                "reading traces: malformed row 2 of the result (id \"b\"): created_at \"12x-not-a-number\""),
            std::string::npos)
      << s.error().message;
}

TEST(BigQueryStore, ARejectedInsertRowNamesTheRowAndWritesNothing) {
  BqTestEnv env;
  auto store = must_open(env);
  ASSERT_TRUE(store);
  env.fake->reject_insert_row("bad-1");
  auto s = store->upsert(Table::traces, std::vector<Row>{trace("ok-1", 1), trace("bad-1", 2), trace("ok-2", 3)});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("BigQuery rejected row bad-1: invalid"), std::string::npos) << s.error().message;
  EXPECT_EQ(env.fake->row_count("pt-test", "picktune_dev", "traces"), 0);
  EXPECT_EQ(*store->count(Table::traces, {}), 0);
}

TEST(BigQueryStore, TheAccessTokenNeverAppearsInMessages) {
  BqTestEnv env;
  auto store = must_open(env);
  ASSERT_TRUE(store);
  env.fake->fail(fault("query", 400, "invalid", "Invalid request from Bearer {token}", 1));
  auto n = store->count(Table::traces, {});
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().message.find(env.fake->token()), std::string::npos) << n.error().message;
  EXPECT_NE(n.error().message.find("Bearer [redacted]"), std::string::npos) << n.error().message;
  EXPECT_EQ(n.error().message.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(store->describe().find(env.fake->token()), std::string::npos);
}

TEST(BigQueryStore, WritesAndReadsAProductionTableWithAJsonPayload) {
  BqTestEnv env;
  env.create_json_payload_traces("codebuff_data_dev");
  auto store = must_open(env, "codebuff_data_dev");
  ASSERT_TRUE(store);
  Row r = trace("p1", 5);
  auto s = store->upsert(Table::traces, std::vector<Row>{r});
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto got = store->get(Table::traces, "p1");
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ((*got)->payload, R"({"output":"a.ts","request_type":"Key"})");  // BigQuery's JSON re-serializes
  r.payload = R"({"request_type":"Non-Obvious"})";
  s = store->upsert(Table::traces, std::vector<Row>{r});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->updated, 1);
  RowFilter f;
  f.request_kind = pt::RequestKind::non_obvious;
  EXPECT_EQ(scan_ids(*store, f), std::vector<std::string>{"p1"});
}

TEST(BigQueryStore, ATableWithOtherColumnsIsRefused) {
  BqTestEnv env;
  env.fake->create_table("pt-test", "other",
                         {{"tableReference", {{"projectId", "pt-test"}, {"datasetId", "other"}, {"tableId", "traces"}}},
                          {"schema", {{"fields", {{{"name", "id"}, {"type", "INT64"}}}}}}});
  auto s = env.open("other");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(
      s.error().message.find(
          "bigquery://pt-test/other: table traces is not a picktune traces table: column id (STRING) is of type INT64"),
      std::string::npos)
      << s.error().message;
}

TEST(BigQueryUri, ParsesProjectDatasetOptionsAndTheProdMapping) {
  auto dev = parse_bigquery_uri("bigquery://my-proj/codebuff_data_dev", false);
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ(dev->project, "my-proj");
  EXPECT_EQ(dev->dataset, "codebuff_data_dev");
  EXPECT_EQ(parse_bigquery_uri("bigquery://my-proj/codebuff_data_dev", true)->dataset, "codebuff_data_prod");
  EXPECT_EQ(parse_bigquery_uri("bigquery://my-proj/traces", true)->dataset, "traces_prod");
  auto custom = parse_bigquery_uri("bigquery://my-proj/ds_dev?prod_dataset=live_data&location=EU", true);
  ASSERT_TRUE(custom.ok());
  EXPECT_EQ(custom->dataset, "live_data");
  EXPECT_EQ(custom->location, "EU");
  for (const char* bad : {"bigquery://my-proj", "bigquery://my-proj/", "bigquery://my-proj/a-b", "bigquery://p/d`x",
                          "bigquery://my proj/d", "bigquery://p/d?colour=blue"}) {
    auto r = parse_bigquery_uri(bad, false);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::usage) << bad;
    EXPECT_NE(r.error().message.find("bigquery://"), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace pt
