// `traces show ID` and `relabels show ID` through the built binary (issue 20): the whole trace with
// its production answer and the relabel of each model that answers it side by side (files in
// order, tokens), superseded relabels left out; a relabel with the trace it answers, or why none.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "support/run_cli.h"

namespace {

namespace fs = std::filesystem;
using pt_test::CliResult;

std::string trace(const std::string& id, const std::string& kind, const std::string& output) {
  return R"({"id":")" + id +
         R"(","agent_step_id":"s1","user_id":"u1","created_at":"2025-05-01T10:00:00Z","type":"get-relevant-files",)"
         R"("payload":{"user_input_id":"ui1","request_type":")" +
         kind +
         R"(","model":"gemini-2.0-flash","system":[{"type":"text","text":"<project_file_tree>\nsrc/a.ts\nsrc/b.ts\n</project_file_tree>"}],)"
         R"("messages":[{"role":"user","content":"<user_request>\nFix the parser\n</user_request>"}],"output":")" +
         output + R"("}})";
}

std::string relabel(const std::string& id, const std::string& model, const std::string& time,
                    const std::string& trace_id, const std::string& kind, const std::string& files, int tokens_in) {
  return R"({"id":")" + id + R"(","agent_step_id":"s1","user_id":"u1","created_at":")" + time + R"(","model":")" +
         model + R"(","payload":{"request_type":")" + kind + R"(","trace_id":")" + trace_id + R"(","files":[)" + files +
         R"(],"output":"x","usage":{"input_tokens":)" + std::to_string(tokens_in) +
         R"(,"output_tokens":7,"cached_input_tokens":0},"cost_usd":0.0125}})";
}

class CliShow : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pt_cli_show_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "traces.jsonl") << trace("t-key", "Key", "src/a.ts\\nsrc/b.ts") << "\n"
                                         << trace("t-other", "Non-Obvious", "src/c.ts") << "\n";
    std::ofstream(dir_ / "relabels.jsonl")
        << relabel("r-old", "anthropic:claude-opus-4-20250514", "2025-05-02T00:00:00Z", "t-key", "Key",
                   R"("src/old.ts")", 900)
        << "\n"
        << relabel("r-new", "anthropic:claude-opus-4-20250514", "2025-05-03T00:00:00Z", "t-key", "Key",
                   R"("src/b.ts","src/a.ts","src/c.ts")", 1234)
        << "\n"
        << relabel("r-truth", "truth", "2025-05-02T00:00:00Z", "t-key", "Key", R"("src/a.ts")", 0) << "\n"
        << relabel("r-ono", "truth", "2025-05-02T00:00:00Z", "t-other", "Non-Obvious", R"("src/z.ts")", 0) << "\n";
    ASSERT_EQ(pt({"import", "jsonl", "traces.jsonl"}).exit_code, 0);
    ASSERT_EQ(pt({"import", "jsonl", "--table", "relabels", "relabels.jsonl"}).exit_code, 0);
  }
  void TearDown() override { fs::remove_all(dir_); }
  CliResult pt(std::vector<std::string> args) {
    args.insert(args.begin(), {PICKTUNE_BINARY, "--store", "sqlite:s.db"});
    return pt_test::run_cli(args, dir_.string());
  }
  fs::path dir_;
};

// The line of the side-by-side table whose label is `label` ("  1", "tokens", ...).
std::string table_line(const std::string& out, const std::string& label) {
  std::regex re("\n" + label + R"(\s[^\n]*)");
  std::smatch m;
  return std::regex_search(out, m, re) ? m.str().substr(1) : "";
}

TEST_F(CliShow, TraceShowPutsProductionAndEachAnsweringRelabelSideBySide) {
  CliResult r = pt({"traces", "show", "t-key"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("trace t-key  (get-relevant-files)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("request   Fix the parser"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("production model gemini-2.0-flash"), std::string::npos) << r.out;
  // Columns: production, then the models in order; ranks are rows.
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(production\s+anthropic:claude-opus-4-20250514\s+truth\n)")))
      << r.out;
  EXPECT_TRUE(std::regex_match(table_line(r.out, "  1"), std::regex(R"(  1\s+src/a\.ts\s+src/b\.ts\s+src/a\.ts)")))
      << r.out;
  EXPECT_TRUE(std::regex_match(table_line(r.out, "  2"), std::regex(R"(  2\s+src/b\.ts\s+src/a\.ts)"))) << r.out;
  EXPECT_TRUE(std::regex_match(table_line(r.out, "  3"), std::regex(R"(  3\s+src/c\.ts)"))) << r.out;
  EXPECT_TRUE(std::regex_match(table_line(r.out, "relabel"), std::regex(R"(relabel\s+-\s+r-new\s+r-truth)"))) << r.out;
  EXPECT_TRUE(std::regex_search(table_line(r.out, "tokens"), std::regex(R"(1234 in / 7 out)"))) << r.out;
  // The superseded relabel and the other kind's relabel are not this trace's answers.
  EXPECT_EQ(r.out.find("src/old.ts"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("src/z.ts"), std::string::npos) << r.out;
}

TEST_F(CliShow, RelabelShowNamesTheTraceItAnswersOrWhyNone) {
  CliResult r = pt({"relabels", "show", "r-new"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("relabel r-new  (model anthropic:claude-opus-4-20250514)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tokens    1234 in / 7 out   cost $0.0125"), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(1  src/b\.ts\n\s+2  src/a\.ts\n\s+3  src/c\.ts\n)"))) << r.out;
  EXPECT_NE(r.out.find("answers trace t-key"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("picked    src/a.ts, src/b.ts"), std::string::npos) << r.out;

  CliResult old = pt({"relabels", "show", "r-old"});
  ASSERT_EQ(old.exit_code, 0) << old.err;
  EXPECT_NE(old.out.find("answers no trace: it names trace t-key, which a newer relabel of "
                         "anthropic:claude-opus-4-20250514 answers instead"),
            std::string::npos)
      << old.out;
}

TEST_F(CliShow, UnknownIdsAreUsageErrorsNamingTheIdAndStore) {
  CliResult t = pt({"traces", "show", "nope"});
  EXPECT_EQ(t.exit_code, 2);
  EXPECT_NE(t.err.find("no trace \"nope\" in sqlite:s.db"), std::string::npos) << t.err;
  CliResult r = pt({"relabels", "show", "t-key"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no relabel \"t-key\""), std::string::npos) << r.err;
  // The listing still works next to the new subcommand.
  CliResult list = pt({"traces", "--limit", "1"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("1 of 2 traces"), std::string::npos) << list.out;
}

}  // namespace
