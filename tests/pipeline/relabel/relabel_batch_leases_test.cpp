// Relabel leases of `relabel --batch` (issue 17): a lease carries the id of the batch its trace went
// out in; claims never take such a lease, only adoption does once it expired (SQLite, PostgreSQL,
// memory; older stores gain the column). 2 and 4 concurrent `picktune relabel --batch` processes, and a
// batch run beside a synchronous one, submit or send each trace once; a batch run SIGKILLed after its
// batch was accepted is collected by the next run, not resubmitted.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "pipeline/relabel/lease_fixtures.h"
#include "pipeline/relabel/relabel.h"
#include "pipeline/relabel/relabel_fixtures.h"
#include "pipeline/relabel/spawn.h"
#include "store/memory/memory_store.h"
#include "store/postgres/pg_test_db.h"
#include "support/ci_env.h"
#include "support/fakes/fake_llm.h"
#include "util/sha256.h"

namespace pt {
namespace {

using testing::Child;
using testing::slurp;
using Keys = std::vector<std::string>;

constexpr const char* kTeacher = "anthropic:claude-opus-4-20250514";
constexpr const char* kKey = "sk-ant-batch-lease-KEY-51d0e2";

int64_t now_us() { return testing::wall_us(); }
std::unique_ptr<Store> open_ok(const std::string& uri) { return testing::open_initialised(uri); }

// The custom_id relabel --batch gives a trace's request (relabel_batch.cpp).
std::string custom_id(const std::string& trace_id) { return "t" + sha256_hex(trace_id).substr(0, 40); }

// --- The store calls ----------------------------------------------------------------------------

void check_batch_leases(Store& a, Store& b) {
  int64_t t = now_us();
  ASSERT_EQ(a.claim_leases(Keys{"k1", "k2", "k3"}, "run-a", t, t + 1'000'000)->size(), 3u);
  ASSERT_TRUE(a.set_lease_batch(Keys{"k1", "k2"}, "run-a", "msgbatch_1").ok());
  ASSERT_TRUE(b.set_lease_batch(Keys{"k3"}, "run-b", "msgbatch_2").ok()) << "not run-b's lease: no effect";
  auto adopted = b.adopt_batch_leases(Keys{"k1", "k2", "k3"}, "run-b", t + 10, t + 2'000'000);
  ASSERT_TRUE(adopted.ok()) << adopted.error().message;
  EXPECT_TRUE(adopted->empty()) << "run-a's leases are live";

  // Expired: the plain lease (k3) may be claimed again; the batch leases only adopted.
  auto got = b.claim_leases(Keys{"k1", "k2", "k3"}, "run-b", t + 1'500'000, t + 3'000'000);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(*got, (Keys{"k3"})) << "claiming a lease with a batch id would pay again";
  adopted = b.adopt_batch_leases(Keys{"k1", "k2", "k3"}, "run-b", t + 1'500'000, t + 3'000'000);
  ASSERT_TRUE(adopted.ok()) << adopted.error().message;
  ASSERT_EQ(adopted->size(), 2u);
  EXPECT_EQ((*adopted)[0].key, "k1");
  EXPECT_EQ((*adopted)[0].batch_id, "msgbatch_1");
  EXPECT_EQ((*adopted)[1].key, "k2");
  EXPECT_EQ((*adopted)[1].batch_id, "msgbatch_1");
  adopted = a.adopt_batch_leases(Keys{"k1", "k2"}, "run-a", t + 1'600'000, t + 3'000'000);
  ASSERT_TRUE(adopted.ok());
  EXPECT_TRUE(adopted->empty()) << "adopted once: run-b holds them now";
  got = b.claim_leases(Keys{"k1"}, "run-b", t + 1'700'000, t + 4'000'000);  // renewal keeps the batch id
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, (Keys{"k1"}));
  adopted = a.adopt_batch_leases(Keys{"k1"}, "run-a", t + 4'000'000, t + 5'000'000);
  ASSERT_TRUE(adopted.ok());
  ASSERT_EQ(adopted->size(), 1u);
  EXPECT_EQ((*adopted)[0].batch_id, "msgbatch_1");

