// Tests of the SQLite store's compressed trace payloads (store/payload/payload_codec.h) and grouped
// upserts: a big batch trains one dictionary and stores smaller BLOBs that read back byte for
// byte; a schema-1 store (JSON text payloads) opens, reads and is upgraded; a damaged frame is
// an error naming the row; a rolled-back group leaves no rows and no dangling dictionary;
// scan_encoded hands frames over that its decoder turns, on other threads, into scan()'s rows.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <thread>

#include "store/payload/payload_codec.h"

#include "store/sqlite/sqlite_fixture.h"
#include "store/store.h"

namespace {

using pt::Row;
using pt::RowFilter;
using pt::Table;

// A trace with a realistic payload: a file tree of 60 paths drawn from 300, a request, an answer.
Row big_trace(int i, std::mt19937& rng) {
  std::string tree;
  for (int k = 0; k < 60; ++k) tree += "src/module_" + std::to_string(rng() % 300) + "/index.ts\\n";
  Row r;
  r.id = "t" + std::to_string(i);
  r.agent_step_id = "s" + std::to_string(i);
  r.user_id = "u" + std::to_string(i % 7);
  r.created_at_us = 1700000000000000 + i;
  r.type = "get-relevant-files";
  r.payload = R"({"request_type":"Key","system":[{"type":"text","text":"<project_file_tree>\n)" + tree +
              R"(</project_file_tree>"}],"messages":[{"role":"user","content":"fix bug )" + std::to_string(i) +
              R"( ünïcødé"}],"output":"src/a.ts\nsrc/b.ts"})";
  return r;
}

class SqliteCompressionTest : public pt_test::SqliteFixture {
 protected:
  std::vector<Row> rows(int n, int first = 0) {
    std::mt19937 rng(static_cast<unsigned>(first + 1));
    std::vector<Row> out;
    for (int i = first; i < first + n; ++i) out.push_back(big_trace(i, rng));
    return out;
  }

  // Runs one SQL query on the file directly and returns the first column of the first row.
  int64_t sql_int(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
  }
  void sql_exec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }

  void expect_all_read_back(pt::Store& store, const std::vector<Row>& expected) {
    for (const Row& want : expected) {
      auto got = store.get(Table::traces, want.id);
      ASSERT_TRUE(got.ok()) << got.error().message;
      ASSERT_TRUE(got->has_value()) << want.id;
      EXPECT_EQ((*got)->payload, want.payload) << want.id;
    }
  }
};

TEST_F(SqliteCompressionTest, BigBatchTrainsOneDictionaryAndPayloadsRoundTripSmaller) {
  auto store = open();
  std::vector<Row> batch = rows(1500);
  auto stats = store->upsert(Table::traces, batch);
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->inserted, 1500);
  std::vector<Row> more = rows(300, 5000);  // a later, small batch reuses the dictionary
  ASSERT_TRUE(store->upsert(Table::traces, more).ok());
  store.reset();

  EXPECT_EQ(sql_int("SELECT count(*) FROM payload_dicts"), 1);
  EXPECT_EQ(sql_int("SELECT count(*) FROM traces WHERE typeof(payload) <> 'blob'"), 0);
  int64_t text_bytes = 0;
  for (const Row& r : batch) text_bytes += static_cast<int64_t>(r.payload.size());
  int64_t stored = sql_int("SELECT sum(length(payload)) FROM traces WHERE id IN (SELECT id FROM traces LIMIT 1500)");
  EXPECT_LT(stored * 3, text_bytes) << "compressed payloads should be at least 3x smaller";

  store = open();
  expect_all_read_back(*store, batch);
  expect_all_read_back(*store, more);
  // Re-upserting identical rows writes nothing: frames are deterministic.
  auto again = store->upsert(Table::traces, batch);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->unchanged, 1500);
}

TEST_F(SqliteCompressionTest, SmallPayloadsStayTextAndSmallStoresCompressWithoutDictionary) {
  auto store = open();
  Row small;
  small.id = "s1";
  small.agent_step_id = "a";
  small.user_id = "u";
  small.created_at_us = 1;
  small.type = "grade-run";
  small.payload = R"({"score":1})";
  std::vector<Row> batch = rows(10);
  batch.push_back(small);
  ASSERT_TRUE(store->upsert(Table::traces, batch).ok());
  store.reset();
  EXPECT_EQ(sql_int("SELECT count(*) FROM payload_dicts"), 0);
  EXPECT_EQ(sql_int("SELECT count(*) FROM traces WHERE typeof(payload) = 'blob'"), 10);
  EXPECT_EQ(sql_int("SELECT count(*) FROM traces WHERE id = 's1' AND typeof(payload) = 'text'"), 1);
  store = open();
  expect_all_read_back(*store, batch);
}

