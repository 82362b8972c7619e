// PostgreSQL-specific store tests (the shared behaviour is in tests/conformance): the URI and
// --env prod, faults (unreachable server, wrong password, missing or foreign tables, no right to
// create them) with one clear message naming the store and never the password, values the
// server refuses, the JSONB column, batched COPY + update imports, and server-side cursors.
#include <gtest/gtest.h>

#include <cstdlib>

#include "store/postgres/pg_test_db.h"
#include "store/postgres/postgres_uri.h"
#include "store/store.h"

namespace {

using pt::Row;
using pt::RowFilter;
using pt::Table;

Row trace(std::string id, int64_t t, std::string payload = R"({"request_type":"Key","output":"a.ts"})") {
  Row r;
  r.id = std::move(id);
  r.agent_step_id = "step-" + r.id;
  r.user_id = "u1";
  r.created_at_us = t;
  r.type = "get-relevant-files";
  r.payload = std::move(payload);
  return r;
}

pt::Result<std::unique_ptr<pt::Store>> open(const std::string& uri, const std::string& env = "dev") {
  pt::StoreOptions o;
  o.uri = uri;
  o.env = env;
  return pt::open_store(o);
}

// --- URI handling: no server needed -------------------------------------------------------

TEST(PostgresUri, DisplayDropsThePasswordAndLibpqGetsEverything) {
  auto t = pt::parse_pg_uri("postgres://alice:s3cr%40t@db.example:6543/traces?sslmode=require&password=other", false);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->display, "postgres://alice@db.example:6543/traces?sslmode=require");
  EXPECT_EQ(t->conninfo,
            "postgresql://alice:s3cr%40t@db.example:6543/"
            "traces?sslmode=require&password=other&connect_timeout=10&application_name=picktune");
  EXPECT_EQ(t->password, "other");  // the query parameter wins, as in libpq
  auto u = pt::parse_pg_uri("postgresql://bob:pa%3Ass@h/db", false);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->display, "postgresql://bob@h/db");
  EXPECT_EQ(u->password, "pa:ss");
  EXPECT_EQ(pt::scrub_password("x pa:ss y pa%3Ass z", *u), "x *** y *** z");
}

TEST(PostgresUri, ProdSelectsTheProdDatabaseAndNeedsADatabaseName) {
  auto t = pt::parse_pg_uri("postgres://alice@h:5432/picktune?connect_timeout=3", true);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->display, "postgres://alice@h:5432/picktune_prod?connect_timeout=3");
  EXPECT_EQ(t->conninfo, "postgresql://alice@h:5432/picktune_prod?connect_timeout=3&application_name=picktune");
  auto none = pt::parse_pg_uri("postgres://alice@h:5432", true);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().kind, pt::ErrorKind::usage);
  EXPECT_NE(none.error().message.find("--env prod needs a database name"), std::string::npos);
  EXPECT_TRUE(pt::parse_pg_uri("postgres://alice@h:5432", false).ok());
  EXPECT_FALSE(pt::parse_pg_uri("mysql://alice@h/db", false).ok());
}

TEST(PostgresFaults, UnreachableServerNamesTheStoreNotThePassword) {
  auto r = open("postgres://picktune:Unreachable-Secret-42@127.0.0.1:1/picktune");
  ASSERT_FALSE(r.ok());
  const std::string& m = r.error().message;
  EXPECT_EQ(m.rfind("postgres://picktune@127.0.0.1:1/picktune: cannot connect: ", 0), 0u) << m;
  EXPECT_NE(m.find("Connection refused"), std::string::npos) << m;
  EXPECT_EQ(m.find("Unreachable-Secret-42"), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
}

// --- against the test server ----------------------------------------------------------------

class PostgresStore : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = pt_test::pg_test_uri();
    if (base_.empty()) {
      if (pt_test::pg_required()) FAIL() << pt_test::kPgMissing;
      GTEST_SKIP() << pt_test::kPgMissing;
    }
    password_ = pt_test::pg_password(base_);
    ASSERT_FALSE(password_.empty()) << "the test URI should carry a password";
    schema_ = std::make_unique<pt_test::PgTestSchema>(base_, true);
  }

  std::unique_ptr<pt::Store> open_ok(const std::string& env = "dev") {
    auto r = open(schema_->uri(), env);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? std::move(r).value() : nullptr;
  }

  void expect_clean(const std::string& message) {
    EXPECT_EQ(message.find(password_), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }

  std::string base_, password_;
  std::unique_ptr<pt_test::PgTestSchema> schema_;
};