  // A dead owner: its plain leases go, its batch leases stay, expired, for adoption.
  ASSERT_EQ(a.claim_leases(Keys{"k4", "k5"}, "run-c", t, t + 60'000'000)->size(), 2u);
  ASSERT_TRUE(a.set_lease_batch(Keys{"k4"}, "run-c", "msgbatch_3").ok());
  ASSERT_TRUE(b.drop_leases_of("run-c").ok());
  got = b.claim_leases(Keys{"k4", "k5"}, "run-b", t + 10, t + 60'000'000);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, (Keys{"k5"}));
  adopted = b.adopt_batch_leases(Keys{"k4"}, "run-b", t + 10, t + 60'000'000);
  ASSERT_TRUE(adopted.ok());
  ASSERT_EQ(adopted->size(), 1u);
  EXPECT_EQ((*adopted)[0].batch_id, "msgbatch_3");
  ASSERT_TRUE(b.release_leases(Keys{"k4"}, "run-b").ok());
  got = a.claim_leases(Keys{"k4"}, "run-a", t + 20, t + 60'000'000);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, (Keys{"k4"})) << "a released batch lease is free";
}

TEST(RelabelBatchLeaseStore, SqliteBatchLeasesAreAdoptedNotClaimed) {
  testing::TempStore ts;
  auto a = open_ok(ts.uri());
  auto b = open_ok(ts.uri());
  ASSERT_TRUE(a && b);
  check_batch_leases(*a, *b);
}

TEST(RelabelBatchLeaseStore, PostgresBatchLeasesAreAdoptedNotClaimed) {
  if (pt_test::pg_test_uri().empty()) PT_SKIP_UNLESS_CI(pt_test::kPgMissing);
  pt_test::PgTestSchema schema(pt_test::pg_test_uri());
  auto a = open_ok(schema.uri());
  auto b = open_ok(schema.uri());
  ASSERT_TRUE(a && b);
  check_batch_leases(*a, *b);
}

TEST(RelabelBatchLeaseStore, MemoryBatchLeasesAreAdoptedNotClaimed) {
  MemoryStore a;
  MemoryStore b(a.tables());
  check_batch_leases(a, b);
}

// A store made before batch runs leased has relabel_leases without batch_id: the column is added
// and the old leases stay.
void check_migrated(Store& s) {
  int64_t t = now_us();
  EXPECT_TRUE(s.claim_leases(Keys{"old"}, "new-run", t, t + 1000)->empty()) << "the old lease is kept";
  ASSERT_EQ(s.claim_leases(Keys{"k"}, "new-run", t, t + 1000)->size(), 1u);
  ASSERT_TRUE(s.set_lease_batch(Keys{"k"}, "new-run", "msgbatch_9").ok());
  auto adopted = s.adopt_batch_leases(Keys{"k"}, "later", t + 2000, t + 9000);
  ASSERT_TRUE(adopted.ok()) << adopted.error().message;
  ASSERT_EQ(adopted->size(), 1u);
  EXPECT_EQ(adopted->front().batch_id, "msgbatch_9");
}