TEST_F(SqliteCompressionTest, SchemaOneStoreOpensReadsAndUpgrades) {
  sql_exec(R"sql(
    CREATE TABLE traces (id TEXT PRIMARY KEY NOT NULL, agent_step_id TEXT NOT NULL, user_id TEXT NOT NULL,
      created_at INTEGER NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL, request_type TEXT NOT NULL DEFAULT '');
    CREATE TABLE relabels (id TEXT PRIMARY KEY NOT NULL, agent_step_id TEXT NOT NULL, user_id TEXT NOT NULL,
      created_at INTEGER NOT NULL, model TEXT NOT NULL, payload TEXT NOT NULL, request_type TEXT NOT NULL DEFAULT '',
      trace_id TEXT NOT NULL DEFAULT '');
    INSERT INTO traces VALUES('old', 's', 'u', 5, 'get-relevant-files', '{"request_type":"Key","output":"x.ts"}', 'Key');
    PRAGMA application_id = 1347704142;
    PRAGMA user_version = 1;)sql");
  auto store = open();
  auto old = store->get(Table::traces, "old");
  ASSERT_TRUE(old.ok() && old->has_value());
  EXPECT_EQ((*old)->payload, R"({"request_type":"Key","output":"x.ts"})");
  std::vector<Row> batch = rows(1200);
  ASSERT_TRUE(store->upsert(Table::traces, batch).ok());
  expect_all_read_back(*store, batch);
  auto n = store->count(Table::traces, RowFilter{});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1201);
  store.reset();
  EXPECT_EQ(sql_int("PRAGMA user_version"), 3);  // 2: payload_dicts; 3: eval_runs (issue 17)
  EXPECT_EQ(sql_int("SELECT count(*) FROM payload_dicts"), 1);
  EXPECT_EQ(sql_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'eval_runs'"), 1);
}

std::vector<Row> scanned_rows(pt::Store& store) {
  std::vector<Row> out;
  auto r = store.scan(Table::traces, RowFilter{}, [&](Row&& row) { return out.push_back(std::move(row)), true; });
  EXPECT_TRUE(r.ok()) << r.error().message;
  return out;
}

void expect_same_rows(const std::vector<Row>& a, const std::vector<Row>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].agent_step_id, b[i].agent_step_id);
    EXPECT_EQ(a[i].user_id, b[i].user_id);
    EXPECT_EQ(a[i].created_at_us, b[i].created_at_us);
    EXPECT_EQ(a[i].type, b[i].type);
    EXPECT_EQ(a[i].payload, b[i].payload) << a[i].id;
  }
}

TEST_F(SqliteCompressionTest, ScanEncodedGivesFramesThatDecodeOnOtherThreadsToTheScansRows) {
  auto store = open();
  ASSERT_TRUE(store->upsert(Table::traces, rows(1000)).ok());  // trains a dictionary
  Row plain = rows(1, 5000)[0];
  plain.payload = R"({"request_type":"Key","output":"x"})";
  ASSERT_TRUE(store->upsert(Table::traces, std::vector<Row>{plain}).ok());
  const std::vector<Row> want = scanned_rows(*store);
  ASSERT_EQ(want.size(), 1001u);

  std::shared_ptr<const pt::PayloadDecoder> decoder;
  std::vector<Row> got;
  auto r = store->scan_encoded(
      Table::traces, RowFilter{}, [&](Row&& row) { return got.push_back(std::move(row)), true; }, decoder);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(decoder);
  size_t frames = 0;
  for (const Row& row : got) frames += pt::PayloadCodec::is_frame(row.payload);
  EXPECT_GE(frames, 1000u);  // handed over encoded, not decoded on the reading thread
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 3; ++t)
    threads.emplace_back([&, t] {
      for (size_t i = t; i < got.size(); i += 3) {
        auto d = decoder->decode(Table::traces, got[i]);
        EXPECT_TRUE(d.ok()) << d.error().message;
      }
    });
  for (auto& th : threads) th.join();
  expect_same_rows(got, want);
}

