// Crash-resume (issue 10): `picktune relabel` against the fault-injecting `picktune-fake llm` is
// killed with SIGKILL at 20 random points in turn and resumed each time until done. Then the store
// holds exactly one relabel per trace, and the fake's timed log shows every trace answered once
// plus once per kill it was in flight at (at most --concurrency per kill), never requested again
// once stored, never answered after its relabel was stored. Seeded: PICKTUNE_TEST_SEED replays.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "hardening/hardening_util.h"
#include "pipeline/relabel/relabel_fixtures.h"

namespace pt {
namespace {

using hardening::FakeLogLine;
using testing::Child;
using testing::slurp;

constexpr const char* kTeacher = "anthropic:claude-opus-4-20250514";
constexpr int kTraces = 1000;
constexpr int kConcurrency = 8;
constexpr int kKills = 20;
constexpr int kLatencyMs = 80;
constexpr int kPauseMs = 300;  // between a kill and the next run

struct KilledRun {
  int64_t start_us = 0, kill_us = 0;
  std::set<std::string> stored_at_kill;  // trace ids stored once the process was dead
};

std::set<std::string> stored_trace_ids(const std::string& uri) {
  std::set<std::string> ids;
  for (const auto& r : hardening::stored_relabels(uri)) ids.insert(hardening::payload_field(r, "trace_id"));
  return ids;
}

class CrashResume : public ::testing::Test {
 protected:
  void SetUp() override {
    ts_.add_traces(kTraces, /*both_kinds=*/true);
    ts_.close();
  }
  void TearDown() override {
    if (fake_.pid > 0) {
      kill(fake_.pid, SIGKILL);
      testing::wait_child(fake_);
    }
  }
  void start_fake(uint64_t seed) {
    std::string dir = ts_.dir().string();
    log_ = dir + "/fake.log";
    fake_ = hardening::spawn_clean(
        {PICKTUNE_FAKE_BINARY, "llm", "--latency-ms", std::to_string(kLatencyMs), "--fail-rate", "0.1", "--timeout-ms",
         "2500", "--seed", std::to_string(seed), "--log", log_, "--log-times", "1"},
        {}, dir + "/fake.out", dir + "/fake.err");
    int port = testing::wait_for_port(fake_);
    ASSERT_GT(port, 0) << slurp(dir + "/fake.err");
    base_url_ = "http://127.0.0.1:" + std::to_string(port);
  }
  Child relabel(int run) {
    std::string dir = ts_.dir().string(), tag = dir + "/run" + std::to_string(run);
    return hardening::spawn_clean({PICKTUNE_BINARY, "relabel", "--teacher", kTeacher, "--store", ts_.uri(),
                                   "--concurrency", std::to_string(kConcurrency), "--timeout", "1.5", "--max-retries",
                                   "30", "--max-backoff", "1", "--progress", "none"},
                                  {{"ANTHROPIC_API_KEY", "sk-ant-crash-test"}, {"ANTHROPIC_BASE_URL", base_url_}},
                                  tag + ".out", tag + ".err");
  }