TEST_F(PostgresStore, WrongPasswordIsAClearMessageWithoutEitherPassword) {
  std::string uri = schema_->uri();
  const std::string wrong = "Wrong-Secret-" + std::to_string(::getpid());
  uri.replace(uri.find(password_), password_.size(), wrong);
  auto r = open(uri);
  ASSERT_FALSE(r.ok());
  const std::string& m = r.error().message;
  EXPECT_NE(m.find("cannot connect"), std::string::npos) << m;
  EXPECT_NE(m.find("password authentication failed for user \"picktune\""), std::string::npos) << m;
  EXPECT_EQ(m.find(wrong), std::string::npos) << m;
  expect_clean(m);

  // The same through PGPASSWORD (no password in the URI).
  std::string bare = schema_->uri();
  bare.erase(bare.find(":" + password_), password_.size() + 1);
  ::setenv("PGPASSWORD", wrong.c_str(), 1);
  auto e = open(bare);
  ::unsetenv("PGPASSWORD");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("password authentication failed"), std::string::npos) << e.error().message;
  EXPECT_EQ(e.error().message.find(wrong), std::string::npos) << e.error().message;
}

TEST_F(PostgresStore, DescribeHidesThePasswordAndProdUsesTheProdDatabase) {
  auto dev = open_ok();
  ASSERT_TRUE(dev);
  expect_clean(dev->describe());
  EXPECT_NE(dev->describe().find("/" + pt_test::pg_db(base_) + "?"), std::string::npos) << dev->describe();
  auto prod = open_ok("prod");
  ASSERT_TRUE(prod);
  EXPECT_NE(prod->describe().find("/" + pt_test::pg_db(base_) + "_prod?"), std::string::npos) << prod->describe();
  ASSERT_TRUE(prod->upsert(Table::traces, std::vector<Row>{trace("in-prod", 1)}).ok());
  EXPECT_EQ(*prod->count(Table::traces, {}), 1);
  EXPECT_EQ(*dev->count(Table::traces, {}), 0);
}

TEST_F(PostgresStore, ATableDroppedUnderTheStoreGivesAClearMessageAndInitRestoresIt) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  schema_->exec("DROP TABLE traces");
  auto r = s->count(Table::traces, {});
  ASSERT_FALSE(r.ok());
  const std::string& m = r.error().message;
  EXPECT_EQ(m.rfind(s->describe() + ": counting traces: relation \"traces\" does not exist (run `picktune init`", 0),
            0u)
      << m;
  expect_clean(m);
  auto w = s->upsert(Table::traces, std::vector<Row>{trace("a", 1)});
  ASSERT_FALSE(w.ok());
  expect_clean(w.error().message);
  ASSERT_TRUE(s->init().ok());
  EXPECT_EQ(*s->count(Table::traces, {}), 0);
}

TEST_F(PostgresStore, MissingTablesWithoutTheRightToCreateThemAskForInit) {
  schema_->exec("REVOKE CREATE ON SCHEMA " + schema_->name() + " FROM CURRENT_USER");
  auto r = open(schema_->uri());
  ASSERT_FALSE(r.ok());
  const std::string& m = r.error().message;
  EXPECT_NE(m.find("creating the tables: permission denied for schema " + schema_->name()), std::string::npos) << m;
  EXPECT_NE(m.find("ask the database owner to run `picktune init`"), std::string::npos) << m;
  expect_clean(m);
}

TEST_F(PostgresStore, AForeignTableNamedTracesIsRefused) {
  schema_->exec("CREATE TABLE traces (id int, note text)");
  auto r = open(schema_->uri());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("table traces is not a picktune table"), std::string::npos) << r.error().message;
  expect_clean(r.error().message);
}

TEST_F(PostgresStore, PayloadIsQueryableJsonbWhileTheTextComesBackAsGiven) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  Row t = trace("j", 5, R"({ "output" : "x",  "request_type":"Non-Obvious", "n": 1.50 })");
  ASSERT_TRUE(s->upsert(Table::traces, std::vector<Row>{t}).ok());
  EXPECT_EQ(schema_->query1("SELECT payload->>'request_type' FROM traces"), "Non-Obvious");
  EXPECT_EQ(schema_->query1("SELECT payload::text FROM traces"),
            R"({"n": 1.50, "output": "x", "request_type": "Non-Obvious"})");
  EXPECT_EQ((*s->get(Table::traces, "j"))->payload, t.payload);
  EXPECT_EQ(schema_->query1("SELECT created_at = '1970-01-01 00:00:00.000005+00' FROM traces"), "t");
  EXPECT_EQ(
      schema_->query1(
          "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = current_schema()"),
      "eval_runs_created_at,eval_runs_pkey,relabel_leases_pkey,"
      "relabels_created_at,relabels_model_keys,relabels_pkey,relabels_step_model_kind,relabels_user_id,"
      "traces_created_at,traces_pkey,traces_step_kind,traces_user_id");
}

