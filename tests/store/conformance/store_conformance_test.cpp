// The store conformance suite: every backend registered in this folder (backend.h) must behave
// the same on these tests. "Round-trips" means: every column comes back exactly as given —
// ids and strings byte for byte, created_at to the microsecond, and payload as the same JSON
// text (same bytes: key order, spacing, number spelling, escapes), not merely equivalent JSON.
// Also: upsert counts (inserted/updated/unchanged, as row-by-row upserts would report them),
// all-or-nothing batches, filters, ordering (created_at, then id bytewise), limits, counts,
// the model filter, store calls made from inside a scan, re-opening, and no secret in describe().
#include <gtest/gtest.h>

#include <algorithm>

#include "store/conformance/backend.h"

namespace {

using pt::Row;
using pt::RowFilter;
using pt::Table;
using pt_test::backends;

Row trace(std::string id, int64_t t, std::string type = "get-relevant-files", std::string user = "u1",
          std::string kind = "Key") {
  Row r;
  r.id = std::move(id);
  r.agent_step_id = "step-" + r.id;
  r.user_id = std::move(user);
  r.created_at_us = t;
  r.type = std::move(type);
  r.payload = R"({"request_type":")" + kind + R"(","output":"a.ts\nb.ts"})";
  return r;
}

Row relabel(std::string id, std::string model, std::string payload, int64_t t = 7) {
  Row r;
  r.id = std::move(id);
  r.agent_step_id = "s-" + r.id;
  r.user_id = "u";
  r.created_at_us = t;
  r.model = std::move(model);
  r.payload = std::move(payload);
  return r;
}

void expect_same_row(const Row& got, const Row& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.agent_step_id, want.agent_step_id);
  EXPECT_EQ(got.user_id, want.user_id);
  EXPECT_EQ(got.created_at_us, want.created_at_us) << want.id;
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.model, want.model);
  EXPECT_EQ(got.payload, want.payload);
}

class StoreConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    for (const auto& b : backends())
      if (b.name == GetParam()) setup_ = b.setup();
    if (!setup_.fixture) {
      if (setup_.required)
        FAIL() << GetParam() << " store unavailable, and it may not be skipped here (CI): " << setup_.unavailable;
      GTEST_SKIP() << GetParam() << " store unavailable: " << setup_.unavailable;
    }
    store_ = open();
    ASSERT_TRUE(store_);
  }

  std::unique_ptr<pt::Store> open() {
    auto r = setup_.fixture->open();
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? std::move(r).value() : nullptr;
  }

  pt::UpsertStats upsert(Table t, std::vector<Row> rows) {
    auto r = store_->upsert(t, rows);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : pt::UpsertStats{-1, -1, -1};
  }

  std::vector<std::string> ids(Table t, const RowFilter& f = {}) {
    std::vector<std::string> out;
    auto r = store_->scan(t, f, [&](Row&& row) {
      out.push_back(row.id);
      return true;
    });
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return out;
  }

  int64_t count(Table t, const RowFilter& f = {}) {
    auto r = store_->count(t, f);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : -1;
  }

  Row get(Table t, const std::string& id) {
    auto r = store_->get(t, id);
    EXPECT_TRUE(r.ok() && r->has_value()) << id << (r.ok() ? " missing" : r.error().message);
    return r.ok() && r->has_value() ? **r : Row{};
  }

  pt_test::BackendSetup setup_;
  std::unique_ptr<pt::Store> store_;
};

#define EXPECT_STATS(stats_expr, ins, upd, same) \
  do {                                           \
    const pt::UpsertStats st_ = (stats_expr);    \
    EXPECT_EQ(st_.inserted, ins);                \
    EXPECT_EQ(st_.updated, upd);                 \
    EXPECT_EQ(st_.unchanged, same);              \
  } while (0)

TEST_P(StoreConformance, FreshStoreIsEmptyInitIsIdempotentAndDescribeHidesSecrets) {
  EXPECT_EQ(count(Table::traces), 0);
  EXPECT_EQ(count(Table::relabels), 0);
  ASSERT_TRUE(store_->init().ok());
  ASSERT_TRUE(store_->init().ok());
  EXPECT_EQ(count(Table::traces), 0);
  EXPECT_FALSE(store_->describe().empty());
  if (!setup_.fixture->secret().empty()) {
    EXPECT_EQ(store_->describe().find(setup_.fixture->secret()), std::string::npos);
  }
}

