// Tests of the SQLite Store: schema creation on open, upsert (insert / replace / unchanged),
// all-or-nothing batches, filters, newest-first ordering with ties, count, get,
// the model filter, refusing foreign files, and open_store()'s URI / --env resolution.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "store/sqlite/sqlite_fixture.h"
#include "store/store.h"

namespace {

using pt::Row;
using pt::RowFilter;
using pt::Table;

class SqliteStoreTest : public pt_test::SqliteFixture {
 protected:
  static Row trace(std::string id, int64_t t, std::string type = "get-relevant-files", std::string user = "u1",
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

  static std::vector<std::string> ids(pt::Store& s, Table t, const RowFilter& f) {
    std::vector<std::string> out;
    auto r = s.scan(t, f, [&](Row&& row) {
      out.push_back(row.id);
      return true;
    });
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return out;
  }
};

TEST_F(SqliteStoreTest, OpenCreatesSchemaInWalModeAndInitIsIdempotent) {
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->describe(), "sqlite:" + path_);
  EXPECT_EQ(*s->count(Table::traces, {}), 0);
  EXPECT_EQ(*s->count(Table::relabels, {}), 0);
  ASSERT_TRUE(s->init().ok());
  ASSERT_TRUE(s->init().ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type='index' AND name='relabels_step_model_kind'",
                         -1, &st, nullptr),
      SQLITE_OK);
  EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST_F(SqliteStoreTest, UpsertReportsInsertedUpdatedUnchangedAndReplaces) {
  auto s = open();
  std::vector<Row> rows = {trace("a", 100), trace("b", 200)};
  auto st = s->upsert(Table::traces, rows);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->inserted, 2);
  EXPECT_EQ(st->updated, 0);

  rows[1].payload = R"({"request_type":"Non-Obvious"})";
  rows.push_back(trace("c", 300));
  st = s->upsert(Table::traces, rows);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->inserted, 1);
  EXPECT_EQ(st->updated, 1);
  EXPECT_EQ(st->unchanged, 1);
  EXPECT_EQ(*s->count(Table::traces, {}), 3);

  auto got = s->get(Table::traces, "b");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->payload, R"({"request_type":"Non-Obvious"})");
  EXPECT_EQ((*got)->created_at_us, 200);
  EXPECT_EQ((*got)->type, "get-relevant-files");
  EXPECT_EQ((*got)->agent_step_id, "step-b");
  RowFilter nonobvious;
  nonobvious.request_kind = pt::RequestKind::non_obvious;
  EXPECT_EQ(ids(*s, Table::traces, nonobvious), std::vector<std::string>{"b"});
  auto missing = s->get(Table::traces, "zzz");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(SqliteStoreTest, UpsertIsAllOrNothing) {
  auto s = open();
  ASSERT_TRUE(s->upsert(Table::traces, std::vector<Row>{trace("keep", 1)}).ok());
  std::vector<Row> batch = {trace("x1", 10), trace("keep", 99), trace("x2", 20)};
  batch[2].payload = "[1,2]";  // not an object: the whole batch must be refused
  auto r = s->upsert(Table::traces, batch);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("row x2: payload is not a JSON object"), std::string::npos) << r.error().message;
  EXPECT_EQ(*s->count(Table::traces, {}), 1);
  EXPECT_EQ((*s->get(Table::traces, "keep"))->created_at_us, 1);

  std::vector<Row> empty_id = {trace("y", 5), trace("", 6)};
  ASSERT_FALSE(s->upsert(Table::traces, empty_id).ok());
  EXPECT_EQ(*s->count(Table::traces, {}), 1);
  // The store stays usable after a failed batch.
  ASSERT_TRUE(s->upsert(Table::traces, std::vector<Row>{trace("y", 5)}).ok());
  EXPECT_EQ(*s->count(Table::traces, {}), 2);
}

TEST_F(SqliteStoreTest, ScanFiltersAndOrdersNewestFirstWithIdTieBreak) {
  auto s = open();
  std::vector<Row> rows = {trace("a", 100, "get-relevant-files", "u1"), trace("b", 300, "file-trees", "u2"),
                           trace("c", 200, "get-relevant-files", "u2"), trace("d", 300, "get-relevant-files", "u1"),
                           trace("e", 50, "mystery-type", "u1")};
  ASSERT_TRUE(s->upsert(Table::traces, rows).ok());
  EXPECT_EQ(ids(*s, Table::traces, {}), (std::vector<std::string>{"d", "b", "c", "a", "e"}));
  RowFilter oldest;
  oldest.order = RowFilter::Order::oldest_first;
  EXPECT_EQ(ids(*s, Table::traces, oldest), (std::vector<std::string>{"e", "a", "c", "b", "d"}));

  RowFilter f;
  f.type = "get-relevant-files";
  EXPECT_EQ(ids(*s, Table::traces, f), (std::vector<std::string>{"d", "c", "a"}));
  f.user_id = "u2";
  EXPECT_EQ(ids(*s, Table::traces, f), (std::vector<std::string>{"c"}));
  EXPECT_EQ(*s->count(Table::traces, f), 1);

  RowFilter range;
  range.since_us = 100;
  range.until_us = 300;  // until is exclusive
  EXPECT_EQ(ids(*s, Table::traces, range), (std::vector<std::string>{"c", "a"}));
  range.limit = 1;
  EXPECT_EQ(ids(*s, Table::traces, range), (std::vector<std::string>{"c"}));
  EXPECT_EQ(*s->count(Table::traces, range), 1);

  RowFilter step;
  step.agent_step_id = "step-e";
  EXPECT_EQ(ids(*s, Table::traces, step), (std::vector<std::string>{"e"}));

  int seen = 0;
  ASSERT_TRUE(s->scan(Table::traces, {}, [&](Row&&) { return ++seen < 2; }).ok());
  EXPECT_EQ(seen, 2);
}