TEST(RelabelBatchLeaseStore, SqliteStoreWithoutBatchColumnIsMigrated) {
  testing::TempStore ts;
  ASSERT_TRUE(open_ok(ts.uri()));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(ts.path().c_str(), &db), SQLITE_OK);
  const char* old_schema =
      "DROP TABLE relabel_leases; CREATE TABLE relabel_leases (id TEXT PRIMARY KEY NOT NULL, owner TEXT NOT NULL, "
      "expires_at INTEGER NOT NULL); INSERT INTO relabel_leases VALUES ('old', 'old-run', 9000000000000000);";
  EXPECT_EQ(sqlite3_exec(db, old_schema, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
  auto s = open_store(StoreOptions{ts.uri(), "dev"});  // no init(): the lease calls migrate
  ASSERT_TRUE(s.ok()) << s.error().message;
  check_migrated(**s);
}

TEST(RelabelBatchLeaseStore, PostgresStoreWithoutBatchColumnIsMigrated) {
  if (pt_test::pg_test_uri().empty()) PT_SKIP_UNLESS_CI(pt_test::kPgMissing);
  pt_test::PgTestSchema schema(pt_test::pg_test_uri());
  ASSERT_TRUE(open_ok(schema.uri()));
  schema.exec("ALTER TABLE relabel_leases DROP COLUMN batch_id");
  schema.exec("INSERT INTO relabel_leases VALUES ('old', 'old-run', 9000000000000000)");
  auto s = open_store(StoreOptions{schema.uri(), "dev"});  // opening adds the column
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(schema.query1("SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() "
                          "AND table_name = 'relabel_leases' AND column_name = 'batch_id'"),
            "1");
  check_migrated(**s);
}

// --- In-process runs ----------------------------------------------------------------------------

RelabelOptions batch_options(const fake::FakeLlm& fake) {
  setenv("ANTHROPIC_API_KEY", kKey, 1);
  RelabelOptions o;
  o.batch = true;
  o.batch_poll_ms = 10;
  o.batch_max_poll_ms = 20;
  o.timeout_ms = 2000;
  o.model_options.base_url = fake.base_url();
  return o;
}

std::unique_ptr<Model> batch_teacher(const fake::FakeLlm& fake) {
  setenv("ANTHROPIC_API_KEY", kKey, 1);
  ModelOptions mo;
  mo.base_url = fake.base_url();
  mo.batch = true;
  auto m = make_model(kTeacher, mo);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  return std::move(m).value();
}

// A run on another host stopped while its batch was running (its leases carry the batch id). While
// they are live, a run skips those traces; once they expire, a run adopts them and collects that
// batch: nothing is submitted again.
TEST(RelabelBatchLeaseRun, ExpiredLeaseWithBatchIdIsAdoptedAndCollected) {
  testing::TempStore ts;
  const int n = 12;
  ts.add_traces(n);
  fake::FakeLlmConfig cfg;
  cfg.batch_polls_before_end = 1'000'000;
  fake::FakeLlm fake(cfg);
  auto model = batch_teacher(fake);
  std::atomic<int> stop{0};
  RelabelOptions first = batch_options(fake);
  first.lease_owner = "far-host:1:aaaa";
  first.stop_requests = &stop;
  std::thread stopper([&] {
    while (fake.calls_to("/v1/messages/batches/") < 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    stop = 1;  // polled once: the batch was accepted and its id recorded on the leases
  });
  auto s = run_relabel(ts.store(), *model, first);
  stopper.join();
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(s->stopped_by_signal);
  EXPECT_EQ(s->done, 0);
  ASSERT_EQ(fake.batches_created(), 1u);

  // The far host's run is alive again, say: its leases (renewed, batch id kept) hold the traces.
  Keys keys;
  for (int i = 0; i < n; ++i) keys.push_back(relabel_row_id(kTeacher, testing::picker_trace(i).id, false));
  int64_t t = now_us();
  ASSERT_EQ(ts.store().claim_leases(keys, first.lease_owner, t, t + 2'000'000)->size(), static_cast<size_t>(n));
  RelabelOptions o = batch_options(fake);
  auto held = run_relabel(ts.store(), *model, o);
  ASSERT_TRUE(held.ok()) << held.error().message;
  EXPECT_EQ(held->skipped_leased, n);
  EXPECT_EQ(held->done, 0);
  EXPECT_EQ(fake.batches_created(), 1u) << "live batch leases: nothing submitted";

  std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // the far host's leases expire
  fake.set_batch_polls_before_end(2);
  Diagnostics notes;
  o.diagnostics = &notes;
  auto adopted = run_relabel(ts.store(), *model, o);
  ASSERT_TRUE(adopted.ok()) << adopted.error().message;
  EXPECT_EQ(adopted->done, n);
  EXPECT_EQ(adopted->failed, 0);
  EXPECT_EQ(adopted->calls, 0) << "collected, not sent";
  EXPECT_EQ(fake.batches_created(), 1u) << "the adopted batch was not resubmitted";
  EXPECT_EQ(ts.relabels().size(), static_cast<size_t>(n));
  std::string text;
  for (const auto& d : notes.all()) text += d.message + "\n";
  EXPECT_NE(text.find("collecting its results instead of sending them again"), std::string::npos) << text;
  auto leases = ts.store().lease_owners();
  ASSERT_TRUE(leases.ok());
  EXPECT_TRUE(leases->empty()) << "a collected batch's leases are dropped";
}

// --- Concurrent processes -----------------------------------------------------------------------

Child relabel_process(const std::string& uri, const std::string& base_url, const std::string& dir,
                      const std::string& tag, bool batch) {
  std::vector<std::string> extra;
  if (batch) extra = {"--batch", "--batch-poll", "0.05"};
  return testing::relabel_process(kTeacher, kKey, uri, base_url, dir, tag, extra);
}

void fill(const std::string& uri, int n) { testing::fill_traces(uri, n); }
using testing::relabels_in;

// Each of the n traces paid exactly once: in one batch request or one live answer, never both.
void expect_paid_once(const fake::FakeLlm& fake, int n) {
  auto batched = fake.batch_requests_by_custom_id();
  auto live = fake.answers_by_trace();
  int once = 0;
  for (int i = 0; i < n; ++i) {
    std::string id = testing::picker_trace(i).id;
    auto b = batched.find(custom_id(id));
    auto l = live.find(id);
    int paid = (b == batched.end() ? 0 : b->second) + (l == live.end() ? 0 : l->second);
    EXPECT_EQ(paid, 1) << id;
    once += paid == 1;
  }
  EXPECT_EQ(once, n);
  size_t requests = 0;
  for (const auto& [id, k] : batched) requests += static_cast<size_t>(k);
  EXPECT_EQ(requests + fake.answered(), static_cast<size_t>(n)) << "nothing else was paid";
}

// `batch[i]`: whether run i is a --batch run. All start together on a store of n traces.
void concurrent_runs_pay_once(const std::string& uri, const std::string& dir, const std::vector<bool>& batch) {
  const int n = 120;
  fill(uri, n);
  fake::FakeLlmConfig cfg;
  cfg.latency_ms = 8;
  cfg.record_bodies = false;
  cfg.batch_polls_before_end = 3;
  fake::FakeLlm fake(cfg);
  std::vector<Child> children;
  for (size_t i = 0; i < batch.size(); ++i)
    children.push_back(relabel_process(uri, fake.base_url(), dir, "r" + std::to_string(i), batch[i]));
  int64_t leased_elsewhere = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    std::string tag = dir + "/r" + std::to_string(i);
    EXPECT_EQ(testing::wait_child(children[i]), 0) << slurp(tag + ".err") << slurp(tag + ".out");
    leased_elsewhere += testing::claimed_elsewhere(slurp(tag + ".out"));
  }
  expect_paid_once(fake, n);
  EXPECT_EQ(relabels_in(uri), n);
  EXPECT_GT(leased_elsewhere, 0) << "the runs did overlap (some traces were claimed by another run)";
}

TEST(RelabelBatchLeaseCli, TwoConcurrentBatchRunsOnSqliteSubmitEachTraceOnce) {
  testing::TempStore ts;
  concurrent_runs_pay_once(ts.uri(), ts.dir().string(), {true, true});
}

TEST(RelabelBatchLeaseCli, FourConcurrentBatchRunsOnSqliteSubmitEachTraceOnce) {
  testing::TempStore ts;
  concurrent_runs_pay_once(ts.uri(), ts.dir().string(), {true, true, true, true});
}

TEST(RelabelBatchLeaseCli, BatchAndSyncRunsOnSqlitePayOncePerTrace) {
  testing::TempStore ts;
  concurrent_runs_pay_once(ts.uri(), ts.dir().string(), {true, false});
}

TEST(RelabelBatchLeaseCli, TwoConcurrentBatchRunsOnPostgresSubmitEachTraceOnce) {
  if (pt_test::pg_test_uri().empty()) PT_SKIP_UNLESS_CI(pt_test::kPgMissing);
  pt_test::PgTestSchema schema(pt_test::pg_test_uri());
  testing::TempStore ts;  // for the processes' output files
  concurrent_runs_pay_once(schema.uri(), ts.dir().string(), {true, true});
}

TEST(RelabelBatchLeaseCli, FourConcurrentBatchRunsOnPostgresSubmitEachTraceOnce) {
  if (pt_test::pg_test_uri().empty()) PT_SKIP_UNLESS_CI(pt_test::kPgMissing);
  pt_test::PgTestSchema schema(pt_test::pg_test_uri());
  testing::TempStore ts;
  concurrent_runs_pay_once(schema.uri(), ts.dir().string(), {true, true, true, true});
}

TEST(RelabelBatchLeaseCli, BatchAndSyncRunsOnPostgresPayOncePerTrace) {
  if (pt_test::pg_test_uri().empty()) PT_SKIP_UNLESS_CI(pt_test::kPgMissing);
  pt_test::PgTestSchema schema(pt_test::pg_test_uri());
  testing::TempStore ts;
  concurrent_runs_pay_once(schema.uri(), ts.dir().string(), {true, false});
}

// A batch run SIGKILLed after its batch was accepted (it was polling): the next batch run and a
// synchronous run started after it pay nothing more; the batch run collects the killed run's batch.
void killed_batch_run_is_collected(const std::string& uri, const std::string& dir) {
  const int n = 40;
  fill(uri, n);
  fake::FakeLlmConfig cfg;
  cfg.batch_polls_before_end = 1'000'000;  // runs until the killed run is gone
  fake::FakeLlm fake(cfg);
  Child killed = relabel_process(uri, fake.base_url(), dir, "killed", true);
  while (fake.calls_to("/v1/messages/batches/") < 1 && waitpid(killed.pid, nullptr, WNOHANG) == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_EQ(fake.batches_created(), 1u) << slurp(dir + "/killed.err");
  ::kill(killed.pid, SIGKILL);
  ASSERT_EQ(testing::wait_child(killed), 128 + SIGKILL);
  EXPECT_EQ(relabels_in(uri), 0);

  Child sync = relabel_process(uri, fake.base_url(), dir, "sync", false);  // its leases are the batch's
  ASSERT_EQ(testing::wait_child(sync), 0) << slurp(dir + "/sync.err");
  std::string out = slurp(dir + "/sync.out");
  EXPECT_NE(out.find(std::to_string(n) + " claimed by another run of this teacher"), std::string::npos) << out;
  EXPECT_EQ(fake.answered(), 0u) << "a synchronous run does not pay for traces in a batch";

  fake.set_batch_polls_before_end(2);
  Child next = relabel_process(uri, fake.base_url(), dir, "next", true);
  ASSERT_EQ(testing::wait_child(next), 0) << slurp(dir + "/next.err") << slurp(dir + "/next.out");
  out = slurp(dir + "/next.out");
  EXPECT_NE(out.find(std::to_string(n) + " stored, 0 failed"), std::string::npos) << out << slurp(dir + "/next.err");
  EXPECT_EQ(fake.batches_created(), 1u) << "collected, not resubmitted";
  expect_paid_once(fake, n);
  EXPECT_EQ(relabels_in(uri), n);
}

TEST(RelabelBatchLeaseCli, SigkilledBatchRunOnSqliteIsCollectedNotResubmitted) {
  testing::TempStore ts;
  killed_batch_run_is_collected(ts.uri(), ts.dir().string());
}

TEST(RelabelBatchLeaseCli, SigkilledBatchRunOnPostgresIsCollectedNotResubmitted) {
  if (pt_test::pg_test_uri().empty()) PT_SKIP_UNLESS_CI(pt_test::kPgMissing);
  pt_test::PgTestSchema schema(pt_test::pg_test_uri());
  testing::TempStore ts;
  killed_batch_run_is_collected(schema.uri(), ts.dir().string());
}

}  // namespace
}  // namespace pt