TEST_P(StoreConformance, EveryColumnRoundTripsExactly) {
  Row t = trace("tr-1", 1700000000123456);
  t.agent_step_id = "step/ä-1";
  t.user_id = "user \"q\" \t tab";
  // JSON that a JSON database would re-serialize: spacing, key order, a duplicate key, number
  // spellings, escapes, non-ASCII text, nesting, an empty object and array.
  t.payload =
      "{ \"z\" : 1.50,\"a\":[1E3, -0.0, 12345678901234567890123, 1e-7],\"request_type\":\"Key\",  "
      "\"s\":\"\\u00e9 é \\n \\\" \\\\ \\/ \\ud83d\\ude00 😀\",\"n\":null,\"o\":{},\"e\":[],\"a\":true }";
  Row r = relabel("rl-1", "anthropic:claude-opus-4-20250514",
                  R"({"trace_id":"tr-1","files":["a"],"with_context":false})", -1);
  EXPECT_STATS(upsert(Table::traces, {t}), 1, 0, 0);
  EXPECT_STATS(upsert(Table::relabels, {r}), 1, 0, 0);
  expect_same_row(get(Table::traces, "tr-1"), t);
  expect_same_row(get(Table::relabels, "rl-1"), r);
  std::vector<Row> scanned;
  ASSERT_TRUE(store_
                  ->scan(Table::traces, {},
                         [&](Row&& row) {
                           scanned.push_back(std::move(row));
                           return true;
                         })
                  .ok());
  ASSERT_EQ(scanned.size(), 1u);
  expect_same_row(scanned[0], t);
  auto missing = store_->get(Table::traces, "nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(StoreConformance, TimestampsKeepMicrosecondsAcrossEras) {
  const std::vector<int64_t> times = {0,
                                      1,
                                      -1,
                                      999999,
                                      -62135596800000000 /* 0001-01-01 */,
                                      1748779200000001,
                                      253402300799999999 /* 9999-12-31T23:59:59.999999Z */};
  std::vector<Row> rows;
  for (size_t i = 0; i < times.size(); ++i) rows.push_back(trace("t" + std::to_string(i), times[i]));
  EXPECT_STATS(upsert(Table::traces, rows), static_cast<int64_t>(times.size()), 0, 0);
  for (const Row& r : rows) EXPECT_EQ(get(Table::traces, r.id).created_at_us, r.created_at_us) << r.id;
  RowFilter f;
  f.since_us = 1;
  f.until_us = 1748779200000001;  // exclusive, to the microsecond
  f.order = RowFilter::Order::oldest_first;
  EXPECT_EQ(ids(Table::traces, f), (std::vector<std::string>{"t1", "t3"}));
  f.since_us = -1;
  f.until_us = 1;
  EXPECT_EQ(ids(Table::traces, f), (std::vector<std::string>{"t2", "t0"}));
}

TEST_P(StoreConformance, UpsertCountsInsertedUpdatedUnchangedAndReplacesRows) {
  std::vector<Row> rows = {trace("a", 100), trace("b", 200), trace("c", 300), trace("d", 400), trace("e", 500)};
  EXPECT_STATS(upsert(Table::traces, rows), 5, 0, 0);
  EXPECT_STATS(upsert(Table::traces, rows), 0, 0, 5);
  rows[1].payload = R"({"request_type":"Non-Obvious"})";
  rows[2].created_at_us = 301;
  rows[3].user_id = "someone-else";
  rows[4].payload = R"({"request_type":"Key", "output":"a.ts\nb.ts"})";  // same JSON, other text
  rows.push_back(trace("f", 600));
  EXPECT_STATS(upsert(Table::traces, rows), 1, 4, 1);
  EXPECT_EQ(count(Table::traces), 6);
  for (const Row& r : rows) expect_same_row(get(Table::traces, r.id), r);
  RowFilter nonobvious;
  nonobvious.request_kind = pt::RequestKind::non_obvious;
  EXPECT_EQ(ids(Table::traces, nonobvious), std::vector<std::string>{"b"});
}

TEST_P(StoreConformance, AnIdTwiceInOneBatchCountsAsRowByRowAndTheLastWins) {
  Row first = trace("dup", 100), second = trace("dup", 200);
  second.payload = R"({"request_type":"Non-Obvious"})";
  EXPECT_STATS(upsert(Table::traces, {first, trace("x", 1), second}), 2, 1, 0);
  expect_same_row(get(Table::traces, "dup"), second);
  EXPECT_STATS(upsert(Table::traces, {second, second, first}), 0, 1, 2);
  expect_same_row(get(Table::traces, "dup"), first);
  EXPECT_EQ(count(Table::traces), 2);
}

TEST_P(StoreConformance, AFailingBatchWritesNothingAndTheStoreStaysUsable) {
  upsert(Table::traces, {trace("keep", 1)});
  std::vector<Row> batch = {trace("x1", 10), trace("keep", 99), trace("x2", 20)};
  batch[2].payload = "[1,2]";
  auto r = store_->upsert(Table::traces, batch);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("x2"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("not a JSON object"), std::string::npos) << r.error().message;
  EXPECT_EQ(count(Table::traces), 1);
  EXPECT_EQ(get(Table::traces, "keep").created_at_us, 1);

  batch[2].payload = "{\"cut\":";
  EXPECT_FALSE(store_->upsert(Table::traces, batch).ok());
  EXPECT_FALSE(store_->upsert(Table::traces, std::vector<Row>{trace("y", 5), trace("", 6)}).ok());
  // A batch with a repeated id fails as a whole too.
  std::vector<Row> dup = {trace("z1", 1), trace("z1", 2), trace("z2", 3)};
  dup[2].payload = "not json";
  EXPECT_FALSE(store_->upsert(Table::traces, dup).ok());
  EXPECT_EQ(count(Table::traces), 1);
  EXPECT_STATS(upsert(Table::traces, {trace("y", 5)}), 1, 0, 0);
  EXPECT_EQ(count(Table::traces), 2);
}

TEST_P(StoreConformance, ScanFiltersAndOrdersNewestFirstWithBytewiseIdTieBreak) {
  upsert(Table::traces, {trace("a", 100, "get-relevant-files", "u1"), trace("b", 300, "file-trees", "u2"),
                         trace("c", 200, "get-relevant-files", "u2"), trace("d", 300, "get-relevant-files", "u1"),
                         trace("e", 50, "mystery-type", "u1", "Non-Obvious")});
  EXPECT_EQ(ids(Table::traces), (std::vector<std::string>{"d", "b", "c", "a", "e"}));
  RowFilter oldest;
  oldest.order = RowFilter::Order::oldest_first;
  EXPECT_EQ(ids(Table::traces, oldest), (std::vector<std::string>{"e", "a", "c", "b", "d"}));

  RowFilter f;
  f.type = "get-relevant-files";
  EXPECT_EQ(ids(Table::traces, f), (std::vector<std::string>{"d", "c", "a"}));
  f.user_id = "u2";
  EXPECT_EQ(ids(Table::traces, f), (std::vector<std::string>{"c"}));
  EXPECT_EQ(count(Table::traces, f), 1);
  RowFilter unknown;
  unknown.type = "mystery-type";  // unknown types are stored and found
  EXPECT_EQ(ids(Table::traces, unknown), (std::vector<std::string>{"e"}));
  RowFilter kind;
  kind.request_kind = pt::RequestKind::non_obvious;
  EXPECT_EQ(ids(Table::traces, kind), (std::vector<std::string>{"e"}));
  RowFilter step;
  step.agent_step_id = "step-c";
  EXPECT_EQ(ids(Table::traces, step), (std::vector<std::string>{"c"}));

  RowFilter range;
  range.since_us = 100;
  range.until_us = 300;
  EXPECT_EQ(ids(Table::traces, range), (std::vector<std::string>{"c", "a"}));
  range.limit = 1;
  EXPECT_EQ(ids(Table::traces, range), (std::vector<std::string>{"c"}));
  EXPECT_EQ(count(Table::traces, range), 1);
  RowFilter top2;
  top2.limit = 2;
  top2.order = RowFilter::Order::oldest_first;
  EXPECT_EQ(ids(Table::traces, top2), (std::vector<std::string>{"e", "a"}));

  // Same created_at: ids compare as bytes ("B" < "_x" < "a" < "é"), not by locale.
  upsert(Table::traces, {trace("a", 900), trace("é", 900), trace("B", 900), trace("_x", 900)});
  RowFilter newest4;
  newest4.limit = 4;
  EXPECT_EQ(ids(Table::traces, newest4), (std::vector<std::string>{"é", "a", "_x", "B"}));
}

// Keyset pagination (the /traces pages of `picktune serve`): walking pages of 3 with `after` set
// to the last row of the previous page yields every row exactly once, in order, in both
// directions, with filters and ties on created_at broken by id bytes.
TEST_P(StoreConformance, KeysetPagesWalkEveryRowOnceInOrder) {
  std::vector<Row> rows;
  for (int i = 0; i < 11; ++i)
    rows.push_back(trace("k" + std::to_string(i), 100 + i / 3, i % 2 ? "file-trees" : "get-relevant-files", "u1"));
  upsert(Table::traces, rows);
  for (auto order : {RowFilter::Order::newest_first, RowFilter::Order::oldest_first})
    for (bool filtered : {false, true}) {
      RowFilter all;
      all.order = order;
      if (filtered) all.type = "get-relevant-files";
      std::vector<std::string> want = ids(Table::traces, all), got;
      ASSERT_EQ(want.size(), filtered ? 6u : 11u);
      RowFilter page = all;
      page.limit = 3;
      for (int n = 0; n < 10; ++n) {
        std::vector<Row> seen;
        ASSERT_TRUE(store_
                        ->scan(Table::traces, page,
                               [&](Row&& r) {
                                 seen.push_back(std::move(r));
                                 return true;
                               })
                        .ok());
        for (const Row& r : seen) got.push_back(r.id);
        if (seen.size() < 3) break;
        page.after = RowFilter::Keyset{seen.back().created_at_us, seen.back().id};
      }
      EXPECT_EQ(got, want) << "filtered=" << filtered;
    }
  RowFilter past;
  past.after = RowFilter::Keyset{101, "k4"};  // newest first: (101, "k3") and older
  EXPECT_EQ(ids(Table::traces, past), (std::vector<std::string>{"k3", "k2", "k1", "k0"}));
  EXPECT_EQ(count(Table::traces, past), 4);
}

TEST_P(StoreConformance, ScanStopsEarlyAndStreamsManyRowsInOrder) {
  std::vector<Row> rows;
  for (int i = 0; i < 4500; ++i) rows.push_back(trace("r" + std::to_string(i), 1000 + i / 3));
  EXPECT_STATS(upsert(Table::traces, rows), 4500, 0, 0);
  int seen = 0;
  ASSERT_TRUE(store_->scan(Table::traces, {}, [&](Row&&) { return ++seen < 2; }).ok());
  EXPECT_EQ(seen, 2);
  RowFilter oldest;
  oldest.order = RowFilter::Order::oldest_first;
  std::vector<std::string> got = ids(Table::traces, oldest);
  ASSERT_EQ(got.size(), 4500u);
  std::vector<std::string> want;
  for (const Row& r : rows) want.push_back(r.id);
  std::sort(want.begin(), want.end(), [&](const std::string& a, const std::string& b) {
    int ta = std::stoi(a.substr(1)) / 3, tb = std::stoi(b.substr(1)) / 3;
    return ta != tb ? ta < tb : a < b;
  });
  EXPECT_EQ(got, want);
  EXPECT_EQ(count(Table::traces), 4500);
}

TEST_P(StoreConformance, StoreCallsFromInsideAScanWork) {
  upsert(Table::traces, {trace("a", 1), trace("b", 2), trace("c", 3)});
  int visited = 0;
  auto r = store_->scan(Table::traces, {}, [&](Row&& row) {
    ++visited;
    EXPECT_EQ(get(Table::traces, row.id).id, row.id);
    EXPECT_EQ(count(Table::traces), 3);
    upsert(Table::relabels, {relabel("rl-" + row.id, "m", R"({"trace_id":")" + row.id + "\"}")});
    RowFilter f;
    f.agent_step_id = "step-a";
    EXPECT_EQ(ids(Table::traces, f), std::vector<std::string>{"a"});
    return true;
  });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(visited, 3);
  EXPECT_EQ(count(Table::relabels), 3);
}

