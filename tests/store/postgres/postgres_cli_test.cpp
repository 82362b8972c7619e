// Every store-using CLI command on `--store postgres://…`, through the built binary: the same
// command lines run on a SQLite file and on a fresh PostgreSQL schema must print the same
// output (store names aside) and write the same files — init, import jsonl (twice), traces,
// relabels, export, import git, relabel, collect, eval score, --prod. No output, on stdout or
// stderr, ever holds the password, including the wrong-password failure.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "source_dir.h"
#include "store/postgres/pg_test_db.h"
#include "support/run_cli.h"

namespace {

namespace fs = std::filesystem;
using pt_test::CliResult;

std::string trace_line(int i, const std::string& kind = "Key") {
  char ts[40];
  std::snprintf(ts, sizeof ts, "2025-05-%02dT10:00:00.%06dZ", 1 + i % 28, i * 37);
  return std::string(R"({"id":"t)") + std::to_string(i) + R"(","agent_step_id":"step)" + std::to_string(i) +
         R"(","user_id":"u)" + std::to_string(i % 3) + R"(","created_at":")" + ts +
         R"(","type":"get-relevant-files","payload":{"user_input_id":"ui)" + std::to_string(i) +
         R"(", "request_type":")" + kind +
         R"(","system":[{"type":"text","text":"<project_file_tree>\nsrc/a.ts\nsrc/b.ts\n</project_file_tree>"}],"messages":[{"role":"user","content":"<user_request>\nFix bug )" +
         std::to_string(i) + R"(\n</user_request>"}],"output":"src/a.ts\nsrc/b.ts"}})";
}

std::string relabel_line(int i) {
  return std::string(R"({"id":"r)") + std::to_string(i) + R"(","agent_step_id":"step)" + std::to_string(i) +
         R"(","user_id":"u1","created_at":"2025-06-01T00:00:0)" + std::to_string(i % 10) +
         R"(Z","model":"truth","payload":{"request_type":"Key","files":["src/b.ts"],"output":"src/b.ts"}})";
}

class PostgresCli : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = pt_test::pg_test_uri();
    if (base_.empty()) {
      if (pt_test::pg_required()) FAIL() << pt_test::kPgMissing;
      GTEST_SKIP() << pt_test::kPgMissing;
    }
    password_ = pt_test::pg_password(base_);
    schema_ = std::make_unique<pt_test::PgTestSchema>(base_, true);
    dir_ = fs::temp_directory_path() / ("pt_pg_cli_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "sqlite");
    fs::create_directories(dir_ / "postgres");
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  CliResult run(const std::string& store, const std::string& cwd, std::vector<std::string> args,
                const std::string& in = "") {
    args.insert(args.begin(), {PICKTUNE_BINARY, "--store", store});
    CliResult r = pt_test::run_cli(args, cwd, in);
    EXPECT_EQ(r.out.find(password_), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(password_), std::string::npos) << r.err;
    return r;
  }

  // Runs one command line on both stores; returns the outputs with store names and timings
  // replaced, so they can be compared.
  std::pair<CliResult, CliResult> both(const std::vector<std::string>& args, const std::string& in = "") {
    CliResult s = run("sqlite:t.db", (dir_ / "sqlite").string(), args, in);
    CliResult p = run(schema_->uri(), (dir_ / "postgres").string(), args, in);
    for (CliResult* r : {&s, &p})
      for (std::string* text : {&r->out, &r->err}) *text = normalise(*text);
    return {s, p};
  }

  void expect_same(const std::vector<std::string>& args, const std::string& in = "") {
    auto [s, p] = both(args, in);
    std::string line;
    for (const auto& a : args) line += a + " ";
    EXPECT_EQ(s.exit_code, 0) << line << s.err;
    EXPECT_EQ(p.exit_code, 0) << line << p.err;
    EXPECT_EQ(s.out, p.out) << line;
    EXPECT_EQ(s.err, p.err) << line;
  }

  std::string normalise(std::string text) const {
    std::string shown = schema_->uri();  // what the store calls itself: the URI without the password
    shown.erase(shown.find(":" + password_), password_.size() + 1);
    for (const std::string& name : {shown, std::string("sqlite:t.db")})
      for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at))
        text.replace(at, name.size(), "STORE");
    text = std::regex_replace(text, std::regex("ev-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}"), "RUN_ID");  // stored run ids
    return std::regex_replace(text, std::regex("in [0-9.]+ ?m?s\\b"), "in TIME");
  }

  std::string file(const std::string& side, const std::string& name) {
    return pt_test::slurp((dir_ / side / name).string());
  }

  std::string base_, password_;
  std::unique_ptr<pt_test::PgTestSchema> schema_;
  fs::path dir_;
};

