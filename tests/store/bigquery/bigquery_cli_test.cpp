// The `picktune` binary on `--store bigquery://pt-test/picktune_dev` against the in-process fake
// BigQuery (BIGQUERY_BASE_URL, GOOGLE_APPLICATION_CREDENTIALS → a test service account): import
// jsonl → traces/relabels --json → export reproduces the input; every store-using command
// (init, import git, relabel, collect, eval score, student train, listings) works; --env prod
// writes to the prod dataset; failures name the store; no output ever holds the token or key;
// collect's and the listings' windows, filters, order and limits run inside BigQuery (the SQL and
// its parameters are checked, and only the window's rows come back).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "source_dir.h"
#include "store/bigquery/bq_test_env.h"
#include "support/run_cli.h"

namespace {

namespace fs = std::filesystem;
using pt_test::CliResult;

const char* kStore = "bigquery://pt-test/picktune_dev";

std::string trace_line(int i) {
  return "{\"id\":\"t" + std::to_string(i) + "\",\"agent_step_id\":\"step" + std::to_string(i) + "\",\"user_id\":\"u" +
         std::to_string(i % 2) + "\",\"created_at\":\"2025-05-0" + std::to_string(i) +
         "T10:00:00.123456Z\",\"type\":\"get-relevant-files\",\"payload\":{\"request_type\":\"Key\", "
         "\"output\":\"src/a.ts\\nsrc/b.ts\",\"n\":1.50}}";
}

class BigQueryCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pt_bq_cli_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    write("sa.json", pt_test::service_account_json(env_.fake->base_url() + "/token"));
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& data) { std::ofstream(dir_ / name, std::ios::binary) << data; }
  std::string read(const std::string& name) { return pt_test::slurp((dir_ / name).string()); }

  CliResult pt(std::vector<std::string> args, const std::string& store = kStore) {
    args.insert(args.begin(), {PICKTUNE_BINARY, "--store", store});
    CliResult r = pt_test::run_cli(args, dir_.string(), "",
                                   {"GOOGLE_APPLICATION_CREDENTIALS=" + (dir_ / "sa.json").string(),
                                    "BIGQUERY_BASE_URL=" + env_.fake->base_url(), "PICKTUNE_STORE="});
    expect_no_secrets(r);
    return r;
  }

  void expect_no_secrets(const CliResult& r) {
    for (const std::string* text : {&r.out, &r.err}) {
      EXPECT_EQ(text->find(env_.fake->token()), std::string::npos) << *text;
      EXPECT_EQ(text->find("PRIVATE KEY"), std::string::npos) << *text;
      std::string key_line = pt_test::test_private_key_pem().substr(28, 40);  // inside the base64 body
      EXPECT_EQ(text->find(key_line), std::string::npos);
    }
  }

  pt_test::BqTestEnv env_;
  fs::path dir_;
};