TEST_P(StoreConformance, AFilterForTheOtherTableIsAUsageError) {
  RowFilter f;
  f.type = "x";
  auto r = store_->count(Table::relabels, f);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, pt::ErrorKind::usage);
  RowFilter m;
  m.model = "x";
  auto s = store_->scan(Table::traces, m, [](Row&&) { return true; });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, pt::ErrorKind::usage);
}

TEST_P(StoreConformance, ModelFilterFindsEachModelsRelabels) {
  upsert(Table::relabels,
         {relabel("r1", "anthropic:opus", R"({"trace_id":"t1","output":"x","request_type":"Key"})"),
          relabel("r2", "anthropic:opus", R"({"output":"production relabel, no kind"})"),
          relabel("r3", "anthropic:opus", R"({"request_type":"Non-Obvious","with_context":true})"),
          relabel("r4", "anthropic:opus", R"({"request_type":7,"trace_id":null,"with_context":false})"),
          relabel("r5", "truth", R"({"request_type":"Key","files":["a"]})")});
  // The relabel keys are read from these rows by core/relabel_join (tests/core/relabel_join_test.cpp).
  RowFilter opus;
  opus.model = "anthropic:opus";
  opus.order = RowFilter::Order::oldest_first;
  EXPECT_EQ(ids(Table::relabels, opus), (std::vector<std::string>{"r1", "r2", "r3", "r4"}));
  RowFilter nobody;
  nobody.model = "nobody";
  EXPECT_TRUE(ids(Table::relabels, nobody).empty());

  RowFilter f;
  f.model = "truth";
  EXPECT_EQ(ids(Table::relabels, f), std::vector<std::string>{"r5"});
  RowFilter kind;
  kind.request_kind = pt::RequestKind::key;
  kind.order = RowFilter::Order::oldest_first;
  EXPECT_EQ(ids(Table::relabels, kind), (std::vector<std::string>{"r1", "r5"}));
  Row got = get(Table::relabels, "r1");
  EXPECT_EQ(got.model, "anthropic:opus");
  EXPECT_EQ(got.type, "");
  // The two tables are separate: a relabel id is not a trace.
  auto cross = store_->get(Table::traces, "r1");
  ASSERT_TRUE(cross.ok());
  EXPECT_FALSE(cross->has_value());
}

// Store::scan_relabels_joining: every relabel that may join a trace of the window comes back (one
// of a window trace's step, one naming a window trace), in the relabel filter's order, never another
// model's; a backend that narrows returns exactly those.
TEST_P(StoreConformance, RelabelsJoiningATraceWindowIncludeEveryOneThatMayJoin) {
  upsert(Table::traces, {trace("tA", 100), trace("tB", 200), trace("tC", 300)});
  auto at_step = [](Row r, std::string step) {
    r.agent_step_id = std::move(step);
    return r;
  };
  upsert(Table::relabels, {at_step(relabel("j1", "m", R"({"request_type":"Key","output":"x"})", 9), "step-tB"),
                           at_step(relabel("j2", "m", R"({"trace_id":"tC","output":"x"})", 8), "elsewhere"),
                           at_step(relabel("j3", "m", R"({"output":"x"})", 7), "step-tA"),
                           at_step(relabel("j4", "m", R"({"trace_id":"tA","output":"x"})", 6), "elsewhere"),
                           at_step(relabel("j5", "other", R"({"request_type":"Key","output":"x"})", 5), "step-tB")});
  RowFilter relabels;
  relabels.model = "m";
  relabels.order = RowFilter::Order::oldest_first;
  auto joining = [&](const RowFilter& window, bool& narrowed) {
    std::vector<std::string> out;
    auto r = store_->scan_relabels_joining(relabels, window, [&](Row&& row) {
      out.push_back(row.id);
      return true;
    });
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    narrowed = r.ok() && *r;
    return out;
  };
  RowFilter window;
  window.type = "get-relevant-files";
  window.since_us = 150;
  window.until_us = 350;
  window.order = RowFilter::Order::oldest_first;
  bool narrowed = false;
  std::vector<std::string> got = joining(window, narrowed);
  EXPECT_EQ(narrowed, GetParam() == "bigquery");  // the one backend that narrows in the store
  if (narrowed) {
    EXPECT_EQ(got, (std::vector<std::string>{"j2", "j1"}));
  } else {
    EXPECT_EQ(got, (std::vector<std::string>{"j4", "j3", "j2", "j1"}));
  }
  // The newest trace only (a limit, newest first): tC, named by j2.
  window.since_us.reset();
  window.until_us.reset();
  window.order = RowFilter::Order::newest_first;
  window.limit = 1;
  got = joining(window, narrowed);
  if (narrowed) {
    EXPECT_EQ(got, std::vector<std::string>{"j2"});
  } else {
    EXPECT_EQ(got, (std::vector<std::string>{"j4", "j3", "j2", "j1"}));
  }
}

