// End-to-end tests of what a new user meets first (issue #20), through the built binary:
// --version, unknown commands with suggestions, refused inputs (--limit -1, --env dev --prod),
// reading commands on a missing store (error, nothing created) and on a read-only store.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "support/run_cli.h"

namespace {

namespace fs = std::filesystem;
using pt_test::CliResult;

const char* kTrace =
    R"({"id":"t1","agent_step_id":"s1","user_id":"u1","created_at":"2025-05-01T10:00:00Z","type":"get-relevant-files",)"
    R"("payload":{"user_input_id":"ui1","request_type":"Key","system":[{"type":"text","text":"<project_file_tree>\nsrc/a.ts\n</project_file_tree>"}],)"
    R"("messages":[{"role":"user","content":"<user_request>\nFix the parser\n</user_request>"}],"output":"src/a.ts"}})";

class CliFirstHour : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pt_cli_first_hour_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::permissions(dir_, fs::perms::all & ~fs::perms::group_write & ~fs::perms::others_write);
  }
  void TearDown() override {
    std::error_code ec;
    for (auto& e : fs::recursive_directory_iterator(dir_, ec)) fs::permissions(e.path(), fs::perms::owner_all, ec);
    fs::permissions(dir_, fs::perms::owner_all, ec);
    fs::remove_all(dir_, ec);
  }
  CliResult pt(std::vector<std::string> args, std::vector<std::string> prefix = {}) {
    args.insert(args.begin(), PICKTUNE_BINARY);
    args.insert(args.begin(), prefix.begin(), prefix.end());
    // No credentials at all: empty values count as unset.
    return pt_test::run_cli(
        args, dir_.string(), "",
        {"ANTHROPIC_API_KEY=", "OPENAI_API_KEY=", "GEMINI_API_KEY=", "GOOGLE_APPLICATION_CREDENTIALS="});
  }
  fs::path dir_;
};

