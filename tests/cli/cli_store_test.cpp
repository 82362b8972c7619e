// End-to-end tests of the store commands through the built binary (PICKTUNE_BINARY) in a temp
// dir: import jsonl (files, stdin, zstd) → traces/relabels --json round trip, re-import adds 0,
// every bad-input case (message FILE:LINE, exit code, row count unchanged), --skip-bad, batch
// semantics, export -o atomicity, listing table, refusing a foreign store file.
#include <gtest/gtest.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>

#include "support/run_cli.h"

namespace {

namespace fs = std::filesystem;
using pt_test::CliResult;

std::string trace_line(int i, const std::string& kind = "Key") {
  char ts[32];
  std::snprintf(ts, sizeof ts, "2025-05-%02dT10:00:00Z", 1 + i % 28);
  return std::string(R"({"id":"t)") + std::to_string(i) + R"(","agent_step_id":"step)" + std::to_string(i) +
         R"(","user_id":"u)" + std::to_string(i % 3) + R"(","created_at":")" + ts +
         R"(","type":"get-relevant-files","payload":{"user_input_id":"ui)" + std::to_string(i) +
         R"(","request_type":")" + kind +
         R"(","system":[{"type":"text","text":"<project_file_tree>\nsrc/a.ts\n</project_file_tree>"}],"messages":[{"role":"user","content":"<user_request>\nFix bug number )" +
         std::to_string(i) + R"(\n</user_request>"}],"output":"src/a.ts\nsrc/b.ts"}})";
}

std::string relabel_line(int i) {
  return std::string(R"({"id":"r)") + std::to_string(i) + R"(","agent_step_id":"step)" + std::to_string(i) +
         R"(","user_id":"u1","created_at":"2025-06-01T00:00:0)" + std::to_string(i % 10) +
         R"(Z","model":"truth","payload":{"request_type":"Key","files":["src/a.ts"],"output":"src/a.ts"}})";
}

