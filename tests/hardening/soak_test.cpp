// Fault soak (issue 10): `picktune relabel` over 10,000 traces against the in-process fake LLM
// failing 30% of calls with every fault kind (429 + retry-after, 500, 529 overloaded, timeouts past
// the client's --timeout, truncated bodies, invalid JSON) -> all relabeled, none duplicated
// (distinct (agent_step_id, model, request kind) == rows), and the relabel process's peak RSS
// (wait4 ru_maxrss) stays bounded.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <tuple>

#include "hardening/hardening_util.h"
#include "pipeline/relabel/relabel_fixtures.h"
#include "support/fakes/fake_llm.h"

namespace pt {
namespace {

constexpr const char* kTeacher = "anthropic:claude-opus-4-20250514";
constexpr int kTraces = 10000;

#if defined(__SANITIZE_ADDRESS__)
constexpr long kMaxRssKib = 1200 * 1024;  // ASan's shadow memory and quarantine
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr long kMaxRssKib = 1200 * 1024;
#else
constexpr long kMaxRssKib = 200 * 1024;  // ~45 MiB measured
#endif
#else
constexpr long kMaxRssKib = 200 * 1024;  // ~45 MiB measured
#endif

TEST(Soak, TenThousandTracesThirtyPercentMixedFaultsAllStoredOnceInBoundedMemory) {
  testing::TempStore ts;
  ts.add_traces(kTraces, /*both_kinds=*/true);
  ts.close();

  fake::FakeLlmConfig cfg;
  cfg.fail_rate = 0.3;
  cfg.seed = hardening::test_seed();
  SCOPED_TRACE("fake seed " + std::to_string(cfg.seed) + " (replay with PICKTUNE_TEST_SEED)");
  cfg.faults = {fake::Fault::rate_limit, fake::Fault::server_error, fake::Fault::overloaded,
                fake::Fault::timeout,    fake::Fault::truncated,    fake::Fault::invalid_json};
  cfg.retry_after = "1";  // 429s ask for one second
  cfg.timeout_ms = 1500;  // the timeout fault sleeps past the client's 0.5 s
  cfg.record_bodies = false;
  fake::FakeLlm fake(cfg);

  std::string dir = ts.dir().string();
  testing::Child c = hardening::spawn_clean(
      {PICKTUNE_BINARY, "relabel", "--teacher", kTeacher, "--store", ts.uri(), "--concurrency", "64", "--timeout",
       "0.5", "--max-retries", "25", "--max-backoff", "1", "--progress", "none"},
      {{"ANTHROPIC_API_KEY", "sk-ant-soak"}, {"ANTHROPIC_BASE_URL", fake.base_url()}}, dir + "/soak.out",
      dir + "/soak.err");
  hardening::Exit e = hardening::wait_with_usage(c);
  ASSERT_EQ(e.code, 0) << testing::slurp(dir + "/soak.err");
  std::string summary = testing::slurp(dir + "/soak.out");
  EXPECT_NE(summary.find(std::to_string(kTraces) + " stored, 0 failed"), std::string::npos) << summary;

  // Every fault kind was served, and each one was survived.
  std::map<std::string, int> faults;
  for (const auto& call : fake.calls()) faults[call.fault]++;
  for (const char* kind : {"rate_limit", "server_error", "overloaded", "timeout", "truncated", "invalid_json"})
    EXPECT_GT(faults[kind], 50) << kind;
  size_t failed_calls = fake.call_count() - fake.answered();
  EXPECT_GT(static_cast<double>(failed_calls), 0.2 * static_cast<double>(fake.call_count()));

  // All relabeled, none duplicated.
  auto rows = hardening::stored_relabels(ts.uri());
  std::set<std::tuple<std::string, std::string, std::string>> keys;
  std::set<std::string> traces;
  for (const auto& r : rows) {
    keys.emplace(r.agent_step_id, r.model, hardening::payload_field(r, "request_type"));
    traces.insert(hardening::payload_field(r, "trace_id"));
  }
  EXPECT_EQ(rows.size(), static_cast<size_t>(kTraces));
  EXPECT_EQ(keys.size(), rows.size()) << "distinct (agent_step_id, model, request kind) == rows";
  EXPECT_EQ(traces.size(), static_cast<size_t>(kTraces));
  // Paid twice only when a complete answer reached the client after its 0.5 s timeout (a stall of
  // this loaded machine), never because a stored trace was sent again.
  int paid_twice = 0;
  for (const auto& [trace, n] : fake.answers_by_trace()) paid_twice += n > 1;
  EXPECT_LE(paid_twice, kTraces / 500) << "traces answered (and paid) twice";

  EXPECT_GT(e.peak_rss_kib, 0);
  EXPECT_LT(e.peak_rss_kib, kMaxRssKib) << "peak RSS of the relabel process";
  std::printf("soak: %zu calls, %zu failed, %d traces paid twice, peak RSS %ld MiB\n", fake.call_count(), failed_calls,
              paid_twice, e.peak_rss_kib / 1024);
}

}  // namespace
}  // namespace pt
