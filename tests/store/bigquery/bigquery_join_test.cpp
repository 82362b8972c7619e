// collect and eval score on `--store bigquery://…` read only the relabels that may join their trace
// window, in one query job (Store::scan_relabels_joining: the window as IN sub-selects on
// agent_step_id and payload.trace_id), and still write and print what they do on a SQLite store
// holding the same rows: the pairing stays core/relabel_join's. The fake checks the SQL and its
// parameters and counts the rows it sends back, so relabels outside the window are seen not to travel.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "source_dir.h"
#include "store/bigquery/bq_test_env.h"
#include "support/run_cli.h"

namespace {

namespace fs = std::filesystem;
using pt_test::CliResult;

const char* kStore = "bigquery://pt-test/picktune_dev";

// Trace i: day 2025-05-0i, step i, Key when i is odd, Non-Obvious when even; a real picker prompt.
std::string trace_line(int i) {
  std::string n = std::to_string(i);
  return R"({"id":"t)" + n + R"(","agent_step_id":"step)" + n + R"(","user_id":"u)" + std::to_string(i % 3) +
         R"(","created_at":"2025-05-0)" + n +
         R"(T10:00:00.000123Z","type":"get-relevant-files","payload":{"user_input_id":"ui)" + n +
         R"(","request_type":")" + (i % 2 ? "Key" : "Non-Obvious") +
         R"(","system":[{"type":"text","text":"<project_file_tree>\nsrc/a.ts\nsrc/b.ts\nsrc/c.ts\n</project_file_tree>"}],"messages":[{"role":"user","content":"<user_request>\nFix bug )" +
         n + R"(\n</user_request>"}],"output":"src/a.ts\nsrc/b.ts"}})";
}

// A relabel by `model`; `extra` adds payload fields (request_type, trace_id, user_input_id).
std::string relabel_line(const std::string& id, const std::string& step, const std::string& user,
                         const std::string& model, const std::string& extra, const std::string& output,
                         int second = 0) {
  return R"({"id":")" + id + R"(","agent_step_id":")" + step + R"(","user_id":")" + user +
         R"(","created_at":"2025-06-01T00:00:0)" + std::to_string(second) + R"(Z","model":")" + model +
         R"(","payload":{)" + extra + R"("output":")" + output + R"("}})";
}

std::string kind_of(int i) { return i % 2 ? "Key" : "Non-Obvious"; }

// How `eval score --json` writes a mean, e.g. "jaccard":{"mean":0.5.
std::string fmt_mean(double mean) { return R"("jaccard":{"mean":)" + nlohmann::json(mean).dump(); }

class BigQueryJoin : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pt_bq_join_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "sqlite");
    fs::create_directories(dir_ / "bigquery");
    std::ofstream(dir_ / "sa.json") << pt_test::service_account_json(env_.fake->base_url() + "/token");
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliResult run(bool bigquery, std::vector<std::string> args, const std::string& in = "") {
    args.insert(args.begin(), {PICKTUNE_BINARY, "--store", bigquery ? kStore : "sqlite:t.db"});
    CliResult r = pt_test::run_cli(args, (dir_ / (bigquery ? "bigquery" : "sqlite")).string(), in,
                                   {"GOOGLE_APPLICATION_CREDENTIALS=" + (dir_ / "sa.json").string(),
                                    "BIGQUERY_BASE_URL=" + env_.fake->base_url(), "PICKTUNE_STORE="});
    for (std::string* text : {&r.out, &r.err}) {
      for (const std::string& name : {std::string(kStore), std::string("sqlite:t.db")})
        for (size_t at = text->find(name); at != std::string::npos; at = text->find(name, at))
          text->replace(at, name.size(), "STORE");
      *text = std::regex_replace(*text, std::regex("ev-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}"), "RUN_ID");
      *text = std::regex_replace(*text, std::regex("in [0-9.]+ ?m?s\\b"), "in TIME");
    }
    return r;
  }

  std::pair<CliResult, CliResult> both(const std::vector<std::string>& args, const std::string& in = "") {
    CliResult s = run(false, args, in);
    CliResult b = run(true, args, in);
    EXPECT_EQ(s.exit_code, 0) << s.err;
    EXPECT_EQ(b.exit_code, 0) << b.err;
    return {s, b};
  }

  std::string file(const std::string& side, const std::string& name) {
    return pt_test::slurp((dir_ / side / name).string());
  }

  // The last SELECT on relabels that holds `needle`, or npos.
  size_t relabel_query(const std::string& needle) const {
    auto bodies = env_.fake->query_bodies();
    for (size_t i = bodies.size(); i-- > 0;) {
      std::string sql = bodies[i]["query"];
      if (sql.rfind("SELECT", 0) == 0 && sql.find("picktune_dev.relabels` WHERE") != std::string::npos &&
          sql.find(needle) != std::string::npos)
        return i;
    }
    return std::string::npos;
  }

  static std::string param(const nlohmann::json& body, const std::string& name, const std::string& type) {
    for (const auto& p : body.value("queryParameters", nlohmann::json::array()))
      if (p["name"] == name && p["parameterType"]["type"] == type) return p["parameterValue"]["value"];
    return "(no " + type + " parameter @" + name + ")";
  }

  // Eight traces (days 1–8) and the teacher "truth"'s relabels of every tier of the join: by step
  // and kind (steps 1, 2, 4–8), a production one (step 3: no kind, no trace id), one naming trace
  // t4 from another step (it wins t4 over step 4's), one naming t7 from step 4 (answers nothing in
  // the window), and one by another model.
  void import_rows() {
    std::string rows;
    for (int i = 1; i <= 8; ++i) rows += trace_line(i) + "\n";
    for (int i = 1; i <= 8; ++i)
      if (i != 3)
        rows += relabel_line("rK" + std::to_string(i), "step" + std::to_string(i), "u1", "truth",
                             R"("request_type":")" + kind_of(i) + R"(",)", "src/b.ts") +
                "\n";
    rows += relabel_line("rP3", "step3", "u0", "truth", R"("user_input_id":"ui3",)", "src/c.ts\\nsrc/a.ts", 1) + "\n";
    rows += relabel_line("rT4", "elsewhere", "u1", "truth", R"("request_type":"Non-Obvious","trace_id":"t4",)",
                         "src/a.ts\\nsrc/c.ts", 2) +
            "\n";
    rows +=
        relabel_line("rT7", "step4", "u1", "truth", R"("request_type":"Key","trace_id":"t7",)", "src/c.ts", 3) + "\n";
    rows += relabel_line("rO3", "step3", "u0", "other", R"("request_type":"Key",)", "src/c.ts") + "\n";
    auto [s, b] = both({"import", "jsonl", "-"}, rows);
    EXPECT_EQ(s.out, b.out);
  }

  pt_test::BqTestEnv env_;
  fs::path dir_;
};