TEST_P(StoreConformance, RowsSurviveReopeningAndLargePayloadsRoundTrip) {
  Row big = trace("big", 5);
  big.payload = R"({"request_type":"Key","system":")" + std::string(2 << 20, 'x') + R"("})";
  upsert(Table::traces, {big, trace("small", 6)});
  store_.reset();
  store_ = open();
  ASSERT_TRUE(store_);
  EXPECT_EQ(count(Table::traces), 2);
  expect_same_row(get(Table::traces, "big"), big);
}

TEST_P(StoreConformance, EvalRunsAreSavedListedOldestFirstAndFoundById) {
  auto empty = store_->list_eval_runs();
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_TRUE(empty->empty());
  auto none = store_->get_eval_run("ev-missing");
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_FALSE(none->has_value());

  // Bodies kept byte for byte (key order, spacing, escapes, non-ASCII); a quote in an id is data.
  const pt::EvalRunRow later{"ev-b", 2'000'000'000'123'456, R"({"z": 1,  "a":"é\n", "n": 0.1})"};
  const pt::EvalRunRow earlier{"ev-a'; DROP TABLE eval_runs; --", 1'000'000'000'000'001, R"({"models":["x"]})"};
  ASSERT_TRUE(store_->save_eval_run(later).ok());
  ASSERT_TRUE(store_->save_eval_run(earlier).ok());
  auto again = store_->save_eval_run({"ev-b", 5, "{}"});
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("ev-b"), std::string::npos) << again.error().message;
  EXPECT_FALSE(store_->save_eval_run({"", 5, "{}"}).ok());

  for (int pass = 0; pass < 2; ++pass) {  // and after re-opening the store
    auto runs = store_->list_eval_runs();
    ASSERT_TRUE(runs.ok()) << runs.error().message;
    ASSERT_EQ(runs->size(), 2u);
    EXPECT_EQ((*runs)[0].id, earlier.id);
    EXPECT_EQ((*runs)[0].created_at_us, earlier.created_at_us);
    EXPECT_EQ((*runs)[0].body, earlier.body);
    EXPECT_EQ((*runs)[1].id, later.id);
    EXPECT_EQ((*runs)[1].created_at_us, later.created_at_us);
    EXPECT_EQ((*runs)[1].body, later.body);
    auto got = store_->get_eval_run("ev-b");
    ASSERT_TRUE(got.ok() && got->has_value());
    EXPECT_EQ((*got)->body, later.body);
    EXPECT_EQ((*got)->created_at_us, later.created_at_us);
    store_ = open();
    ASSERT_TRUE(store_);
  }
  EXPECT_EQ(count(Table::traces), 0);  // runs are not rows
}

std::vector<std::string> backend_names() {
  std::vector<std::string> names;
  for (const auto& b : backends()) names.push_back(b.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Store, StoreConformance, ::testing::ValuesIn(backend_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