TEST_F(PostgresStore, AValueTheServerRefusesNamesTheRowAndWritesNothing) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->upsert(Table::traces, std::vector<Row>{trace("keep", 1)}).ok());
  // Valid JSON, but JSONB cannot hold \u0000. The batch repeats an id, so it is written in two
  // chunks: the first chunk's rows must be rolled back too.
  std::vector<Row> batch = {trace("n1", 2), trace("keep", 3), trace("keep", 4),
                            trace("bad", 5, R"({"text":"a\u0000b"})")};
  auto r = s->upsert(Table::traces, batch);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(": row bad: PostgreSQL refuses it: unsupported Unicode escape sequence"),
            std::string::npos)
      << r.error().message;
  expect_clean(r.error().message);
  EXPECT_EQ(*s->count(Table::traces, {}), 1);
  EXPECT_EQ((*s->get(Table::traces, "keep"))->created_at_us, 1);

  Row nul = trace("nul", 1);
  nul.user_id = std::string("a\0b", 3);
  auto n = s->upsert(Table::traces, std::vector<Row>{nul});
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.error().message.find("row nul: a field holds a NUL character"), std::string::npos) << n.error().message;
}

TEST_F(PostgresStore, BatchedImportMixesNewAndStoredIdsInOneTransaction) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  std::vector<Row> rows;
  for (int i = 0; i < 12000; ++i)
    rows.push_back(trace("id-" + std::to_string(i), i, R"({"request_type":"Key","i":)" + std::to_string(i) + "}"));
  auto first = s->upsert(Table::traces, rows);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->inserted, 12000);
  for (int i = 0; i < 12000; i += 4) rows[i].payload = R"({"request_type":"Non-Obvious","changed":true})";
  for (int i = 0; i < 500; ++i) rows.push_back(trace("new-" + std::to_string(i), -i));
  auto second = s->upsert(Table::traces, rows);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->inserted, 500);
  EXPECT_EQ(second->updated, 3000);
  EXPECT_EQ(second->unchanged, 9000);
  RowFilter kind;
  kind.request_kind = pt::RequestKind::non_obvious;
  EXPECT_EQ(*s->count(Table::traces, kind), 3000);  // request_type follows the new payload
  EXPECT_EQ((*s->get(Table::traces, "id-4"))->payload, R"({"request_type":"Non-Obvious","changed":true})");
  EXPECT_EQ((*s->get(Table::traces, "new-7"))->created_at_us, -7);
}

TEST_F(PostgresStore, ScanReadsThroughAServerSideCursorInBatches) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  std::vector<Row> rows;
  for (int i = 0; i < 5000; ++i) rows.push_back(trace("c" + std::to_string(i), i));
  ASSERT_TRUE(s->upsert(Table::traces, rows).ok());
  int seen = 0;
  std::string activity;
  auto r = s->scan(Table::traces, {}, [&](Row&&) {
    // While the visitor runs, the scanning session sits in its transaction after a FETCH.
    if (seen++ == 0)
      activity = schema_->query1(
          "SELECT coalesce(string_agg(state || ': ' || query, ' | '), '') FROM pg_stat_activity "
          "WHERE application_name = 'picktune' AND query LIKE 'FETCH%'");
    return true;
  });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(seen, 5000);
  EXPECT_EQ(activity, "idle in transaction: FETCH FORWARD 2000 FROM pt_scan");
}

TEST_F(PostgresStore, TimesAreUtcWhateverTheSessionTimeZone) {
  std::string uri =
      pt_test::pg_with_param(base_, "options=-csearch_path%3D" + schema_->name() + "%20-cTimeZone%3DAsia/Kolkata");
  auto s = open(uri);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_TRUE(
      (*s)->upsert(Table::traces, std::vector<Row>{trace("tz", 1748736000000000)}).ok());  // 2025-06-01T00:00:00Z
  EXPECT_EQ((*(*s)->get(Table::traces, "tz"))->created_at_us, 1748736000000000);
  RowFilter f;
  f.since_us = 1748736000000000;
  f.until_us = 1748736000000001;
  EXPECT_EQ(*(*s)->count(Table::traces, f), 1);
  EXPECT_EQ(schema_->query1("SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM traces"),
            "2025-06-01 00:00");
}

}  // namespace