TEST_F(BigQueryJoin, CollectReadsOnlyTheWindowsRelabelsAndWritesWhatSqliteWrites) {
  import_rows();
  // The window holds t3, t4, t5: their relabels are rP3 (step 3), rK4 and rT7 (step 4), rT4 (names
  // t4) and rK5; rK1, rK2, rK6, rK7, rK8 and rO3 stay in BigQuery.
  auto [s, b] = both({"collect", "--teacher", "truth", "-o", "data", "--since", "2025-05-03", "--until", "2025-05-06"});
  EXPECT_EQ(file("bigquery", "data.jsonl"), file("sqlite", "data.jsonl"));
  EXPECT_EQ(file("bigquery", "data-validation.jsonl"), file("sqlite", "data-validation.jsonl"));
  // The three traces of the window became examples, answered by the tiers of the join: t3 by the
  // production relabel rP3, t4 by rT4 (trace id before step 4's rK4), t5 by rK5.
  const std::string examples = file("bigquery", "data.jsonl") + file("bigquery", "data-validation.jsonl");
  EXPECT_EQ(std::count(examples.begin(), examples.end(), '\n'), 3) << examples;
  auto answer_of = [&](int bug) {
    size_t at = examples.find("Fix bug " + std::to_string(bug) + "\\n");
    if (at == std::string::npos) return std::string("(no example)");
    std::string line = examples.substr(at, examples.find('\n', at) - at);
    return line.substr(line.find(R"("role":"model")"));
  };
  EXPECT_EQ(answer_of(3), R"("role":"model","parts":[{"text":"src/c.ts\nsrc/a.ts"}]}]})");
  EXPECT_EQ(answer_of(4), R"("role":"model","parts":[{"text":"src/a.ts\nsrc/c.ts"}]}]})");
  EXPECT_EQ(answer_of(5), R"("role":"model","parts":[{"text":"src/b.ts"}]}]})");
  // Only the count of relabels read differs: SQLite reads the teacher's nine, BigQuery five.
  EXPECT_NE(s.out.find("3 traces read, 10 relabels by truth"), std::string::npos) << s.out;
  EXPECT_NE(b.out.find("3 traces read, 5 relabels by truth"), std::string::npos) << b.out;
  EXPECT_EQ(std::regex_replace(b.out, std::regex("5 relabels by"), "N relabels by"),
            std::regex_replace(s.out, std::regex("10 relabels by"), "N relabels by"));
  EXPECT_EQ(b.err, s.err);

  size_t q = relabel_query("IN (SELECT");
  ASSERT_NE(q, std::string::npos);
  auto bodies = env_.fake->query_bodies();
  std::string sql = bodies[q]["query"];
  for (const char* part :
       {"model = @model", "agent_step_id IN (SELECT agent_step_id FROM `pt-test.picktune_dev.traces`",
        "JSON_VALUE(payload, '$.trace_id') IN (SELECT id FROM `pt-test.picktune_dev.traces`", "type = @t_type",
        "created_at >= @t_since", "created_at < @t_until", "ORDER BY created_at ASC, id ASC"})
    EXPECT_NE(sql.find(part), std::string::npos) << part << " in " << sql;
  EXPECT_EQ(param(bodies[q], "model", "STRING"), "truth");
  EXPECT_EQ(param(bodies[q], "t_type", "STRING"), "get-relevant-files");
  EXPECT_EQ(param(bodies[q], "t_since", "TIMESTAMP").substr(0, 10), "2025-05-03");
  EXPECT_EQ(param(bodies[q], "t_until", "TIMESTAMP").substr(0, 10), "2025-05-06");
  EXPECT_EQ(env_.fake->result_rows()[q], 5);
}

}  // namespace