class CliStore : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pt_cli_store_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliResult pt(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.insert(args.begin(), {PICKTUNE_BINARY, "--store", "sqlite:t.db"});
    return pt_test::run_cli(args, dir_.string(), stdin_text);
  }
  void write(const std::string& name, const std::string& data) { std::ofstream(dir_ / name, std::ios::binary) << data; }
  int64_t rows(const std::string& table) {
    CliResult r = pt({table, "--json", "--limit", "0"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::count(r.out.begin(), r.out.end(), '\n');
  }

  fs::path dir_;
};

TEST_F(CliStore, ImportThenJsonListingRoundTripsRowsExactlyAndReimportAddsNothing) {
  // Newest first: traces i=5..1 have descending dates; written in that order, so the listing
  // must reproduce the file byte for byte.
  std::string traces, relabels;
  for (int i = 5; i >= 1; --i) traces += trace_line(i) + "\n";
  for (int i = 3; i >= 1; --i) relabels += relabel_line(i) + "\n";
  write("in.jsonl", relabels + traces);
  CliResult imp = pt({"import", "jsonl", "in.jsonl"});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_EQ(imp.out,
            "imported 8 rows into sqlite:t.db: traces 5 new, 0 updated, 0 unchanged; relabels 3 new, 0 updated, 0 "
            "unchanged\n");
  EXPECT_EQ(pt({"traces", "--json", "--limit", "0"}).out, traces);
  EXPECT_EQ(pt({"relabels", "--json"}).out, relabels);

  CliResult again = pt({"import", "jsonl", "in.jsonl"});
  EXPECT_EQ(again.out,
            "imported 8 rows into sqlite:t.db: traces 0 new, 0 updated, 5 unchanged; relabels 0 new, 0 updated, 3 "
            "unchanged\n");
  EXPECT_EQ(rows("traces"), 5);

  // export -> import into a second store -> identical export
  ASSERT_EQ(pt({"export", "traces", "-o", "out.jsonl"}).exit_code, 0);
  EXPECT_EQ(pt_test::slurp((dir_ / "out.jsonl").string()), traces);
  CliResult second =
      pt_test::run_cli({PICKTUNE_BINARY, "--store", "sqlite:second.db", "import", "jsonl", "out.jsonl"}, dir_.string());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(pt_test::run_cli({PICKTUNE_BINARY, "--store", "sqlite:second.db", "export", "traces"}, dir_.string()).out,
            traces);
}

TEST_F(CliStore, LoadsAProductionBigQueryExportAsIs) {
  std::string line =
      R"({"id": "b1", "agent_step_id": "s", "user_id": "u", "created_at": "2025-05-01 12:00:00.123456 UTC", "type": "get-relevant-files", )"
      R"("payload": {"user_input_id": "x", "client_session_id": "c", "fingerprint_id": "f", "request_type": "Non-Obvious", "system": "t", "messages": [], "output": "a\u003cb"}})";
  write("bq.jsonl", line + "\n");
  ASSERT_EQ(pt({"import", "jsonl", "bq.jsonl"}).exit_code, 0);
  EXPECT_EQ(
      pt({"traces", "--json"}).out,
      R"({"id":"b1","agent_step_id":"s","user_id":"u","created_at":"2025-05-01T12:00:00.123456Z","type":"get-relevant-files",)"
      R"("payload":{"user_input_id": "x", "client_session_id": "c", "fingerprint_id": "f", "request_type": "Non-Obvious", "system": "t", "messages": [], "output": "a\u003cb"}})"
      "\n");
}

TEST_F(CliStore, StdinPipeAndZstdFiles) {
  CliResult r = pt({"import", "jsonl", "-"}, trace_line(1) + "\n" + trace_line(2) + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string text = trace_line(3) + "\n" + relabel_line(3) + "\n";
  std::string z(ZSTD_compressBound(text.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), text.data(), text.size(), 3));
  write("more.jsonl.zst", z);
  r = pt({"import", "jsonl", "more.jsonl.zst"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(rows("traces"), 3);
  EXPECT_EQ(rows("relabels"), 1);
}

TEST_F(CliStore, EachBadLineStopsTheImportNamingFileLineAndFieldAndStoresNothingOfTheBatch) {
  ASSERT_EQ(pt({"import", "jsonl", "-"}, trace_line(100) + "\n").exit_code, 0);
  const std::string good = trace_line(1) + "\n" + trace_line(2) + "\n";
  const std::string ok_head =
      R"({"id":"x","agent_step_id":"s","user_id":"u","created_at":"2025-05-01T00:00:00Z","type":"t",)";
  struct Case {
    std::string bad_line, message;
  };
  std::vector<Case> cases = {
      {R"({"id":"x", "agent_step_id": )", "bad.jsonl:3: invalid JSON ("},
      {R"({"id":"x","agent_step_id":"s","user_id":"u","type":"t","payload":{}})",
       "bad.jsonl:3: missing column \"created_at\""},
      {R"({"id":"x","agent_step_id":"s","user_id":5,"created_at":"2025-05-01","type":"t","payload":{}})",
       "bad.jsonl:3: column \"user_id\": expected a string, got a number"},
      {ok_head + "\"payload\":{\"k\":\"\xff\"}}", "bad.jsonl:3: invalid UTF-8"},
      {ok_head + R"("payload":{},"colour":"red"})", "bad.jsonl:3: unknown column \"colour\""},
      {ok_head + R"("payload":"{}"})", "bad.jsonl:3: column \"payload\": expected a JSON object, got a string"},
      {ok_head + R"("payload":{"a":[1,,2]}})", "bad.jsonl:3: column \"payload\": invalid JSON ("},
      {R"({"id":"x","agent_step_id":"s","user_id":"u","created_at":"May 1st","type":"t","payload":{}})",
       "bad.jsonl:3: column \"created_at\": invalid timestamp"},
  };
  for (const Case& c : cases) {
    write("bad.jsonl", good + c.bad_line + "\n" + trace_line(4) + "\n");
    CliResult r = pt({"import", "jsonl", "bad.jsonl"});
    EXPECT_EQ(r.exit_code, 1) << c.bad_line;
    EXPECT_EQ(r.err.rfind("picktune: " + c.message, 0), 0u) << r.err;
    EXPECT_NE(r.err.find("(import stopped; nothing was stored)"), std::string::npos) << r.err;
    EXPECT_EQ(rows("traces"), 1) << c.bad_line;
  }
}

TEST_F(CliStore, A100MegabyteLineIsRejectedWithoutBufferingIt) {
  {
    std::ofstream f(dir_ / "huge.jsonl", std::ios::binary);
    f << trace_line(1) << "\n"
      << R"({"id":"big","payload":{"x":")";
    std::string chunk(1 << 20, 'a');
    for (int i = 0; i < 100; ++i) f << chunk;
    f << "\"}}\n" << trace_line(2) << "\n";
  }
  CliResult r = pt({"import", "jsonl", "huge.jsonl"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "picktune: huge.jsonl:2: line is longer than the 64 MiB limit (import stopped; nothing was stored)\n");
  EXPECT_EQ(rows("traces"), 0);
  r = pt({"import", "jsonl", "--skip-bad", "huge.jsonl"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("skipped 1 bad line:\n  huge.jsonl:2: line is longer than the 64 MiB limit"), std::string::npos)
      << r.out;
  EXPECT_EQ(rows("traces"), 2);
}

TEST_F(CliStore, EarlierBatchesStayAndTheMessageSaysSo) {
  std::string text;
  for (int i = 1; i <= 5; ++i) text += trace_line(i) + "\n";
  write("b.jsonl", text + "{not json}\n" + trace_line(6) + "\n");
  CliResult r = pt({"import", "jsonl", "--batch-size", "2", "b.jsonl"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("b.jsonl:6: invalid JSON"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("4 rows from earlier batches were kept, none of this batch"), std::string::npos) << r.err;
  EXPECT_EQ(rows("traces"), 4);
  // After fixing the file, a re-run adds only what is missing.
  write("b.jsonl", text + trace_line(6) + "\n");
  r = pt({"import", "jsonl", "b.jsonl"});
  EXPECT_EQ(r.out,
            "imported 6 rows into sqlite:t.db: traces 2 new, 0 updated, 4 unchanged; relabels 0 new, 0 updated, 0 "
            "unchanged\n");
}

// A transaction (--batch-size rows) spans several 10,000-row parse batches on SQLite: a bad line
// rolls back every row of its transaction, however many batches were already written.
TEST_F(CliStore, TransactionsSpanParseBatchesAndRollBackWhole) {
  std::string text;
  for (int i = 1; i <= 25000; ++i) text += trace_line(i) + "\n";
  write("big.jsonl", text + "{\"id\": 1}\n");
  CliResult r = pt({"import", "jsonl", "big.jsonl"});  // default: 100,000 rows per transaction
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("big.jsonl:25001:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was stored"), std::string::npos) << r.err;
  EXPECT_EQ(rows("traces"), 0);
  r = pt({"import", "jsonl", "--batch-size", "20000", "big.jsonl"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("20000 rows from earlier batches were kept"), std::string::npos) << r.err;
  EXPECT_EQ(rows("traces"), 20000);
  write("big.jsonl", text);
  r = pt({"import", "jsonl", "big.jsonl"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "imported 25000 rows into sqlite:t.db: traces 5000 new, 0 updated, 20000 unchanged; relabels 0 new, 0 "
            "updated, 0 unchanged\n");
}

TEST_F(CliStore, SkipBadCountsAndSummarises) {
  write("m.jsonl", trace_line(1) + "\n[1]\n\n" + trace_line(2) + "\n{\"id\":1}\n");
  CliResult r = pt({"import", "jsonl", "--skip-bad", "m.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      r.out,
      "imported 2 rows into sqlite:t.db: traces 2 new, 0 updated, 0 unchanged; relabels 0 new, 0 updated, 0 unchanged\n"
      "skipped 2 bad lines:\n  m.jsonl:2: a row must be a JSON object\n  m.jsonl:5: column \"id\": expected a string, "
      "got a number\n");
}

TEST_F(CliStore, ForcedTableAndMissingFile) {
  write("r.jsonl", relabel_line(1) + "\n");
  CliResult r = pt({"import", "jsonl", "--table", "traces", "r.jsonl"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "picktune: r.jsonl:1: unknown column \"model\" for table traces (import stopped; nothing was stored)\n");
  r = pt({"import", "jsonl", "nope.jsonl"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "picktune: nope.jsonl: cannot open: No such file or directory\n");
}

TEST_F(CliStore, ExportOutputIsAtomic) {
  ASSERT_EQ(pt({"import", "jsonl", "-"}, trace_line(1) + "\n").exit_code, 0);
  fs::create_directories(dir_ / "adir");
  CliResult r = pt({"export", "traces", "-o", "adir"});  // rename onto a directory fails
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(fs::is_directory(dir_ / "adir"));
  r = pt({"export", "traces", "-o", "missing/out.jsonl"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("missing/out.jsonl"), std::string::npos) << r.err;
  for (auto& e : fs::recursive_directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
  r = pt({"export", "traces", "--type", "file-trees", "-o", "empty.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(pt_test::slurp((dir_ / "empty.jsonl").string()), "");
}

TEST_F(CliStore, ListingTableAndFilters) {
  std::string text = trace_line(1) + "\n" + trace_line(2, "Non-Obvious") + "\n" + relabel_line(1) + "\n";
  text +=
      R"({"id":"ft","agent_step_id":"s","user_id":"u9","created_at":"2025-04-01T00:00:00Z","type":"file-trees","payload":{"filetrees":{}}})"
      "\n";
  ASSERT_EQ(pt({"import", "jsonl", "-"}, text).exit_code, 0);
  CliResult r = pt({"traces"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2025-05-03 10:00:00  get-relevant-files  step2         Non-Obvious  Fix bug number 2  ->  "
                       "src/a.ts, src/b.ts"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("2025-04-01 00:00:00  file-trees          s             -"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 of 3 traces (newest first)"), std::string::npos) << r.out;
  EXPECT_EQ(pt({"traces", "--type", "file-trees", "--json"}).out.find(R"({"id":"ft")"), 0u);
  EXPECT_EQ(pt({"traces", "--user", "u9", "--json"}).out.find(R"({"id":"ft")"), 0u);
  EXPECT_EQ(pt({"traces", "--kind", "Non-Obvious", "--json"}).out, trace_line(2, "Non-Obvious") + "\n");
  EXPECT_EQ(pt({"traces", "--since", "2025-05-01", "--until", "2025-05-03", "--json"}).out, trace_line(1) + "\n");
  EXPECT_EQ(pt({"traces", "--limit", "1", "--json"}).out, trace_line(2, "Non-Obvious") + "\n");
  r = pt({"relabels", "--model", "truth"});
  EXPECT_NE(r.out.find("truth  step1         Key          src/a.ts"), std::string::npos) << r.out;
  EXPECT_EQ(pt({"relabels", "--model", "nobody"}).out, "no relabels in sqlite:t.db match\n");
  r = pt({"traces", "--model", "x"});
  EXPECT_EQ(r.exit_code, 2);
  r = pt({"traces", "--since", "soon"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "picktune: --since: invalid timestamp \"soon\": expected YYYY-MM-DD\n");
}

TEST_F(CliStore, InitIsIdempotentAndForeignFilesAreRefused) {
  CliResult r = pt({"init"});
  EXPECT_EQ(r.out, "sqlite:t.db is ready: 0 traces, 0 relabels\n");
  EXPECT_EQ(pt({"init"}).exit_code, 0);
  write("notes.txt", std::string(5000, 'n'));
  r = pt_test::run_cli({PICKTUNE_BINARY, "--store", "sqlite:notes.txt", "traces"}, dir_.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "picktune: sqlite:notes.txt: cannot open: file is not a database\n");
  r = pt_test::run_cli({PICKTUNE_BINARY, "--store", "sqlite:t.db", "--prod", "init"}, dir_.string());
  EXPECT_EQ(r.out, "sqlite:t-prod.db is ready: 0 traces, 0 relabels\n");
}

}  // namespace