TEST_F(BigQueryCli, ImportJsonlThenListingAndExportReproduceTheFileAndReimportAddsNothing) {
  std::string traces;
  for (int i = 5; i >= 1; --i) traces += trace_line(i) + "\n";  // newest first, as listings print
  std::string relabels =
      "{\"id\":\"r1\",\"agent_step_id\":\"step1\",\"user_id\":\"u1\",\"created_at\":\"2025-06-01T00:00:00Z\",\"model\":"
      "\"truth\","
      "\"payload\":{\"request_type\":\"Key\",\"files\":[\"src/a.ts\"],\"output\":\"src/a.ts\"}}\n";
  write("traces.jsonl", traces);
  write("relabels.jsonl", relabels);
  CliResult imp = pt({"import", "jsonl", "traces.jsonl", "relabels.jsonl"});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  CliResult listed = pt({"traces", "--json", "--limit", "0"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(listed.out, traces);
  CliResult rel = pt({"relabels", "--json"});
  ASSERT_EQ(rel.exit_code, 0) << rel.err;
  EXPECT_EQ(rel.out, relabels);
  CliResult exp = pt({"export", "traces", "-o", "out.jsonl"});
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  EXPECT_EQ(read("out.jsonl"), traces);
  CliResult filtered = pt({"export", "traces", "--user", "u1", "--since", "2025-05-02"});
  ASSERT_EQ(filtered.exit_code, 0) << filtered.err;
  EXPECT_EQ(filtered.out, trace_line(5) + "\n" + trace_line(3) + "\n");
  CliResult again = pt({"import", "jsonl", "traces.jsonl"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(env_.fake->row_count("pt-test", "picktune_dev", "traces"), 5);
  CliResult init = pt({"init"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_EQ(init.out, "bigquery://pt-test/picktune_dev is ready: 5 traces, 1 relabels\n");
}

TEST_F(BigQueryCli, EveryStoreCommandWorksOnBigQuery) {
  const std::string bundle = std::string(PICKTUNE_SOURCE_DIR) + "/data/sample/express.bundle";
  CliResult git = pt({"import", "git", bundle, "--max", "40"});
  ASSERT_EQ(git.exit_code, 0) << git.err;
  int64_t traces = env_.fake->row_count("pt-test", "picktune_dev", "traces");
  EXPECT_GT(traces, 0);
  CliResult relabel = pt({"relabel", "--teacher", "local:bm25", "--limit", "10", "--no-progress"});
  ASSERT_EQ(relabel.exit_code, 0) << relabel.err;
  CliResult relabels = pt({"relabels", "--model", "local:bm25", "--json", "--limit", "0"});
  ASSERT_EQ(relabels.exit_code, 0) << relabels.err;
  EXPECT_EQ(std::count(relabels.out.begin(), relabels.out.end(), '\n'), 10);
  CliResult rerun = pt({"relabel", "--teacher", "local:bm25", "--limit", "10", "--no-progress"});  // all done already
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_NE(rerun.out.find("10 already relabeled"), std::string::npos) << rerun.out;  // relabeled_keys
  CliResult again = pt({"relabels", "--model", "local:bm25", "--json", "--limit", "0"});
  EXPECT_EQ(again.out, relabels.out);
  CliResult collect = pt({"collect", "--teacher", "truth", "-o", "tune", "--validation-fraction", "0.2"});
  ASSERT_EQ(collect.exit_code, 0) << collect.err;
  EXPECT_TRUE(fs::exists(dir_ / "tune.jsonl"));
  EXPECT_FALSE(read("tune.jsonl").empty());
  CliResult score = pt({"eval", "score", "--models", "local:bm25", "--reference", "truth", "--json"});
  ASSERT_EQ(score.exit_code, 0) << score.err;
  EXPECT_NE(score.out.find("local:bm25"), std::string::npos) << score.out;
  CliResult student = pt({"student", "train", "--teacher", "truth", "-o", "student.bin"});
  ASSERT_EQ(student.exit_code, 0) << student.err;
  EXPECT_TRUE(fs::exists(dir_ / "student.bin"));
  CliResult listing = pt({"traces", "--type", "get-relevant-files", "--limit", "3"});
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  EXPECT_FALSE(listing.out.empty());
}

// The SELECT of `table` whose text contains `needle`: its index in the fake's query log.
size_t query_with(const std::vector<nlohmann::json>& bodies, const std::string& table, const std::string& needle) {
  for (size_t i = bodies.size(); i-- > 0;) {
    std::string sql = bodies[i]["query"];
    if (sql.rfind("SELECT", 0) == 0 && sql.find("picktune_dev." + table + "`") != std::string::npos &&
        sql.find(needle) != std::string::npos)
      return i;
  }
  return std::string::npos;
}

std::string param_value(const nlohmann::json& body, const std::string& name, const std::string& type) {
  for (const auto& p : body.value("queryParameters", nlohmann::json::array()))
    if (p["name"] == name && p["parameterType"]["type"] == type) return p["parameterValue"]["value"];
  return "(no " + type + " parameter @" + name + ")";
}

TEST_F(BigQueryCli, CollectAndListingsPushWindowsFiltersOrderAndLimitsIntoTheQuery) {
  std::string traces, relabels;
  for (int i = 1; i <= 5; ++i) {
    traces += trace_line(i) + "\n";
    relabels += "{\"id\":\"r" + std::to_string(i) + "\",\"agent_step_id\":\"step" + std::to_string(i) +
                "\",\"user_id\":\"u1\",\"created_at\":\"2025-06-01T00:00:00Z\",\"model\":\"truth\","
                "\"payload\":{\"request_type\":\"Key\",\"files\":[\"src/a.ts\"],\"output\":\"src/a.ts\"}}\n";
  }
  write("traces.jsonl", traces);
  write("relabels.jsonl", relabels);
  ASSERT_EQ(pt({"import", "jsonl", "traces.jsonl", "relabels.jsonl"}).exit_code, 0);

  // collect over two days of the five: the window and the type are WHERE clauses, the order is
  // SQL's, and BigQuery sends back two trace rows, not five.
  CliResult collect =
      pt({"collect", "--teacher", "truth", "-o", "tune", "--since", "2025-05-03", "--until", "2025-05-05"});
  ASSERT_EQ(collect.exit_code, 0) << collect.err;
  auto bodies = env_.fake->query_bodies();
  auto rows = env_.fake->result_rows();
  size_t q = query_with(bodies, "traces", "ORDER BY");
  ASSERT_NE(q, std::string::npos);
  std::string sql = bodies[q]["query"];
  for (const char* part :
       {"created_at >= @since", "created_at < @until", "type = @type", "ORDER BY created_at ASC, id ASC"})
    EXPECT_NE(sql.find(part), std::string::npos) << part << " in " << sql;
  EXPECT_EQ(param_value(bodies[q], "since", "TIMESTAMP").substr(0, 10), "2025-05-03");
  EXPECT_EQ(param_value(bodies[q], "until", "TIMESTAMP").substr(0, 10), "2025-05-05");
  EXPECT_EQ(param_value(bodies[q], "type", "STRING"), "get-relevant-files");
  EXPECT_EQ(rows[q], 2);
  // The teacher's relabels are selected by model in SQL too.
  size_t r = query_with(bodies, "relabels", "model = @model");
  ASSERT_NE(r, std::string::npos);
  EXPECT_EQ(param_value(bodies[r], "model", "STRING"), "truth");
  // (These traces have no system prompt, so collect reads them and drops them; it read two: t3, t4.)
  EXPECT_NE(collect.out.find("2 traces read"), std::string::npos) << collect.out;
  EXPECT_NE(collect.err.find("row t3"), std::string::npos) << collect.err;
  EXPECT_NE(collect.err.find("row t4"), std::string::npos) << collect.err;

  // A listing: user, window, newest first and the limit all in the query; one row comes back.
  CliResult listing = pt({"traces", "--json", "--user", "u1", "--since", "2025-05-02", "--limit", "1"});
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  EXPECT_EQ(listing.out, trace_line(5) + "\n");
  bodies = env_.fake->query_bodies();
  rows = env_.fake->result_rows();
  q = query_with(bodies, "traces", "LIMIT @limit");
  ASSERT_NE(q, std::string::npos);
  sql = bodies[q]["query"];
  for (const char* part : {"user_id = @user_id", "created_at >= @since", "ORDER BY created_at DESC, id DESC"})
    EXPECT_NE(sql.find(part), std::string::npos) << part << " in " << sql;
  EXPECT_EQ(param_value(bodies[q], "user_id", "STRING"), "u1");
  EXPECT_EQ(rows[q], 1);
}

TEST_F(BigQueryCli, EnvProdUsesTheProdDataset) {
  write("t.jsonl", trace_line(1) + "\n");
  CliResult imp = pt({"--env", "prod", "import", "jsonl", "t.jsonl"});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_EQ(env_.fake->row_count("pt-test", "picktune_prod", "traces"), 1);
  EXPECT_EQ(env_.fake->row_count("pt-test", "picktune_dev", "traces"), -1);  // never touched
  CliResult init = pt({"--prod", "init"}, "bigquery://pt-test/picktune_dev?prod_dataset=live");
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_EQ(init.out, "bigquery://pt-test/live is ready: 0 traces, 0 relabels\n");
}

TEST_F(BigQueryCli, FailuresNameTheStoreAndNeverTheToken) {
  ASSERT_EQ(pt({"init"}).exit_code, 0);
  env_.fake->fail([] {
    pt::fake::FakeBqFault f;
    f.op = "query";
    f.status = 403;
    f.reason = "accessDenied";
    f.message = "Access Denied: caller with token {token} lacks bigquery.jobs.create";
    f.times = 100;
    return f;
  }());
  CliResult r = pt({"traces"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(
      r.err.find("picktune: bigquery://pt-test/picktune_dev: reading traces: HTTP 403 accessDenied: Access Denied"),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("[redacted]"), std::string::npos) << r.err;
  CliResult bad = pt({"traces"}, "bigquery://pt-test");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("bigquery://PROJECT/DATASET"), std::string::npos) << bad.err;
  CliResult no_creds =
      pt_test::run_cli({PICKTUNE_BINARY, "--store", kStore, "traces"}, dir_.string(), "",
                       {"GOOGLE_APPLICATION_CREDENTIALS=", "BIGQUERY_BASE_URL=" + env_.fake->base_url()});
  EXPECT_EQ(no_creds.exit_code, 1);
  EXPECT_NE(no_creds.err.find("bigquery://pt-test/picktune_dev: GOOGLE_APPLICATION_CREDENTIALS is not set"),
            std::string::npos)
      << no_creds.err;
}

}  // namespace