  testing::TempStore ts_;
  Child fake_;
  std::string log_, base_url_;
};

TEST_F(CrashResume, TwentyKillNinesThenResumeStoreEachTraceOnceAndNeverPayForStoredOnes) {
  const uint64_t seed = hardening::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (replay with PICKTUNE_TEST_SEED)");
  std::mt19937_64 rng(seed);
  start_fake(seed);

  std::vector<KilledRun> killed;
  std::uniform_int_distribution<int> delay_ms(50, 650);
  for (int k = 0; k < kKills; ++k) {
    KilledRun run;
    run.start_us = hardening::now_us();
    Child c = relabel(k);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    int code = 0;
    ASSERT_FALSE(hardening::exited(c, &code))
        << "run " << k << " finished (exit " << code
        << ") before its kill: " << slurp(ts_.dir().string() + "/run" + std::to_string(k) + ".err");
    kill(c.pid, SIGKILL);
    ASSERT_EQ(testing::wait_child(c), 128 + SIGKILL);
    run.kill_us = hardening::now_us();
    run.stored_at_kill = stored_trace_ids(ts_.uri());
    // No run is alive until the next starts: a request the fake logs in this pause was sent by
    // this run and only reached a handler late (a loaded machine), so it is counted as this run's.
    std::this_thread::sleep_for(std::chrono::milliseconds(kPauseMs));
    killed.push_back(std::move(run));
  }
  ASSERT_LT(killed.back().stored_at_kill.size(), static_cast<size_t>(kTraces)) << "the kills all fell before the end";
  EXPECT_GT(killed.back().stored_at_kill.size(), 0u) << "the killed runs made progress";

  const int64_t last_start_us = hardening::now_us();
  Child last = relabel(kKills);
  ASSERT_EQ(testing::wait_child(last), 0) << slurp(ts_.dir().string() + "/run" + std::to_string(kKills) + ".err");

  // Exactly one relabel per trace.
  auto rows = hardening::stored_relabels(ts_.uri());
  std::map<std::string, int64_t> stored_at;  // trace id -> created_at of its relabel (when its answer arrived)
  for (const auto& r : rows) stored_at[hardening::payload_field(r, "trace_id")] = r.created_at_us;
  EXPECT_EQ(rows.size(), static_cast<size_t>(kTraces));
  EXPECT_EQ(stored_at.size(), static_cast<size_t>(kTraces)) << "a trace stored twice";

  // The fake's log. A request belongs to the last run started before the fake received it (runs
  // never overlap, and one received in the pause after a kill was sent before it); its answer is
  // lost when that run was killed before storing it. Each trace: one stored answer, plus one lost
  // answer per kill it was in flight at — at most --concurrency per kill — and no request from a
  // later run for a trace stored at a kill, no answer after its relabel was stored.
  std::vector<int64_t> run_start;
  for (const auto& k : killed) run_start.push_back(k.start_us);
  run_start.push_back(last_start_us);
  auto run_of = [&](int64_t received_us) -> int {
    auto after = std::upper_bound(run_start.begin(), run_start.end(), received_us);
    return std::max(0, static_cast<int>(after - run_start.begin()) - 1);
  };
  std::map<std::string, std::vector<int>> answered_in;  // trace -> runs whose requests were answered
  for (const FakeLogLine& l : hardening::read_fake_log(log_)) {
    ASSERT_GT(l.received_us, 0) << "the fake logs times (--log-times 1)";
    for (int k = 0; k < run_of(l.received_us); ++k)
      EXPECT_EQ(killed[static_cast<size_t>(k)].stored_at_kill.count(l.trace), 0u)
          << l.trace << " stored by kill " << k << ", then sent again";
    if (!l.answered()) continue;
    auto it = stored_at.find(l.trace);
    ASSERT_NE(it, stored_at.end()) << "answered a trace that is not stored: " << l.trace;
    EXPECT_LE(l.at_us, it->second) << l.trace << " was answered after its relabel was stored";
    answered_in[l.trace].push_back(run_of(l.received_us));
  }
  EXPECT_EQ(answered_in.size(), static_cast<size_t>(kTraces));
  std::vector<int> lost_at_kill(killed.size(), 0);
  int repeats = 0, thrice = 0;
  for (auto& [trace, runs] : answered_in) {
    std::sort(runs.begin(), runs.end());
    thrice += runs.size() > 2;
    EXPECT_EQ(std::adjacent_find(runs.begin(), runs.end()), runs.end()) << trace << " answered twice within one run";
    for (size_t i = 0; i + 1 < runs.size(); ++i) {  // all but the last answer were lost to kills
      ++repeats;
      size_t k = static_cast<size_t>(runs[i]);
      ASSERT_LT(k, killed.size()) << trace << " answered in the final run and again";
      EXPECT_EQ(killed[k].stored_at_kill.count(trace), 0u) << trace << " answered twice though stored at kill " << k;
      ++lost_at_kill[k];
    }
  }
  for (size_t k = 0; k < lost_at_kill.size(); ++k)
    EXPECT_LE(lost_at_kill[k], kConcurrency) << "kill " << k << " lost more answers than were in flight";
  EXPECT_LE(repeats, kKills * kConcurrency);
  std::printf(
      "crash-resume: %zu kills, %zu stored before the last run, %d answers lost to kills (bound %d), "
      "%d traces answered 3+ times (in flight at two kills)\n",
      killed.size(), killed.back().stored_at_kill.size(), repeats, kKills * kConcurrency, thrice);
}

}  // namespace
}  // namespace pt