TEST_F(PostgresCli, StoreCommandsBehaveAsOnSqlite) {
  std::string traces, relabels;
  for (int i = 6; i >= 1; --i) traces += trace_line(i, i % 2 ? "Key" : "Non-Obvious") + "\n";
  for (int i = 3; i >= 1; --i) relabels += relabel_line(i) + "\n";
  expect_same({"init"});
  expect_same({"import", "jsonl", "-"}, relabels + traces);
  expect_same({"import", "jsonl", "-"}, relabels + traces);  // 0 new, all unchanged
  auto [s, p] = both({"traces", "--json", "--limit", "0"});
  EXPECT_EQ(p.out, traces);  // byte for byte, newest first
  expect_same({"traces"});
  expect_same({"traces", "--kind", "Non-Obvious", "--json"});
  expect_same({"traces", "--since", "2025-05-02", "--until", "2025-05-04T10:00:00.000111Z", "--json"});
  expect_same({"traces", "--user", "u1", "--limit", "1", "--json"});
  expect_same({"relabels", "--json"});
  expect_same({"relabels", "--model", "truth"});
  expect_same({"relabels", "--model", "nobody"});
  expect_same({"export", "traces", "-o", "out.jsonl"});
  EXPECT_EQ(file("postgres", "out.jsonl"), traces);
  expect_same({"export", "relabels"});
}

TEST_F(PostgresCli, PipelineCommandsBehaveAsOnSqlite) {
  const std::string bundle = std::string(PICKTUNE_SOURCE_DIR) + "/data/sample/express.bundle";
  expect_same({"import", "git", bundle, "--max", "30"});
  expect_same({"traces", "--json", "--limit", "0"});
  expect_same({"relabel", "--teacher", "local:bm25"});
  auto [s, p] = both({"relabels", "--model", "local:bm25", "--json", "--limit", "0"});
  EXPECT_EQ(std::count(p.out.begin(), p.out.end(), '\n'), 30);
  EXPECT_EQ(std::count(s.out.begin(), s.out.end(), '\n'), 30);
  expect_same({"relabel", "--teacher", "local:bm25"});  // nothing left to do
  expect_same({"collect", "--teacher", "truth", "-o", "data"});
  EXPECT_EQ(file("postgres", "data.jsonl"), file("sqlite", "data.jsonl"));
  EXPECT_FALSE(file("postgres", "data.jsonl").empty());
  expect_same({"eval", "score", "--models", "local:bm25", "--reference", "truth", "--json"});
}

// Issue 20: prune (dry run and real, one transaction over both tables) as on SQLite.
TEST_F(PostgresCli, PruneBehavesAsOnSqlite) {
  std::string traces, relabels;
  for (int i = 6; i >= 1; --i) traces += trace_line(i) + "\n";
  for (int i = 3; i >= 1; --i) relabels += relabel_line(i) + "\n";
  expect_same({"import", "jsonl", "-"}, relabels + traces);
  expect_same({"prune", "--before", "2025-05-04", "--dry-run"});
  auto [dry_s, dry_p] = both({"prune", "--before", "2025-05-04", "--dry-run"});
  EXPECT_NE(dry_p.out.find("would delete 2 traces and 0 relabels"), std::string::npos) << dry_p.out;
  expect_same({"prune", "--before", "2025-05-04"});
  expect_same({"traces", "--json", "--limit", "0"});
  auto [s, p] = both({"traces", "--json", "--limit", "0"});
  EXPECT_EQ(std::count(p.out.begin(), p.out.end(), '\n'), 4);
  expect_same({"prune", "--before", "2025-06-01T00:00:02Z"});  // the other four traces and the relabel r1
  auto [rs, rp] = both({"relabels", "--json", "--limit", "0"});
  EXPECT_EQ(std::count(rp.out.begin(), rp.out.end(), '\n'), 2) << rp.out;
  auto [st_s, st_p] = both({"status"});
  EXPECT_EQ(st_p.exit_code, 0) << st_p.err;
  EXPECT_NE(st_p.out.find("rows      0 traces, 2 relabels"), std::string::npos) << st_p.out << st_p.err;
}

TEST_F(PostgresCli, ProdGoesToTheProdDatabase) {
  ASSERT_EQ(run(schema_->uri(), dir_.string(), {"--prod", "import", "jsonl", "-"}, trace_line(1) + "\n").exit_code, 0);
  CliResult prod = run(schema_->uri(), dir_.string(), {"--env", "prod", "traces", "--json"});
  EXPECT_EQ(prod.out, trace_line(1) + "\n");
  EXPECT_EQ(run(schema_->uri(), dir_.string(), {"traces", "--json"}).out, "");
  CliResult init = run(schema_->uri(), dir_.string(), {"--prod", "init"});
  EXPECT_NE(init.out.find("/" + pt_test::pg_db(base_) + "_prod?"), std::string::npos) << init.out;
  EXPECT_NE(init.out.find("is ready: 1 traces, 0 relabels"), std::string::npos) << init.out;
}

TEST_F(PostgresCli, WrongPasswordFailsWithExitCode1AndNoSecret) {
  std::string uri = schema_->uri();
  uri.replace(uri.find(password_), password_.size(), "Not-The-Password-123");
  CliResult r = pt_test::run_cli({PICKTUNE_BINARY, "--store", uri, "traces"}, dir_.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("picktune: postgres://picktune@", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("password authentication failed"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("Not-The-Password-123"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(password_), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace
