// Relabel engine against the in-process fake LLM (tests/support/fakes): exactly-once storage under 30%
// faults, malformed answers, the budget stop, dry runs, --with-context, local:bm25 runs, the
// stop flag, and the relabel row shape of docs/formats.md#relabel-payload.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "pipeline/relabel/relabel.h"
#include "pipeline/relabel/relabel_fixtures.h"
#include "pipeline/relabel/relabel_select.h"
#include "providers/prices.h"
#include "report/relabel_summary.h"
#include "support/fakes/fake_llm.h"

namespace pt {
namespace {

using nlohmann::json;
using testing::TempStore;

constexpr const char* kTeacher = "anthropic:claude-opus-4-20250514";
constexpr const char* kKey = "sk-ant-test-KEY-7f3a9c";

std::unique_ptr<Model> teacher(const fake::FakeLlm& fake, const char* id = kTeacher, bool batch = false) {
  setenv("ANTHROPIC_API_KEY", kKey, 1);
  ModelOptions mo;
  mo.base_url = fake.base_url();
  mo.batch = batch;
  auto m = make_model(id, mo);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  return std::move(m).value();
}

RelabelOptions quick_options() {
  RelabelOptions o;
  o.backoff_base_ms = 2;
  o.backoff_max_ms = 20;
  o.timeout_ms = 2000;  // generous: an answer slower than this (a loaded CI machine) would be sent again
  return o;
}

fake::FakeLlmConfig faulty(double rate) {
  fake::FakeLlmConfig c;
  c.fail_rate = rate;
  c.timeout_ms = 2500;  // the timeout fault sleeps past the client's 2000 ms
  c.record_bodies = false;
  return c;
}

TEST(RelabelEngine, TwoThousandTracesThirtyPercentFaultsExactlyOnce) {
  TempStore ts;
  ts.add_traces(2000, /*both_kinds=*/true);
  fake::FakeLlm fake(faulty(0.3));
  auto model = teacher(fake);
  RelabelOptions o = quick_options();
  o.concurrency = 64;
  o.max_retries = 15;
  auto s = run_relabel(ts.store(), *model, o);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->selected, 2000);
  EXPECT_EQ(s->done, 2000);
  EXPECT_EQ(s->failed, 0);
  EXPECT_GT(s->retries, 300) << "the fake failed ~30% of calls";
  auto rows = ts.relabels(kTeacher);
  ASSERT_EQ(rows.size(), 2000u);
  auto ids = testing::relabel_trace_ids(rows);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 2000u) << "no trace stored twice";
  for (const auto& [trace, answers] : fake.answers_by_trace()) EXPECT_EQ(answers, 1) << trace << " answered twice";

  // A second run finds nothing to do and sends nothing.
  size_t calls = fake.call_count();
  auto again = run_relabel(ts.store(), *model, o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->skipped_done, 2000);
  EXPECT_EQ(again->done, 0);
  EXPECT_EQ(fake.call_count(), calls);
}

TEST(RelabelEngine, RowsCarryTheSpecPayload) {
  TempStore ts;
  ts.add_traces(3);
  fake::FakeLlm fake;
  auto model = teacher(fake);
  auto s = run_relabel(ts.store(), *model, quick_options());
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto rows = ts.relabels();
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& r : rows) {
    json p = json::parse(r.payload);
    auto trace = testing::picker_trace(std::stoi(p["trace_id"].get<std::string>().substr(3, 5)));
    EXPECT_EQ(r.id, relabel_row_id(kTeacher, trace.id, false));
    EXPECT_EQ(r.model, kTeacher);
    EXPECT_EQ(r.agent_step_id, trace.agent_step_id);
    EXPECT_EQ(r.user_id, trace.user_id);
    EXPECT_EQ(p["request_type"], "Key");
    EXPECT_FALSE(p["output"].get<std::string>().empty());
    EXPECT_TRUE(p["files"].is_array());
    EXPECT_FALSE(p["files"].empty());
    EXPECT_GT(p["usage"]["input_tokens"].get<int64_t>(), 0);
    EXPECT_TRUE(p["usage"].contains("cached_input_tokens"));
    EXPECT_GT(p["cost_usd"].get<double>(), 0);
    EXPECT_TRUE(p["latency_ms"].is_number_integer());
    EXPECT_EQ(p["with_context"], false);
    EXPECT_EQ(p["user_input_id"], json::parse(trace.payload)["user_input_id"]);
    EXPECT_EQ(p["client_session_id"], json::parse(trace.payload)["client_session_id"]);
  }
}

TEST(RelabelEngine, MalformedAnswersAreRetriedThenRecordedAsFailed) {
  TempStore ts;
  ts.add_traces(20);
  fake::FakeLlmConfig cfg = faulty(1.0);
  cfg.faults = {fake::Fault::invalid_json, fake::Fault::truncated};
  fake::FakeLlm fake(cfg);
  auto model = teacher(fake);
  RelabelOptions o = quick_options();
  o.max_retries = 2;
  auto s = run_relabel(ts.store(), *model, o);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->done, 0);
  EXPECT_EQ(s->failed, 20);
  EXPECT_EQ(s->calls, 60) << "first try + 2 retries each";
  ASSERT_EQ(s->failures.size(), 20u);
  for (const auto& f : s->failures) EXPECT_FALSE(f.reason.empty());
  EXPECT_TRUE(ts.relabels().empty());
  // The next run (fake healthy again) retries every failed trace.
  fake.set_fail_rate(0);
  auto again = run_relabel(ts.store(), *model, o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->done, 20);
}

TEST(RelabelEngine, BudgetStopsBeforeItIsExceeded) {
  TempStore ts;
  ts.add_traces(300);
  fake::FakeLlm fake;
  auto model = teacher(fake);
  RelabelOptions o = quick_options();
  o.concurrency = 32;
  o.budget_usd = 0.5;
  auto s = run_relabel(ts.store(), *model, o);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(s->stopped_by_budget);
  EXPECT_GT(s->done, 0);
  EXPECT_LT(s->done, 300);
  EXPECT_LE(s->cost_usd, 0.5);
  double stored = 0;
  for (const auto& r : ts.relabels()) stored += json::parse(r.payload)["cost_usd"].get<double>();
  EXPECT_LE(stored, 0.5);
  EXPECT_EQ(static_cast<size_t>(s->done), fake.answered()) << "every paid answer was stored";
  EXPECT_EQ(s->not_sent + s->done, 300);
}

TEST(RelabelEngine, DryRunSendsNothingAndPrices) {
  TempStore ts;
  ts.add_traces(50);
  fake::FakeLlm fake;
  auto model = teacher(fake);
  RelabelOptions o = quick_options();
  o.dry_run = true;
  auto s = run_relabel(ts.store(), *model, o);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(fake.call_count(), 0u);
  EXPECT_TRUE(ts.relabels().empty());
  EXPECT_EQ(s->to_do, 50);
  EXPECT_GT(s->estimated_input_tokens, 50 * 100);
  EXPECT_GT(s->estimated_cost_usd, 0);
  EXPECT_GT(s->estimated_worst_cost_usd, s->estimated_cost_usd);
}

TEST(RelabelEngine, WithContextAddsBlobsAndSkipsStepsWithout) {
  TempStore ts;
  ts.add_traces(10);
  std::vector<Row> blobs;
  for (int i = 0; i < 10; i += 2) blobs.push_back(testing::blob_trace(i));
  ASSERT_TRUE(ts.store().upsert(Table::traces, blobs).ok());
  fake::FakeLlm fake;
  auto model = teacher(fake);
  RelabelOptions o = quick_options();
  o.with_context = true;
  auto s = run_relabel(ts.store(), *model, o);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->done, 5);
  EXPECT_EQ(s->skipped_no_context, 5);
  for (const auto& call : fake.calls()) {
    EXPECT_NE(call.body.find("<partial-file-context>"), std::string::npos);
    EXPECT_NE(call.body.find("SESSION_TIMEOUT"), std::string::npos);
  }
  for (const auto& r : ts.relabels()) EXPECT_EQ(json::parse(r.payload)["with_context"], true);
  // Same teacher with context again: nothing to do. Without context: a separate identity.
  auto again = run_relabel(ts.store(), *model, o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->done, 0);
  EXPECT_EQ(again->skipped_done, 5);
  RelabelOptions plain = quick_options();
  auto p = run_relabel(ts.store(), *model, plain);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->done, 10);
  EXPECT_EQ(ts.relabels().size(), 15u);
}

TEST(RelabelEngine, StopFlagDrainsInFlightAndStoresIt) {
  TempStore ts;
  ts.add_traces(400);
  fake::FakeLlmConfig cfg;
  cfg.latency_ms = 30;
  cfg.record_bodies = false;
  fake::FakeLlm fake(cfg);
  auto model = teacher(fake);
  std::atomic<int> stop{0};
  RelabelOptions o = quick_options();
  o.concurrency = 16;
  o.stop_requests = &stop;
  std::thread stopper([&] {
    while (fake.answered() < 40) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    stop = 1;
  });
  auto s = run_relabel(ts.store(), *model, o);
  stopper.join();
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(s->stopped_by_signal);
  EXPECT_GE(s->done, 40);
  EXPECT_LT(s->done, 400);
  EXPECT_EQ(static_cast<size_t>(s->done), fake.answered()) << "every answer received was stored";
  EXPECT_EQ(ts.relabels().size(), static_cast<size_t>(s->done));
}

TEST(RelabelEngine, LocalBm25RelabelsTheStore) {
  TempStore ts;
  ts.add_traces(30, true);
  auto model = make_model("local:bm25", {});
  ASSERT_TRUE(model.ok());
  RelabelOptions o = quick_options();
  o.request_kind = pt::RequestKind::key;
  auto s = run_relabel(ts.store(), **model, o);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->done, 15);
  EXPECT_EQ(s->cost_usd, 0);
  for (const auto& r : ts.relabels("local:bm25")) {
    json p = json::parse(r.payload);
    EXPECT_EQ(p["request_type"], "Key");
    EXPECT_EQ(p["cost_usd"], 0);
    EXPECT_LE(p["files"].size(), 5u) << "the prompt's limit";
  }
}

TEST(RelabelEngine, SampleIsDeterministic) {
  TempStore ts;
  ts.add_traces(200);
  auto model = make_model("local:bm25", {});
  ASSERT_TRUE(model.ok());
  RelabelOptions o = quick_options();
  o.sample_fraction = 0.25;
  o.seed = 42;
  o.dry_run = true;
  auto a = run_relabel(ts.store(), **model, o);
  ASSERT_TRUE(a.ok());
  EXPECT_NEAR(static_cast<double>(a->selected), 50, 20);
  o.dry_run = false;
  auto b = run_relabel(ts.store(), **model, o);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->done, a->selected);
  for (const auto& r : ts.relabels())
    EXPECT_TRUE(is_sampled(json::parse(r.payload)["trace_id"].get<std::string>(), 0.25, 42));
}

}  // namespace
}  // namespace pt

namespace pt {
namespace {

TEST(RelabelBatch, CreatePollResultsStoredAtHalfPrice) {
  TempStore ts;
  ts.add_traces(40);
  fake::FakeLlmConfig cfg;
  cfg.batch_polls_before_end = 2;
  fake::FakeLlm fake(cfg);
  auto model = teacher(fake, kTeacher, /*batch=*/true);
  RelabelOptions o = quick_options();
  o.batch = true;
  o.batch_poll_ms = 10;
  o.model_options.base_url = fake.base_url();
  auto s = run_relabel(ts.store(), *model, o);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->done, 40);
  EXPECT_EQ(s->failed, 0);
  EXPECT_EQ(fake.calls_to("/v1/messages/batches"), 1u + 3u + 1u) << "create, 3 polls, results";
  auto price = price_for_model(kTeacher, ModelOptions{});
  ASSERT_TRUE(price.ok());
  double total = 0;
  for (const auto& r : ts.relabels()) {
    json p = json::parse(r.payload);
    Usage u{p["usage"]["input_tokens"], p["usage"]["output_tokens"], p["usage"]["cached_input_tokens"], 0};
    double standard = usage_cost_usd(*price, u, false);
    EXPECT_NEAR(p["cost_usd"].get<double>(), standard / 2, standard * 1e-9 + 1e-12) << r.payload;
    EXPECT_EQ(p["batch"], true);
    total += p["cost_usd"].get<double>();
  }
  EXPECT_NEAR(total, s->cost_usd, 1e-9);
  auto again = run_relabel(ts.store(), *model, o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->skipped_done, 40);
  EXPECT_EQ(fake.calls_to("/v1/messages/batches"), 5u) << "nothing left to batch";
}

// Canceled and expired batch requests were never processed: not stored, not priced, not failed;
// counted (summary and a note) and sent again by the next run, which then stores every trace once.
TEST(RelabelBatch, CanceledAndExpiredRequestsStayUnlabeledAndAreSentAgain) {
  TempStore ts;
  ts.add_traces(20);
  fake::FakeLlmConfig cfg;
  cfg.batch_polls_before_end = 0;
  cfg.batch_canceled = 3;
  cfg.batch_expired = 2;
  fake::FakeLlm fake(cfg);
  auto model = teacher(fake, kTeacher, /*batch=*/true);
  RelabelOptions o = quick_options();
  o.batch = true;
  o.batch_poll_ms = 10;
  o.model_options.base_url = fake.base_url();
  Diagnostics diagnostics;
  o.diagnostics = &diagnostics;
  auto s = run_relabel(ts.store(), *model, o);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->done, 15);
  EXPECT_EQ(s->failed, 0) << "canceled/expired are not failures";
  EXPECT_EQ(s->batch_canceled, 3);
  EXPECT_EQ(s->batch_expired, 2);
  EXPECT_EQ(s->not_sent, 5);
  EXPECT_EQ(ts.relabels().size(), 15u);
  double stored_cost = 0;
  for (const auto& r : ts.relabels()) stored_cost += json::parse(r.payload)["cost_usd"].get<double>();
  EXPECT_NEAR(s->cost_usd, stored_cost, 1e-12) << "only processed requests are paid";
  std::string summary = render_relabel_summary(*s, o);
  EXPECT_NE(summary.find("batch: 3 canceled, 2 expired before processing"), std::string::npos) << summary;
  std::string notes;
  for (const auto& d : diagnostics.all()) notes += d.message + "\n";
  EXPECT_NE(notes.find("3 request(s) canceled and 2 expired"), std::string::npos) << notes;

  fake.set_batch_outcomes(0, 0);  // the next batch processes everything
  auto again = run_relabel(ts.store(), *model, o);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->skipped_done, 15);
  EXPECT_EQ(again->done, 5) << "the canceled and expired traces were sent again";
  EXPECT_EQ(ts.relabels().size(), 20u);
  auto ids = testing::relabel_trace_ids(ts.relabels());
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 20u) << "each trace stored once";
}

TEST(RelabelBatch, InterruptedWhilePollingIsCollectedLaterByBatchId) {
  TempStore ts;
  ts.add_traces(12);
  fake::FakeLlmConfig cfg;
  cfg.batch_polls_before_end = 3;
  fake::FakeLlm fake(cfg);
  auto model = teacher(fake, kTeacher, true);
  std::atomic<int> stop{0};
  std::string out;
  Diagnostics notes([&out](const Diagnostic& d) { out += d.message + "\n"; });
  RelabelOptions o = quick_options();
  o.batch = true;
  o.batch_poll_ms = 10;
  o.model_options.base_url = fake.base_url();
  o.stop_requests = &stop;
  o.diagnostics = &notes;
  std::thread stopper([&] {
    while (fake.calls_to("/v1/messages/batches") < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    stop = 1;
  });
  auto s = run_relabel(ts.store(), *model, o);
  stopper.join();
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(s->stopped_by_signal);
  EXPECT_EQ(s->done, 0);
  auto at = out.find("--batch-id ");
  ASSERT_NE(at, std::string::npos) << out;
  std::string id = out.substr(at + 11, out.find_first_of(")\n", at) - at - 11);

  RelabelOptions later = quick_options();
  later.batch = true;
  later.batch_poll_ms = 10;
  later.batch_id = id;
  later.model_options.base_url = fake.base_url();
  auto r = run_relabel(ts.store(), *model, later);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->done, 12);
  EXPECT_EQ(fake.calls_to("/v1/messages/batches/"), fake.calls_to("/v1/messages/batches") - 1) << "one create only";
}

}  // namespace
}  // namespace pt
