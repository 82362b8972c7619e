// Issue 17: exit codes that say what happened. `eval relabel` checks every candidate's API key
// before the first paid call (no candidate runs when a later one has no key), and exits 1 when any
// call failed permanently, naming the model; the engine's summary lists the failed traces.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "ranker/synthetic_history.h"
#include "store/store.h"
#include "support/fakes/fake_llm.h"
#include "support/run_cli.h"

namespace pt {
namespace {

namespace fs = std::filesystem;

class EvalExitCodes : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pt-evalexit-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    uri_ = "sqlite:" + (dir_ / "store.db").string();
    auto store = open_store(StoreOptions{uri_, "dev"});
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    ASSERT_TRUE(store_->init().ok());
    auto history = ranker::synthetic::make_history(40, 7, 2);
    std::vector<Row> traces;
    for (auto& r : ranker::synthetic::trace_rows(history))
      if (r.model.empty()) traces.push_back(r);
    ASSERT_TRUE(store_->upsert(Table::traces, traces).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  pt_test::CliResult pt(std::vector<std::string> args, const std::string& env_prefix) {
    // env -u / VAR=... in front of the binary: run_cli can add variables but not remove them.
    std::vector<std::string> argv = {"/usr/bin/env", "-u", "ANTHROPIC_API_KEY"};
    if (!env_prefix.empty()) argv.push_back(env_prefix);
    argv.insert(argv.end(), {PICKTUNE_BINARY, "--store", uri_});
    argv.insert(argv.end(), args.begin(), args.end());
    return pt_test::run_cli(argv, dir_.string());
  }

  int64_t answers(const std::string& model) {
    RowFilter f;
    f.model = model;
    auto n = store_->count(Table::relabels, f);
    EXPECT_TRUE(n.ok());
    return n.ok() ? *n : -1;
  }

  fs::path dir_;
  std::string uri_;
  std::unique_ptr<Store> store_;
};

TEST_F(EvalExitCodes, EveryApiKeyIsCheckedBeforeTheFirstCall) {
  auto r = pt({"eval", "relabel", "--models", "local:bm25,anthropic:claude-sonnet-4", "--progress", "none"}, "");
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("ANTHROPIC_API_KEY"), std::string::npos) << r.err;
  EXPECT_EQ(answers("local:bm25"), 0) << "the first candidate ran before the second one's key was checked";
}

TEST_F(EvalExitCodes, FailedCallsExitOneNamingTheModel) {
  fake::FakeLlmConfig cfg;
  cfg.fail_rate = 1.0;
  cfg.faults = {fake::Fault::server_error};
  fake::FakeLlm fake(cfg);
  auto r = pt({"eval", "relabel", "--models", "anthropic:claude-sonnet-4", "--base-url", fake.base_url(),
               "--max-retries", "0", "--price-as", "free", "--progress", "none"},
              "ANTHROPIC_API_KEY=sk-ant-test");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("failed permanently for anthropic:claude-sonnet-4 (7 failed)"), std::string::npos) << r.err;
  EXPECT_EQ(answers("anthropic:claude-sonnet-4"), 0);

  fake::FakeLlm healthy;
  r = pt({"eval", "relabel", "--models", "anthropic:claude-sonnet-4", "--base-url", healthy.base_url(), "--price-as",
          "free", "--progress", "none"},
         "ANTHROPIC_API_KEY=sk-ant-test");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(answers("anthropic:claude-sonnet-4"), 7);
}

}  // namespace
}  // namespace pt