TEST_F(BigQueryJoin, EvalScoresWhatSqliteScoresFromTheWindowsRelabelsOnly) {
  import_rows();
  // A second model answering every step by step and kind ("src/b.ts"): it agrees with rK4 on t4
  // but not with rT4, so the scores tell which relabel the reference join chose.
  std::string other;
  for (int i = 1; i <= 8; ++i)
    if (i != 3)
      other += relabel_line("rO" + std::to_string(i), "step" + std::to_string(i), "u1", "other",
                            R"("request_type":")" + kind_of(i) + R"(",)", "src/b.ts") +
               "\n";
  both({"import", "jsonl", "-"}, other);
  for (const std::vector<std::string>& window :
       {std::vector<std::string>{"--since", "2025-05-03", "--until", "2025-05-06"}, std::vector<std::string>{}}) {
    std::vector<std::string> args = {"eval", "score", "--models", "other", "--reference", "truth", "--json"};
    args.insert(args.end(), window.begin(), window.end());
    auto [s, b] = both(args);
    EXPECT_EQ(b.out, s.out);
    EXPECT_EQ(b.err, s.err);
    // t3: {c,a} vs {c}: 0.5; t4: {a,c} (rT4) vs {b}: 0; t5 agrees; over all days t7 is rT7's {c}
    // (trace id before step 7's rK7) vs {b}: 0, and t1, t2, t6, t8 agree.
    EXPECT_NE(b.out.find(window.empty() ? R"("n":8,"traces":8)" : R"("n":3,"traces":3)"), std::string::npos) << b.out;
    const double jaccard = window.empty() ? (0.5 + 0 + 1 + 0 + 4) / 8 : (0.5 + 0 + 1) / 3;
    EXPECT_NE(b.out.find(R"("other":{"n":)"), std::string::npos) << b.out;
    EXPECT_NE(b.out.find(fmt_mean(jaccard)), std::string::npos) << fmt_mean(jaccard) << " in " << b.out;
  }
  // The windowed run read truth's five relabels of t3–t5 and other's three (rO3–rO5) from
  // BigQuery, each in one query job with the window's limit-free sub-selects, newest first.
  auto bodies = env_.fake->query_bodies();
  auto rows = env_.fake->result_rows();
  std::vector<std::pair<std::string, int64_t>> joined;  // (model, rows sent back)
  for (size_t i = 0; i < bodies.size(); ++i) {
    std::string sql = bodies[i]["query"];
    if (sql.find("IN (SELECT agent_step_id") == std::string::npos) continue;
    EXPECT_NE(sql.find("ORDER BY created_at DESC, id DESC"), std::string::npos) << sql;
    joined.emplace_back(param(bodies[i], "model", "STRING"), rows[i]);
  }
  ASSERT_EQ(joined.size(), 4u);  // two eval runs × (reference, model)
  EXPECT_EQ(joined[0], std::make_pair(std::string("truth"), int64_t{5}));
  EXPECT_EQ(joined[1], std::make_pair(std::string("other"), int64_t{3}));
  EXPECT_EQ(joined[2], std::make_pair(std::string("truth"), int64_t{10}));
  EXPECT_EQ(joined[3], std::make_pair(std::string("other"), int64_t{8}));
}

TEST_F(BigQueryJoin, CollectOverAWindowWithoutRelabelsDropsItsTracesAsOnSqlite) {
  import_rows();
  both({"import", "jsonl", "-"}, trace_line(9) + "\n");  // day 9: no relabel names its step or id
  auto [s, b] = both({"collect", "--teacher", "truth", "-o", "data", "--since", "2025-05-09"});
  // BigQuery sends back no relabel, yet the teacher has some: not "no relabels by teacher".
  EXPECT_NE(b.out.find("1 traces read, 0 relabels by truth"), std::string::npos) << b.out;
  EXPECT_EQ(std::regex_replace(b.out, std::regex("0 relabels by"), "N relabels by"),
            std::regex_replace(s.out, std::regex("10 relabels by"), "N relabels by"));
  EXPECT_EQ(file("bigquery", "data.jsonl"), file("sqlite", "data.jsonl"));
  // A teacher with no relabels at all is still named.
  CliResult none = run(true, {"collect", "--teacher", "nobody", "-o", "x", "--since", "2025-05-09"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no relabels by teacher \"nobody\""), std::string::npos) << none.err;
}