TEST_F(CliFirstHour, VersionNamesVersionRevisionAndBuildType) {
  CliResult r = pt({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(
      r.out,
      std::regex(
          R"(^picktune \d+\.\d+\.\d+ \(revision ([0-9a-f]{7,}|unknown), build (Debug|Release|RelWithDebInfo|MinSizeRel)\)\n$)")))
      << r.out;
}

TEST_F(CliFirstHour, UnknownCommandIsAUsageErrorNamingTheNearestCommands) {
  CliResult r = pt({"tracs", "--limit", "3"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command 'tracs'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("traces"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("finetunes"), std::string::npos) << "only the nearest ones: " << r.err;

  CliResult far = pt({"--store", "sqlite:x.db", "zzzzzzzz"});
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_NE(far.err.find("unknown command 'zzzzzzzz'"), std::string::npos) << far.err;
  EXPECT_NE(far.err.find("quickstart"), std::string::npos) << "no near name: lists them all: " << far.err;
  EXPECT_FALSE(fs::exists(dir_ / "x.db"));
}

TEST_F(CliFirstHour, NegativeLimitIsRefusedEverywhere) {
  for (std::vector<std::string> args : {std::vector<std::string>{"traces", "--limit", "-1"},
                                        {"relabels", "--limit", "-1"},
                                        {"export", "traces", "--limit", "-1"},
                                        {"relabel", "--teacher", "local:bm25", "--limit", "-1"},
                                        {"eval", "relabel", "--models", "local:bm25", "--limit", "-1"}}) {
    args.insert(args.begin(), {"--store", "sqlite:t.db"});
    CliResult r = pt(args);
    EXPECT_EQ(r.exit_code, 2) << args[2] << ": " << r.err;
    EXPECT_NE(r.err.find("--limit"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(dir_ / "t.db"));
}

TEST_F(CliFirstHour, EnvDevContradictsProd) {
  CliResult r = pt({"--store", "sqlite:t.db", "--env", "dev", "--prod", "init"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--prod"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "t.db"));
  EXPECT_FALSE(fs::exists(dir_ / "t-prod.db"));
  EXPECT_EQ(pt({"--store", "sqlite:t.db", "--env", "prod", "--prod", "init"}).exit_code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "t-prod.db"));
}

TEST_F(CliFirstHour, ReadingCommandsOnAMissingStoreFailAndCreateNothing) {
  for (std::vector<std::string> args : {std::vector<std::string>{"traces"},
                                        {"relabels"},
                                        {"export", "traces"},
                                        {"export", "relabels", "-o", "r.jsonl"},
                                        {"eval", "score", "--models", "local:bm25", "--reference", "truth"}}) {
    args.insert(args.begin(), {"--store", "sqlite:missing.db"});
    CliResult r = pt(args);
    EXPECT_EQ(r.exit_code, 1) << args[2];
    EXPECT_NE(r.err.find("no store at missing.db"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "missing.db")) << args[2];
    EXPECT_FALSE(fs::exists(dir_ / "r.jsonl"));
  }
}

TEST_F(CliFirstHour, ReadingCommandsWorkOnAReadOnlyStore) {
  fs::create_directories(dir_ / "ro");
  std::ofstream(dir_ / "t.jsonl") << kTrace << "\n";
  CliResult imp = pt({"--store", "sqlite:ro/s.db", "import", "jsonl", "t.jsonl"});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  // Read-only file in a read-only directory; root ignores modes, so read as `nobody` then.
  fs::permissions(dir_ / "ro" / "s.db", fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  fs::permissions(dir_ / "ro", fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                   fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  std::vector<std::string> as_reader;
  if (::geteuid() == 0) as_reader = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  CliResult list = pt({"--store", "sqlite:ro/s.db", "traces", "--json"}, as_reader);
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, std::string(kTrace) + "\n");
  CliResult exp = pt({"--store", "sqlite:ro/s.db", "export", "traces"}, as_reader);
  EXPECT_EQ(exp.exit_code, 0) << exp.err;
  EXPECT_EQ(exp.out, std::string(kTrace) + "\n");
  // Writing still fails, with a message, and leaves the store as it was.
  CliResult write = pt({"--store", "sqlite:ro/s.db", "import", "jsonl", "t.jsonl"}, as_reader);
  EXPECT_NE(write.exit_code, 0);
  EXPECT_FALSE(fs::exists(dir_ / "ro" / "s.db-wal"));
}

TEST_F(CliFirstHour, DryRunNeedsNoKeyAndSaysWhetherTheCountIsExact) {
  std::ofstream(dir_ / "t.jsonl") << kTrace << "\n";
  ASSERT_EQ(pt({"--store", "sqlite:t.db", "import", "jsonl", "t.jsonl"}).exit_code, 0);
  struct Case {
    std::string teacher, label;
  };
  for (const Case& c :
       {Case{"gemini:gemini-2.5-flash", "(exact Gemini tokens, counted with the Gemma 3 tokenizer)"},
        Case{"anthropic:claude-sonnet-4-5", "(estimate: counted with the Gemma 3 tokenizer; Claude tokenizer"},
        Case{"openai:gpt-4o", "(estimate: counted with the Gemma 3 tokenizer; GPT tokenizer"}}) {
    CliResult r = pt({"--store", "sqlite:t.db", "relabel", "--teacher", c.teacher, "--dry-run"});
    EXPECT_EQ(r.exit_code, 0) << c.teacher << ": " << r.err;
    EXPECT_NE(r.out.find("would relabel 1 traces"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("input tokens: "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(c.label), std::string::npos) << c.teacher << ": " << r.out;
    EXPECT_EQ(r.out.find("approx"), std::string::npos) << r.out;
  }
  // Without --dry-run the key is still required, and nothing is stored.
  CliResult real = pt({"--store", "sqlite:t.db", "relabel", "--teacher", "anthropic:claude-sonnet-4-5"});
  EXPECT_EQ(real.exit_code, 1);
  EXPECT_NE(real.err.find("ANTHROPIC_API_KEY is not set"), std::string::npos) << real.err;
}

TEST_F(CliFirstHour, RegistryIdIsAcceptedAsATeacher) {
  std::ofstream(dir_ / "t.jsonl") << kTrace << "\n";
  ASSERT_EQ(pt({"--store", "sqlite:t.db", "import", "jsonl", "t.jsonl"}).exit_code, 0);
  CliResult r = pt({"--store", "sqlite:t.db", "relabel", "--teacher", "ft_filepicker_008", "--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dry run: ft_filepicker_008 would relabel 1 traces"), std::string::npos) << r.out;
  CliResult bad = pt({"--store", "sqlite:t.db", "relabel", "--teacher", "ft_no_such_thing", "--dry-run"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("unknown model 'ft_no_such_thing'"), std::string::npos) << bad.err;
}

}  // namespace