TEST_F(SqliteCompressionTest, DamagedFrameIsAnErrorNamingTheRow) {
  auto store = open();
  ASSERT_TRUE(store->upsert(Table::traces, rows(20)).ok());
  store.reset();
  sql_exec(
      "UPDATE traces SET payload = CAST(substr(payload, 1, length(payload) - 9) || x'000102030405060708' AS BLOB) "
      "WHERE id = 't7'");
  store = open();
  auto got = store->get(Table::traces, "t7");
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().message.find("row t7"), std::string::npos) << got.error().message;
  EXPECT_NE(got.error().message.find("damaged"), std::string::npos) << got.error().message;
  int seen = 0;
  auto scanned = store->scan(Table::traces, RowFilter{}, [&](Row&&) { return ++seen, true; });
  ASSERT_FALSE(scanned.ok());
  EXPECT_NE(scanned.error().message.find("t7"), std::string::npos);
  // Handed over encoded, the damage is found where the frame is decoded, naming the row too.
  std::shared_ptr<const pt::PayloadDecoder> decoder;
  std::string message;
  auto encoded = store->scan_encoded(
      Table::traces, RowFilter{},
      [&](Row&& row) {
        auto d = decoder->decode(Table::traces, row);
        if (!d.ok()) message = d.error().message;
        return true;
      },
      decoder);
  ASSERT_TRUE(encoded.ok());
  EXPECT_NE(message.find("row t7"), std::string::npos) << message;
  EXPECT_NE(message.find("damaged"), std::string::npos) << message;
  auto fine = store->get(Table::traces, "t8");
  ASSERT_TRUE(fine.ok() && fine->has_value());
}

TEST_F(SqliteCompressionTest, RolledBackGroupLeavesNoRowsAndNoDanglingDictionary) {
  auto store = open();
  ASSERT_TRUE(store->groups_upserts());
  ASSERT_TRUE(store->begin_group().ok());
  ASSERT_TRUE(store->upsert(Table::traces, rows(1500)).ok());  // trains a dictionary inside the group
  ASSERT_TRUE(store->upsert(Table::traces, rows(100, 2000)).ok());
  store->rollback_group();
  auto n = store->count(Table::traces, RowFilter{});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  // Rows written after the rollback must not use the forgotten dictionary.
  std::vector<Row> later = rows(50, 9000);
  ASSERT_TRUE(store->upsert(Table::traces, later).ok());
  store.reset();
  EXPECT_EQ(sql_int("SELECT count(*) FROM payload_dicts"), 0);
  store = open();
  expect_all_read_back(*store, later);

  ASSERT_TRUE(store->begin_group().ok());
  std::vector<Row> kept = rows(1500, 20000);
  ASSERT_TRUE(store->upsert(Table::traces, kept).ok());
  EXPECT_FALSE(store->begin_group().ok());  // one group at a time
  ASSERT_TRUE(store->commit_group().ok());
  store.reset();
  store = open();
  expect_all_read_back(*store, kept);
  EXPECT_EQ(sql_int("SELECT count(*) FROM payload_dicts"), 1);
}

}  // namespace

TEST_F(SqliteCompressionTest, AScanThatLendsItsSpentRowsBackReadsEveryRowExactly) {
  // The store reads each row into the object the visitor last swapped in: long payloads, then
  // shorter ones, compressed frames and short JSON text, every column must be the row's own.
  auto store = open();
  std::vector<Row> want = rows(1200);
  for (int i = 0; i < 200; ++i) {
    Row r = want[static_cast<size_t>(i * 5)];
    r.id = "short" + std::to_string(i);
    r.agent_step_id = "";
    r.user_id = "u";
    r.created_at_us = 1800000000000000 + i;
    r.payload = R"({"request_type":"Key","messages":[]})";
    want.push_back(r);
  }
  ASSERT_TRUE(store->upsert(Table::traces, want).ok());
  RowFilter f;
  f.order = RowFilter::Order::oldest_first;
  std::vector<Row> got;
  Row spent;
  ASSERT_TRUE(store
                  ->scan(Table::traces, f,
                         [&](Row&& row) {
                           got.push_back(row);  // a copy of what the store handed over
                           std::swap(spent, row);
                           return true;
                         })
                  .ok());
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].id, want[i].id);
    EXPECT_EQ(got[i].agent_step_id, want[i].agent_step_id) << want[i].id;
    EXPECT_EQ(got[i].user_id, want[i].user_id) << want[i].id;
    EXPECT_EQ(got[i].created_at_us, want[i].created_at_us) << want[i].id;
    EXPECT_EQ(got[i].type, want[i].type) << want[i].id;
    EXPECT_EQ(got[i].model, "") << want[i].id;
    ASSERT_EQ(got[i].payload, want[i].payload) << want[i].id;
  }
}
