// Relabel leases (issue 17): the store's claim is exclusive, renewable and expires (SQLite, PostgreSQL,
// memory; two connections each); 2 and 4 concurrent `picktune relabel` processes on one store (SQLite
// and PostgreSQL) against one loopback fake teacher pay exactly once per trace; a crashed run's lease
// holds its traces until it expires, then another run takes them; a BigQuery store (no row locks)
// says so and every relabel run on it warns.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "pipeline/relabel/lease_fixtures.h"
#include "pipeline/relabel/relabel.h"
#include "pipeline/relabel/relabel_fixtures.h"
#include "pipeline/relabel/relabel_leases.h"
#include "pipeline/relabel/spawn.h"
#include "store/bigquery/bq_test_env.h"
#include "store/memory/memory_store.h"
#include "store/postgres/pg_test_db.h"
#include "support/ci_env.h"
#include "support/fakes/fake_llm.h"

namespace pt {
namespace {

using testing::Child;
using testing::slurp;

constexpr const char* kTeacher = "anthropic:claude-opus-4-20250514";
constexpr const char* kKey = "sk-ant-lease-KEY-0c41aa";

int64_t now_us() { return testing::wall_us(); }
std::unique_ptr<Store> open_ok(const std::string& uri) { return testing::open_initialised(uri); }

using Keys = std::vector<std::string>;

// Two stores on one database (separate connections) claiming the same keys.
void check_claims(Store& a, Store& b) {
  ASSERT_TRUE(a.locks_leases());
  int64_t t = now_us();
  auto got = a.claim_leases(Keys{"k1", "k2"}, "run-a", t, t + 1'000'000);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(*got, (Keys{"k1", "k2"}));
  got = b.claim_leases(Keys{"k2", "k3"}, "run-b", t, t + 1'000'000);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(*got, (Keys{"k3"})) << "k2 is run-a's until it expires";
  got = a.claim_leases(Keys{"k1", "k2", "k3"}, "run-a", t + 10, t + 5'000'000);  // renew; k3 is run-b's
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, (Keys{"k1", "k2"}));
  got = b.claim_leases(Keys{"k1"}, "run-b", t + 2'000'000, t + 9'000'000);  // renewed: still run-a's
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  got = b.claim_leases(Keys{"k1", "k2"}, "run-b", t + 5'000'000, t + 9'000'000);  // expired now
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, (Keys{"k1", "k2"}));
  ASSERT_TRUE(a.release_leases(Keys{"k1"}, "run-a").ok());  // not run-a's any more: nothing happens
  got = a.claim_leases(Keys{"k1"}, "run-a", t + 5'000'001, t + 9'000'000);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  ASSERT_TRUE(b.release_leases(Keys{"k1", "k2", "k3"}, "run-b").ok());
  got = a.claim_leases(Keys{"k1", "k2", "k3"}, "run-a", t + 5'000'002, t + 9'000'000);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), 3u) << "released keys are free";
}

TEST(RelabelLeaseStore, SqliteClaimsAreExclusiveRenewableAndExpire) {
  testing::TempStore ts;
  auto a = open_ok(ts.uri());
  auto b = open_ok(ts.uri());
  ASSERT_TRUE(a && b);
  check_claims(*a, *b);
}

TEST(RelabelLeaseStore, PostgresClaimsAreExclusiveRenewableAndExpire) {
  if (pt_test::pg_test_uri().empty()) PT_SKIP_UNLESS_CI(pt_test::kPgMissing);
  pt_test::PgTestSchema schema(pt_test::pg_test_uri());
  auto a = open_ok(schema.uri());
  auto b = open_ok(schema.uri());
  ASSERT_TRUE(a && b);
  check_claims(*a, *b);
}

TEST(RelabelLeaseStore, MemoryClaimsAreExclusiveRenewableAndExpire) {
  MemoryStore a;
  MemoryStore b(a.tables());
  check_claims(a, b);
}

// --- Concurrent processes -------------------------------------------------------------------

Child relabel_process(const std::string& uri, const std::string& base_url, const std::string& dir,
                      const std::string& tag) {
  return testing::relabel_process(kTeacher, kKey, uri, base_url, dir, tag);
}

