// `picktune relabel` as a process: kill -9 midway then resume (exactly N relabels, nothing stored
// is ever sent again), SIGINT drains and stores, --dry-run makes no call, and the API key never
// appears in stdout, stderr, failure reasons or the store file.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "pipeline/relabel/relabel_fixtures.h"
#include "pipeline/relabel/spawn.h"
#include "support/fakes/fake_llm.h"

namespace pt {
namespace {

using testing::Child;
using testing::slurp;
using testing::TempStore;

constexpr const char* kTeacher = "anthropic:claude-opus-4-20250514";
constexpr const char* kKey = "sk-ant-cli-SECRETKEY-51d2e8";

Child relabel(const TempStore& ts, const std::string& base_url, const std::vector<std::string>& extra,
              const std::string& tag, const std::string& key = kKey) {
  std::vector<std::string> argv = {PICKTUNE_BINARY, "relabel", "--teacher",           kTeacher, "--store", ts.uri(),
                                   "--progress",    "plain",   "--progress-interval", "0.2"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto dir = ts.dir().string();
  return testing::spawn(argv, {{"ANTHROPIC_API_KEY", key}, {"ANTHROPIC_BASE_URL", base_url}}, dir + "/" + tag + ".out",
                        dir + "/" + tag + ".err");
}

int64_t stored_count(const TempStore& ts) {
  auto s = open_store(StoreOptions{ts.uri(), "dev"});
  if (!s.ok()) return -1;
  auto n = (*s)->count(Table::relabels, {});
  return n.ok() ? *n : -1;
}

std::set<std::string> stored_trace_ids(const TempStore& ts) {
  auto s = open_store(StoreOptions{ts.uri(), "dev"});
  std::set<std::string> ids;
  if (!s.ok()) return ids;
  (void)(*s)->scan(Table::relabels, {}, [&](Row&& r) {
    ids.insert(nlohmann::json::parse(r.payload).value("trace_id", ""));
    return true;
  });
  return ids;
}

struct LogLine {
  int status;
  std::string trace;
  std::string fault;
  bool answered() const { return status == 200 && (fault == "-" || fault == "slow"); }
};

std::vector<LogLine> read_log(const std::string& path) {
  std::vector<LogLine> out;
  std::istringstream in(slurp(path));
  std::string status, method, p, trace, fault;
  while (in >> status >> method >> p >> trace >> fault) out.push_back({std::stoi(status), trace, fault});
  return out;
}

TEST(RelabelCli, KillNineThenResumeStoresEachTraceOnceAndNeverResendsStoredOnes) {
  const int n = 600, concurrency = 32;
  TempStore ts;
  ts.add_traces(n, true);
  ts.close();
  std::string log = (ts.dir() / "fake.log").string();
  auto dir = ts.dir().string();
  Child fake = testing::spawn(
      {PICKTUNE_FAKE_BINARY, "llm", "--latency-ms", "15", "--fail-rate", "0.1", "--timeout-ms", "1500", "--log", log},
      {}, dir + "/fake.out", dir + "/fake.err");
  int port = testing::wait_for_port(fake);
  ASSERT_GT(port, 0) << slurp(dir + "/fake.err");
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  std::vector<std::string> flags = {
      "--concurrency", std::to_string(concurrency), "--timeout", "1", "--max-retries", "20"};

  Child first = relabel(ts, base, flags, "run1");
  while (stored_count(ts) < 150) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(first.pid, SIGKILL);
  EXPECT_EQ(testing::wait_child(first), 128 + SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(1700));  // let the fake finish the orphaned calls
  std::set<std::string> stored_at_kill = stored_trace_ids(ts);
  size_t log_at_kill = read_log(log).size();
  ASSERT_GE(stored_at_kill.size(), 150u);
  ASSERT_LT(stored_at_kill.size(), static_cast<size_t>(n)) << "killed midway";

  Child second = relabel(ts, base, flags, "run2");
  ASSERT_EQ(testing::wait_child(second), 0) << slurp(dir + "/run2.err");
  kill(fake.pid, SIGKILL);
  testing::wait_child(fake);

  EXPECT_EQ(stored_count(ts), n);
  EXPECT_EQ(stored_trace_ids(ts).size(), static_cast<size_t>(n));
  auto lines = read_log(log);
  std::map<std::string, int> answers;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i >= log_at_kill) {
      EXPECT_EQ(stored_at_kill.count(lines[i].trace), 0u) << lines[i].trace << " was stored, then sent again";
    }
    if (lines[i].answered()) ++answers[lines[i].trace];
  }
  int twice = 0;
  for (const auto& [trace, k] : answers) twice += k > 1;
  EXPECT_LE(twice, concurrency) << "only answers in flight at the kill are paid twice";
  std::string summary = slurp(dir + "/run2.out");
  EXPECT_NE(summary.find(fmt::format("{} stored, 0 failed", n - stored_at_kill.size())), std::string::npos) << summary;
  EXPECT_NE(summary.find(fmt::format("{} already relabeled", stored_at_kill.size())), std::string::npos) << summary;
}

TEST(RelabelCli, SigintDrainsInFlightAndExitsCleanly) {
  TempStore ts;
  ts.add_traces(500);
  ts.close();
  fake::FakeLlmConfig cfg;
  cfg.latency_ms = 40;
  cfg.record_bodies = false;
  fake::FakeLlm fake(cfg);
  Child run = relabel(ts, fake.base_url(), {"--concurrency", "16"}, "int");
  while (fake.answered() < 50) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  kill(run.pid, SIGINT);
  EXPECT_EQ(testing::wait_child(run), 0) << slurp((ts.dir() / "int.err").string());
  std::string out = slurp((ts.dir() / "int.out").string());
  EXPECT_NE(out.find("stopped by signal"), std::string::npos) << out;
  EXPECT_EQ(stored_count(ts), static_cast<int64_t>(fake.answered())) << "every answer was stored";
  EXPECT_LT(stored_count(ts), 500);
}

TEST(RelabelCli, DryRunMakesZeroCalls) {
  TempStore ts;
  ts.add_traces(40);
  ts.close();
  fake::FakeLlm fake;
  Child run = relabel(ts, fake.base_url(), {"--dry-run"}, "dry");
  ASSERT_EQ(testing::wait_child(run), 0) << slurp((ts.dir() / "dry.err").string());
  std::string out = slurp((ts.dir() / "dry.out").string());
  EXPECT_NE(out.find("would relabel 40 traces"), std::string::npos) << out;
  EXPECT_NE(out.find("input tokens"), std::string::npos) << out;
  EXPECT_NE(out.find("$"), std::string::npos) << out;
  EXPECT_EQ(fake.call_count(), 0u);
  EXPECT_EQ(stored_count(ts), 0);
}

// Everything a run can leave behind: its output streams and the store's files.
std::string everything_written(const TempStore& ts, const std::string& tag) {
  std::string all = slurp((ts.dir() / (tag + ".out")).string()) + slurp((ts.dir() / (tag + ".err")).string());
  for (const char* suffix : {"", "-wal", "-shm"}) all += slurp(ts.path() + suffix);
  return all;
}

TEST(RelabelCli, ApiKeyNeverAppearsInOutputErrorsOrStore) {
  TempStore ts;
  ts.add_traces(60);
  ts.close();
  {
    fake::FakeLlmConfig cfg;
    cfg.fail_rate = 0.6;
    cfg.echo_key_in_errors = true;
    cfg.timeout_ms = 800;
    fake::FakeLlm fake(cfg);
    Child run = relabel(ts, fake.base_url(), {"--max-retries", "1", "--timeout", "0.5"}, "echo");
    // Issue 17: failed calls make the run exit 1 (it was 0), and stderr says so.
    EXPECT_EQ(testing::wait_child(run), 1);
    EXPECT_NE(slurp((ts.dir() / "echo.err").string()).find("failed permanently"), std::string::npos);
    std::string out = slurp((ts.dir() / "echo.out").string());
    EXPECT_NE(out.find("failed traces"), std::string::npos) << "some traces failed with key-echoing errors: " << out;
    EXPECT_EQ(everything_written(ts, "echo").find("SECRETKEY"), std::string::npos);
  }
  {
    fake::FakeLlmConfig cfg;
    cfg.expect_key = "sk-ant-the-right-one";
    fake::FakeLlm fake(cfg);
    Child run = relabel(ts, fake.base_url(), {}, "auth");
    EXPECT_EQ(testing::wait_child(run), 1) << "401 is a runtime failure";
    std::string err = slurp((ts.dir() / "auth.err").string());
    EXPECT_NE(err.find("401"), std::string::npos) << err;
    EXPECT_EQ(everything_written(ts, "auth").find("SECRETKEY"), std::string::npos);
  }
}

}  // namespace
}  // namespace pt
