// `picktune status` and `picktune prune` through the built binary (issue 20): status counts traces by
// type and request kind, relabels by teacher with their coverage under THE join, students apart,
// and the size on disk; prune --dry-run only counts, prune deletes exactly the older rows of both
// tables; both refuse a missing store without creating it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "support/run_cli.h"

namespace {

namespace fs = std::filesystem;
using pt_test::CliResult;

std::string trace(const std::string& id, const std::string& step, const std::string& day, const std::string& type,
                  const std::string& kind) {
  std::string kind_field = kind.empty() ? "" : R"("request_type":")" + kind + R"(",)";
  return R"({"id":")" + id + R"(","agent_step_id":")" + step + R"(","user_id":"u1","created_at":")" + day +
         R"(T10:00:00Z","type":")" + type + R"(","payload":{)" + kind_field +
         R"("messages":[{"role":"user","content":"x"}],"output":"src/a.ts"}})";
}

std::string relabel(const std::string& id, const std::string& model, const std::string& trace_id,
                    const std::string& step, const std::string& day) {
  return R"({"id":")" + id + R"(","agent_step_id":")" + step + R"(","user_id":"u1","created_at":")" + day +
         R"(T12:00:00Z","model":")" + model + R"(","payload":{"request_type":"Key","trace_id":")" + trace_id +
         R"(","files":["src/a.ts"],"output":"src/a.ts"}})";
}

class CliStatus : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pt_cli_status_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "traces.jsonl") << trace("t1", "s1", "2025-05-01", "get-relevant-files", "Key") << "\n"
                                         << trace("t2", "s2", "2025-05-02", "get-relevant-files", "Key") << "\n"
                                         << trace("t3", "s3", "2025-06-01", "get-relevant-files", "Non-Obvious") << "\n"
                                         << trace("t4", "s4", "2025-06-02", "get-relevant-files", "") << "\n"
                                         << trace("f1", "s1", "2025-05-01", "file-trees", "") << "\n";
    std::ofstream(dir_ / "relabels.jsonl")
        << relabel("r1", "truth", "t1", "s1", "2025-05-01") << "\n"
        << relabel("r2", "truth", "t2", "s2", "2025-05-02") << "\n"
        << relabel("r3", "anthropic:claude-opus-4-20250514", "t2", "s2", "2025-06-03") << "\n"
        << relabel("r4", "local:student@a.model", "t1", "s1", "2025-06-03") << "\n";
    ASSERT_EQ(pt({"import", "jsonl", "traces.jsonl"}).exit_code, 0);
    ASSERT_EQ(pt({"import", "jsonl", "--table", "relabels", "relabels.jsonl"}).exit_code, 0);
  }
  void TearDown() override { fs::remove_all(dir_); }
  CliResult pt(std::vector<std::string> args, const std::string& store = "sqlite:s.db") {
    args.insert(args.begin(), {PICKTUNE_BINARY, "--store", store});
    return pt_test::run_cli(args, dir_.string());
  }
  bool has(const std::string& out, const std::string& re) { return std::regex_search(out, std::regex(re)); }
  fs::path dir_;
};

TEST_F(CliStatus, CountsTypesKindsTeachersCoverageStudentsAndSize) {
  CliResult r = pt({"status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto size = fs::file_size(dir_ / "s.db");
  EXPECT_TRUE(has(r.out, R"(store     sqlite:s\.db \([0-9.]+ KiB on disk\))")) << r.out;
  EXPECT_GE(size, 1024u);
  EXPECT_TRUE(has(r.out, R"(rows      5 traces, 4 relabels, created 2025-05-01 \.\. 2025-06-03)")) << r.out;
  EXPECT_TRUE(has(r.out, R"(get-relevant-files\s+4  \(\(none\) 1, Key 2, Non-Obvious 1\))")) << r.out;
  EXPECT_TRUE(has(r.out, R"(file-trees\s+1\n)")) << r.out;
  // 4 picker traces: truth answers 2 (50%), the teacher 1 (25%); the student is listed apart.
  EXPECT_TRUE(has(r.out, R"(RELABELS BY TEACHER[^\n]*\n(  [^\n]*\n)*  truth\s+2\s+2\s+50\.0%)")) << r.out;
  EXPECT_TRUE(has(r.out, R"(  anthropic:claude-opus-4-20250514\s+1\s+1\s+25\.0%)")) << r.out;
  EXPECT_TRUE(has(r.out, R"(STUDENTS[^\n]*\n  local:student@a\.model\s+1\s+1\s+25\.0%)")) << r.out;
  size_t teachers = r.out.find("RELABELS BY TEACHER"), students = r.out.find("STUDENTS");
  EXPECT_LT(r.out.find("truth"), students);
  EXPECT_GT(r.out.find("local:student@a.model"), students);
  EXPECT_GT(r.out.find("truth"), teachers);
}

TEST_F(CliStatus, PruneDryRunCountsAndPruneDeletesOnlyOlderRows) {
  CliResult dry = pt({"prune", "--before", "2025-05-02", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("would delete 2 traces and 1 relabels created before 2025-05-02T00:00:00Z"), std::string::npos)
      << dry.out;
  EXPECT_NE(dry.out.find("nothing deleted"), std::string::npos);
  EXPECT_NE(pt({"status"}).out.find("rows      5 traces, 4 relabels"), std::string::npos);

  CliResult real = pt({"prune", "--before", "2025-05-02"});
  ASSERT_EQ(real.exit_code, 0) << real.err;
  EXPECT_NE(real.out.find("prune: deleted 2 traces and 1 relabels created before 2025-05-02T00:00:00Z"),
            std::string::npos)
      << real.out;
  CliResult left = pt({"traces", "--json", "--limit", "0"});
  EXPECT_EQ(left.out.find("\"t1\""), std::string::npos) << left.out;
  EXPECT_EQ(left.out.find("\"f1\""), std::string::npos) << left.out;
  EXPECT_NE(left.out.find("\"t2\""), std::string::npos) << left.out;
  CliResult relabels = pt({"relabels", "--json", "--limit", "0"});
  EXPECT_EQ(relabels.out.find("\"r1\""), std::string::npos);
  EXPECT_NE(relabels.out.find("\"r2\""), std::string::npos);
  // Again: nothing older is left.
  EXPECT_NE(pt({"prune", "--before", "2025-05-02"}).out.find("deleted 0 traces and 0 relabels"), std::string::npos);
}

TEST_F(CliStatus, RefusesAMissingStoreAndABadDate) {
  CliResult st = pt({"status"}, "sqlite:missing.db");
  EXPECT_EQ(st.exit_code, 1);
  EXPECT_NE(st.err.find("no store at missing.db"), std::string::npos) << st.err;
  CliResult pr = pt({"prune", "--before", "2025-01-01"}, "sqlite:missing.db");
  EXPECT_EQ(pr.exit_code, 1);
  EXPECT_FALSE(fs::exists(dir_ / "missing.db"));
  CliResult bad = pt({"prune", "--before", "last week"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--before"), std::string::npos) << bad.err;
  CliResult none = pt({"prune"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(pt({"status"}).out.find("rows      5 traces"), std::string::npos);
}

}  // namespace
