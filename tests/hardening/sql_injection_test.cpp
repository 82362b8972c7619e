// SQL injection (issue 10, docs/SECURITY.md): every filter flag of traces, relabels, export,
// collect, eval score and relabel gets payloads such as `x' OR '1'='1`, `'; DROP TABLE traces; --`,
// `%`, `_`: each run returns no rows (or stops with a one-line usage error), a stored value full of
// quotes and wildcards matches itself exactly, and both tables are intact afterwards — on SQLite
// and, when PICKTUNE_TEST_PG_URI is set (always under CI=true), on PostgreSQL.
#include <gtest/gtest.h>

#include "hardening/cli_fixture.h"
#include "store/postgres/pg_test_db.h"

namespace pt {
namespace {

using hardening::picktune;
namespace fs = std::filesystem;

constexpr int kTraces = 20;
constexpr const char* kOddUser = "o'brien%_\"; --";  // stored literally: must match itself, and only itself

const std::vector<std::string>& payloads() {
  static const std::vector<std::string> p = {
      "x' OR '1'='1",
      "'; DROP TABLE traces; --",
      "%",
      "_",
      "user-_",
      "user-%",
      "\" OR \"\"=\"",
      "x') OR ('1'='1",
      "1; DELETE FROM relabels",
      "\\",
      "x' UNION SELECT id, agent_step_id, user_id, created_at, type, payload FROM traces --",
      "local:bm25' --",
      "get-relevant-files' OR type LIKE '%"};
  return p;
}

size_t lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

class SqlInjection : public ::testing::Test {
 protected:
  // Fills the store at `uri`: kTraces traces (+1 by kOddUser), and local:bm25 relabels of them all.
  void fill(const std::string& uri) {
    uri_ = uri;
    Row odd = testing::picker_trace(kTraces, "Key");
    odd.user_id = kOddUser;
    hardening::write_text(dir_.path() / "traces.jsonl", hardening::traces_jsonl(kTraces) + hardening::jsonl_line(odd));
    ASSERT_EQ(pt({"import", "jsonl", dir_.str("traces.jsonl")}).exit_code, 0) << last_.err;
    ASSERT_EQ(pt({"relabel", "--teacher", "local:bm25", "--progress", "none"}).exit_code, 0) << last_.err;
    ASSERT_EQ(count("traces"), kTraces + 1);
    ASSERT_EQ(count("relabels"), kTraces + 1);
  }
  pt_test::CliResult pt(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", uri_});
    last_ = picktune(args, dir_.str(), {"ANTHROPIC_API_KEY=sk-ant-dummy"});
    return last_;
  }
  int64_t count(const std::string& table) {
    auto r = pt({table, "--json", "--limit", "0"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return static_cast<int64_t>(lines(r.out));
  }

  // `args` + FLAG PAYLOAD: no output rows (counted by `rows`), or a one-line usage error.
  void expect_inert(const std::vector<std::string>& args, const std::string& flag,
                    const std::function<size_t(const pt_test::CliResult&)>& rows) {
    for (const auto& p : payloads()) {
      std::vector<std::string> a = args;
      a.push_back(flag);
      a.push_back(p);
      auto r = pt(a);
      std::string what = args[0] + (args.size() > 1 ? " " + args[1] : "") + " " + flag + " " + p;
      ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 2) << what << " exit " << r.exit_code;
      if (r.exit_code == 0) {
        EXPECT_EQ(rows(r), 0u) << what << " matched rows:\n" << r.out;
      } else {
        EXPECT_EQ(r.err.rfind("picktune: ", 0), 0u) << what << ": " << r.err;
        EXPECT_EQ(lines(r.err), 1u) << what << ": " << r.err;
        EXPECT_EQ(r.err.find("syntax error"), std::string::npos) << what << " reached the SQL parser: " << r.err;
      }
      ++runs_;
    }
  }

  void run_all() {
    auto json_rows = [](const pt_test::CliResult& r) { return lines(r.out); };
    for (const std::string table : {"traces", "relabels"}) {
      std::vector<std::string> flags = {"--user", "--step", "--kind", "--since", "--until"};
      flags.push_back(table == "traces" ? "--type" : "--model");
      for (const auto& flag : flags) {
        expect_inert({table, "--json", "--limit", "0"}, flag, json_rows);
        expect_inert({"export", table}, flag, json_rows);
      }
    }
    // collect: wrote 0 samples, or a usage error.
    auto samples = [](const pt_test::CliResult& r) {
      return r.out.find("wrote 0 samples") != std::string::npos ? size_t{0} : size_t{1};
    };
    std::string out = dir_.str("data");
    for (const std::string flag : {"--teacher", "--kinds", "--since", "--until", "--split-by", "--format"})
      expect_inert(flag == "--teacher" ? std::vector<std::string>{"collect", "-o", out}
                                       : std::vector<std::string>{"collect", "-o", out, "--teacher", "local:bm25"},
                   flag, samples);
    // eval score: a usage error naming the unknown model / bad date (never rows scored).
    auto scored = [](const pt_test::CliResult& r) {
      return r.out.find("\"scored\": 0") != std::string::npos ? size_t{0} : size_t{1};
    };
    expect_inert({"eval", "score", "--json", "--reference", "local:bm25"}, "--models", scored);
    expect_inert({"eval", "score", "--json", "--models", "local:bm25"}, "--reference", scored);
    for (const std::string flag : {"--since", "--until"})
      expect_inert({"eval", "score", "--json", "--models", "local:bm25", "--reference", "local:bm25"}, flag, scored);
    // relabel --dry-run: selects 0 traces.
    auto selected = [](const pt_test::CliResult& r) {
      return r.out.find("would relabel 0 traces (0 selected") != std::string::npos ? size_t{0} : size_t{1};
    };
    for (const std::string flag : {"--user", "--trace-id", "--since", "--until"})
      expect_inert({"relabel", "--teacher", "anthropic:claude-opus-4-20250514", "--dry-run", "--progress", "none"},
                   flag, selected);
    expect_inert({"relabel", "--dry-run", "--progress", "none"}, "--teacher", selected);
  }

  void expect_intact_and_exact() {
    EXPECT_EQ(count("traces"), kTraces + 1) << "traces intact";
    EXPECT_EQ(count("relabels"), kTraces + 1) << "relabels intact";
    // The stored quote-and-wildcard value matches itself exactly, and its prefix matches nothing.
    EXPECT_EQ(lines(pt({"traces", "--json", "--limit", "0", "--user", kOddUser}).out), 1u);
    EXPECT_EQ(lines(pt({"relabels", "--json", "--limit", "0", "--user", kOddUser}).out), 1u);
    EXPECT_EQ(lines(pt({"traces", "--json", "--limit", "0", "--user", "o'brien"}).out), 0u);
    EXPECT_EQ(lines(pt({"traces", "--json", "--limit", "0", "--user", "user-1"}).out),
              static_cast<size_t>(kTraces / 3 + 1));
    EXPECT_GT(runs_, 300);
  }

  hardening::ScratchDir dir_{"sqli"};
  std::string uri_;
  pt_test::CliResult last_;
  int runs_ = 0;
};

TEST_F(SqlInjection, EveryFilterFlagIsInertOnSqlite) {
  fill("sqlite:" + dir_.str("store.db"));
  run_all();
  expect_intact_and_exact();
}

TEST_F(SqlInjection, EveryFilterFlagIsInertOnPostgres) {
  std::string uri = pt_test::pg_test_uri();
  if (uri.empty()) {
    if (pt_test::pg_required()) FAIL() << pt_test::kPgMissing;
    GTEST_SKIP() << pt_test::kPgMissing;
  }
  pt_test::PgTestSchema schema(uri);
  fill(schema.uri());
  run_all();
  expect_intact_and_exact();
}

}  // namespace
}  // namespace pt