void fill(const std::string& uri, int n) { testing::fill_traces(uri, n); }
using testing::relabels_in;

// `runs` processes started together on a store of n traces: each trace answered (paid) once.
void concurrent_runs_pay_once(const std::string& uri, const std::string& dir, int runs) {
  const int n = 150;
  fill(uri, n);
  fake::FakeLlmConfig cfg;
  cfg.latency_ms = 8;
  cfg.record_bodies = false;
  fake::FakeLlm fake(cfg);
  std::vector<Child> children;
  for (int i = 0; i < runs; ++i)
    children.push_back(relabel_process(uri, fake.base_url(), dir, "r" + std::to_string(i)));
  int64_t leased_elsewhere = 0;
  for (int i = 0; i < runs; ++i) {
    std::string tag = dir + "/r" + std::to_string(i);
    EXPECT_EQ(testing::wait_child(children[i]), 0) << slurp(tag + ".err") << slurp(tag + ".out");
    leased_elsewhere += testing::claimed_elsewhere(slurp(tag + ".out"));
  }
  auto by_trace = fake.answers_by_trace();
  EXPECT_EQ(by_trace.size(), static_cast<size_t>(n)) << "every trace answered";
  int twice = 0;
  for (const auto& [trace, k] : by_trace) twice += k > 1;
  EXPECT_EQ(twice, 0) << "no trace paid twice by " << runs << " concurrent runs";
  EXPECT_EQ(fake.answered(), static_cast<size_t>(n));
  EXPECT_EQ(relabels_in(uri), n);
  EXPECT_GT(leased_elsewhere, 0) << "the runs did overlap (some traces were claimed by another run)";
}

TEST(RelabelLeaseCli, TwoConcurrentRunsOnSqlitePayOncePerTrace) {
  testing::TempStore ts;
  concurrent_runs_pay_once(ts.uri(), ts.dir().string(), 2);
}

TEST(RelabelLeaseCli, FourConcurrentRunsOnSqlitePayOncePerTrace) {
  testing::TempStore ts;
  concurrent_runs_pay_once(ts.uri(), ts.dir().string(), 4);
}

TEST(RelabelLeaseCli, TwoConcurrentRunsOnPostgresPayOncePerTrace) {
  if (pt_test::pg_test_uri().empty()) PT_SKIP_UNLESS_CI(pt_test::kPgMissing);
  pt_test::PgTestSchema schema(pt_test::pg_test_uri());
  testing::TempStore ts;  // for the processes' output files
  concurrent_runs_pay_once(schema.uri(), ts.dir().string(), 2);
}

TEST(RelabelLeaseCli, FourConcurrentRunsOnPostgresPayOncePerTrace) {
  if (pt_test::pg_test_uri().empty()) PT_SKIP_UNLESS_CI(pt_test::kPgMissing);
  pt_test::PgTestSchema schema(pt_test::pg_test_uri());
  testing::TempStore ts;
  concurrent_runs_pay_once(schema.uri(), ts.dir().string(), 4);
}