TEST_F(SqliteStoreTest, FilterThatDoesNotApplyToTheTableIsAUsageError) {
  auto s = open();
  RowFilter f;
  f.type = "x";
  auto r = s->count(Table::relabels, f);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, pt::ErrorKind::usage);
  RowFilter m;
  m.model = "x";
  EXPECT_FALSE(s->count(Table::traces, m).ok());
}

TEST_F(SqliteStoreTest, ModelFilter) {
  auto s = open();
  auto relabel = [](std::string id, std::string model, std::string payload) {
    Row r;
    r.id = std::move(id);
    r.agent_step_id = "s-" + r.id;
    r.user_id = "u";
    r.created_at_us = 7;
    r.model = std::move(model);
    r.payload = std::move(payload);
    return r;
  };
  std::vector<Row> rows = {relabel("r1", "anthropic:opus", R"({"trace_id":"t1","output":"x","request_type":"Key"})"),
                           relabel("r2", "anthropic:opus", R"({"output":"prod relabel, no kind"})"),
                           relabel("r3", "truth", R"({"request_type":"Key","files":["a"]})")};
  ASSERT_TRUE(s->upsert(Table::relabels, rows).ok());
  // The relabel keys themselves are read by core/relabel_join (tests/core/relabel_join_test.cpp).
  RowFilter opus;
  opus.model = "anthropic:opus";
  EXPECT_EQ(ids(*s, Table::relabels, opus), (std::vector<std::string>{"r2", "r1"}));
  RowFilter nobody;
  nobody.model = "nobody";
  EXPECT_TRUE(ids(*s, Table::relabels, nobody).empty());
  RowFilter f;
  f.model = "truth";
  EXPECT_EQ(ids(*s, Table::relabels, f), std::vector<std::string>{"r3"});
  auto got = s->get(Table::relabels, "r1");
  EXPECT_EQ((*got)->model, "anthropic:opus");
  EXPECT_EQ((*got)->type, "");
}

TEST_F(SqliteStoreTest, DataSurvivesReopen) {
  {
    auto s = open();
    ASSERT_TRUE(s->upsert(Table::traces, std::vector<Row>{trace("a", 1)}).ok());
  }
  auto s = open();
  EXPECT_EQ(*s->count(Table::traces, {}), 1);
}

TEST_F(SqliteStoreTest, RefusesFilesThatAreNotPicktuneStores) {
  { std::ofstream(path_) << std::string(8192, 'x'); }
  auto r = pt::open_sqlite_store(path_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "sqlite:" + path_ + ": cannot open: file is not a database");

  std::string other = (dir_ / "other.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(other.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE customers(x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto r2 = pt::open_sqlite_store(other);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message.find("sqlite:" + other + ": not a picktune store"), std::string::npos)
      << r2.error().message;

  auto r3 = pt::open_sqlite_store((dir_ / "no-such-dir" / "x.db").string());
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.error().message.find("no-such-dir/x.db: cannot open"), std::string::npos) << r3.error().message;
}

TEST_F(SqliteStoreTest, OpenStoreResolvesUriEnvAndProd) {
  pt::StoreOptions o;
  o.uri = "sqlite:" + path_;
  auto dev = pt::open_store(o);
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ((*dev)->describe(), "sqlite:" + path_);
  o.env = "prod";
  auto prod = pt::open_store(o);
  ASSERT_TRUE(prod.ok());
  EXPECT_EQ((*prod)->describe(), "sqlite:" + (dir_ / "t-prod.db").string());
  o.env = "staging";
  auto bad = pt::open_store(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, pt::ErrorKind::usage);

  ::setenv("PICKTUNE_STORE", ("sqlite:" + (dir_ / "env.db").string()).c_str(), 1);
  auto env = pt::open_store(pt::StoreOptions{});
  ::unsetenv("PICKTUNE_STORE");
  ASSERT_TRUE(env.ok());
  EXPECT_EQ((*env)->describe(), "sqlite:" + (dir_ / "env.db").string());
}

}  // namespace

namespace {

// A big batch switches to the rollback journal while the store is open (fewer bytes written);
// closing puts the file back in WAL mode, and the rows are all there.
TEST_F(SqliteStoreTest, BulkBatchesKeepDataAndReturnToWal) {
  {
    auto s = open();
    std::vector<Row> rows;
    for (int i = 0; i < 6000; ++i) rows.push_back(trace("bulk" + std::to_string(i), i));
    auto st = s->upsert(Table::traces, rows);
    ASSERT_TRUE(st.ok()) << st.error().message;
    EXPECT_EQ(st->inserted, 6000);
    rows[0].payload = "not json";  // a failing bulk batch still writes nothing
    EXPECT_FALSE(s->upsert(Table::traces, rows).ok());
    EXPECT_EQ(*s->count(Table::traces, {}), 6000);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  sqlite3_close(db);
  EXPECT_EQ(*open()->count(Table::traces, {}), 6000);
}

}  // namespace