// A run that crashed holding leases: its traces wait until the leases expire, then another run takes them.
TEST(RelabelLeaseCli, CrashedRunsLeasesExpireAndAreTakenOver) {
  testing::TempStore ts;
  const int n = 30;
  fill(ts.uri(), n);
  Keys live, stale;
  for (int i = 0; i < 10; ++i) live.push_back(relabel_row_id(kTeacher, testing::picker_trace(i).id, false));
  for (int i = 10; i < 20; ++i) stale.push_back(relabel_row_id(kTeacher, testing::picker_trace(i).id, false));
  {
    auto s = open_ok(ts.uri());
    ASSERT_TRUE(s);
    int64_t t = now_us();
    ASSERT_EQ(s->claim_leases(live, "crashed-run", t, t + 3'000'000)->size(), 10u);       // still valid
    ASSERT_EQ(s->claim_leases(stale, "crashed-run", t - 9'000'000, t - 1)->size(), 10u);  // expired
  }
  fake::FakeLlm fake;
  std::string dir = ts.dir().string();
  Child first = relabel_process(ts.uri(), fake.base_url(), dir, "first");
  ASSERT_EQ(testing::wait_child(first), 0) << slurp(dir + "/first.err");
  std::string out = slurp(dir + "/first.out");
  EXPECT_NE(out.find("20 stored, 0 failed"), std::string::npos) << out;
  EXPECT_NE(out.find("10 claimed by another run of this teacher"), std::string::npos) << out;
  EXPECT_EQ(relabels_in(ts.uri()), 20);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(fake.answers_by_trace().count(testing::picker_trace(i).id), 0u);

  std::this_thread::sleep_for(std::chrono::milliseconds(3100));  // the crashed run's leases expire
  Child second = relabel_process(ts.uri(), fake.base_url(), dir, "second");
  ASSERT_EQ(testing::wait_child(second), 0) << slurp(dir + "/second.err");
  out = slurp(dir + "/second.out");
  EXPECT_NE(out.find("10 stored, 0 failed"), std::string::npos) << out;
  EXPECT_EQ(relabels_in(ts.uri()), n);
  for (const auto& [trace, k] : fake.answers_by_trace()) EXPECT_EQ(k, 1) << trace;
  EXPECT_EQ(fake.answers_by_trace().size(), static_cast<size_t>(n));
}

// Leases of a run on this host whose process is gone are dropped at once; a live process's are kept.
TEST(RelabelLeaseStore, DeadLocalRunsLeasesAreReaped) {
  MemoryStore store;
  char host[256] = {0};
  ASSERT_EQ(gethostname(host, sizeof(host) - 1), 0);
  pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  waitpid(child, nullptr, 0);  // gone now
  std::string dead = fmt::format("{}:{}:deadbeef", host, child);
  std::string live = fmt::format("{}:{}:cafe", host, getppid());
  std::string remote = fmt::format("other-host-{}:{}:f00d", host, child);
  int64_t t = now_us();
  ASSERT_EQ(store.claim_leases(Keys{"a"}, dead, t, t + 60'000'000)->size(), 1u);
  ASSERT_EQ(store.claim_leases(Keys{"b"}, live, t, t + 60'000'000)->size(), 1u);
  ASSERT_EQ(store.claim_leases(Keys{"c"}, remote, t, t + 60'000'000)->size(), 1u);
  RelabelLeases leases(store, kTeacher, false, 60'000);
  auto reaped = leases.reap_dead_local_owners();
  ASSERT_TRUE(reaped.ok()) << reaped.error().message;
  EXPECT_EQ(*reaped, 1);
  auto owners = *store.lease_owners();
  EXPECT_EQ(std::set<std::string>(owners.begin(), owners.end()), (std::set<std::string>{live, remote}));
}

// BigQuery cannot lock rows: the store says so and a relabel run on it warns (docs/formats.md#relabel-leases).
TEST(RelabelLeaseStore, BigQueryDoesNotLockAndRelabelWarns) {
  pt_test::BqTestEnv env;
  auto s = env.open();
  ASSERT_TRUE(s.ok()) << s.error().message;
  Store& store = **s;
  ASSERT_TRUE(store.init().ok());
  EXPECT_FALSE(store.locks_leases());
  std::vector<Row> rows;
  for (int i = 0; i < 3; ++i) rows.push_back(testing::picker_trace(i));
  ASSERT_TRUE(store.upsert(Table::traces, rows).ok());
  fake::FakeLlm fake;
  setenv("ANTHROPIC_API_KEY", kKey, 1);
  ModelOptions mo;
  mo.base_url = fake.base_url();
  auto model = make_model(kTeacher, mo);
  ASSERT_TRUE(model.ok()) << model.error().message;
  Diagnostics diagnostics;
  RelabelOptions o;
  o.diagnostics = &diagnostics;
  auto summary = run_relabel(store, **model, o);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_TRUE(summary->leases_unlocked);
  EXPECT_EQ(summary->done, 3);
  std::string warned;
  for (const auto& d : diagnostics.all()) warned += d.code + ": " + d.message + "\n";
  EXPECT_NE(warned.find("relabel/leases"), std::string::npos) << warned;
  EXPECT_NE(warned.find("cannot lock rows"), std::string::npos) << warned;
}

}  // namespace
}  // namespace pt
