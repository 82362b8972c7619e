// PostgreSQL backend of the Store interface (`postgres://USER@HOST:PORT/DB`, libpqxx): the same
// two tables as SQLite, payload as JSONB (for SQL over it) plus payload_text, the JSON exactly as
// received (JSONB re-serializes: key order, spacing, numbers), which is what the store returns.
// upsert() is one transaction: COPY for new ids, one UPDATE from arrays for stored ones;
// scan() reads through a server-side cursor in fixed-size batches, so memory stays flat.
// Opening creates the schema when missing (like sqlite:). Messages never hold the password.
#include "store/postgres/postgres_store.h"

#include <pqxx/pqxx>
#include <pqxx/tablewriter>

#include <algorithm>
#include <charconv>
#include <mutex>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "store/payload/payload_keys.h"
#include "store/postgres/postgres_leases.h"
#include "store/postgres/postgres_runs.h"
#include "store/postgres/postgres_text.h"
#include "store/postgres/postgres_uri.h"
#include "store/store.h"

namespace pt {
namespace {

constexpr long kFetchRows = 2000;                    // rows per FETCH from a scan cursor
constexpr size_t kCopyChunkBytes = 1 << 20;          // COPY data is sent in chunks of about this size
constexpr int64_t kSchemaLock = 0x7069636b74756eLL;  // advisory lock key ("picktun") for init()

constexpr const char* kPostgresSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS traces (
  id TEXT COLLATE "C" PRIMARY KEY,
  agent_step_id TEXT COLLATE "C" NOT NULL,
  user_id TEXT COLLATE "C" NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  type TEXT COLLATE "C" NOT NULL,
  payload_text TEXT NOT NULL,                          -- the payload exactly as received
  payload JSONB GENERATED ALWAYS AS (payload_text::jsonb) STORED,  -- the same, for SQL
  request_type TEXT COLLATE "C" NOT NULL DEFAULT ''    -- copy of payload.request_type
);
CREATE INDEX IF NOT EXISTS traces_created_at ON traces(created_at, id);
CREATE INDEX IF NOT EXISTS traces_user_id ON traces(user_id);
CREATE INDEX IF NOT EXISTS traces_step_kind ON traces(agent_step_id, request_type);
CREATE TABLE IF NOT EXISTS relabels (
  id TEXT COLLATE "C" PRIMARY KEY,
  agent_step_id TEXT COLLATE "C" NOT NULL,
  user_id TEXT COLLATE "C" NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  model TEXT COLLATE "C" NOT NULL,
  payload_text TEXT NOT NULL,
  payload JSONB GENERATED ALWAYS AS (payload_text::jsonb) STORED,
  request_type TEXT COLLATE "C" NOT NULL DEFAULT '',
  trace_id TEXT COLLATE "C" NOT NULL DEFAULT ''        -- copy of payload.trace_id
);
CREATE INDEX IF NOT EXISTS relabels_created_at ON relabels(created_at, id);
CREATE INDEX IF NOT EXISTS relabels_user_id ON relabels(user_id);
CREATE INDEX IF NOT EXISTS relabels_step_model_kind ON relabels(agent_step_id, model, request_type);
CREATE INDEX IF NOT EXISTS relabels_model_keys ON relabels(model, agent_step_id, request_type, trace_id);
)sql";

// created_at goes in as timestamptz text (pg_timestamp(): exact, whatever the session time
// zone) and comes out as µs since the epoch (extract() is exact numeric).
constexpr const char* kTsToMicros = "(extract(epoch FROM created_at) * 1000000)::bigint";

// Columns a COPY of new rows fills, in order (payload is generated from payload_text).
std::vector<std::string> copy_columns(Table t) {
  std::vector<std::string> c = {"id",           "agent_step_id", "user_id", "created_at", std::string(kind_column(t)),
                                "payload_text", "request_type"};
  if (t == Table::relabels) c.push_back("trace_id");
  return c;
}

// Rewrites the stored rows whose columns differ from the given ones ($1…$8: parallel arrays).
std::string update_sql(Table t) {
  return fmt::format(
      "UPDATE {0} t SET agent_step_id = s.agent_step_id, user_id = s.user_id, created_at = s.created_at, {1} = s.kind, "
      "payload_text = s.payload_text, request_type = s.request_type{2} "
      "FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], "
      "$8::text[]) "
      "AS s(id, agent_step_id, user_id, created_at, kind, payload_text, request_type, trace_id) "
      "WHERE t.id = s.id AND (t.agent_step_id, t.user_id, t.created_at, t.{1}, t.payload_text) IS DISTINCT FROM "
      "(s.agent_step_id, s.user_id, s.created_at, s.kind, s.payload_text)",
      table_name(t), kind_column(t), t == Table::relabels ? ", trace_id = s.trace_id" : "");
}

std::string select_columns(Table t) {
  return fmt::format("id, agent_step_id, user_id, {}, {}, payload_text", kTsToMicros, kind_column(t));
}

int64_t to_int64(const pqxx::field& f) {
  int64_t v = 0;
  std::from_chars(f.c_str(), f.c_str() + f.size(), v);
  return v;
}

void read_row(const pqxx::row& r, Table table, Row& row) {
  row.id.assign(r[0].c_str(), r[0].size());
  row.agent_step_id.assign(r[1].c_str(), r[1].size());
  row.user_id.assign(r[2].c_str(), r[2].size());
  row.created_at_us = to_int64(r[3]);
  (table == Table::traces ? row.type : row.model).assign(r[4].c_str(), r[4].size());
  row.payload.assign(r[5].c_str(), r[5].size());
}

// libpq's multi-line message ("ERROR:  …\nLINE 1: …\n   ^") as one line without the echo.
std::string server_message_line(std::string_view what) {
  std::string out;
  while (!what.empty()) {
    size_t nl = what.find('\n');
    std::string_view line = what.substr(0, nl);
    what = nl == std::string_view::npos ? std::string_view() : what.substr(nl + 1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    for (std::string_view prefix : {"ERROR:  ", "FATAL:  "})
      if (line.substr(0, prefix.size()) == prefix) line.remove_prefix(prefix.size());
    if (line.empty() || line.substr(0, 5) == "LINE " || line.front() == '^' || line.substr(0, 8) == "CONTEXT:")
      continue;
    out += (out.empty() ? "" : "; ") + std::string(line);
  }
  return out;
}

// The SQLSTATE of a server error ("" for others). libpqxx 6 leaves it empty on some of its
// typed exceptions, so those are mapped back from the type.
std::string sqlstate_of(const std::exception& e) {
  auto* s = dynamic_cast<const pqxx::sql_error*>(&e);
  if (!s) return "";
  if (!s->sqlstate().empty()) return s->sqlstate();
  if (dynamic_cast<const pqxx::insufficient_privilege*>(&e)) return "42501";
  if (dynamic_cast<const pqxx::undefined_table*>(&e)) return "42P01";
  if (dynamic_cast<const pqxx::undefined_column*>(&e)) return "42703";
  if (dynamic_cast<const pqxx::data_exception*>(&e)) return "22000";
  if (dynamic_cast<const pqxx::unique_violation*>(&e)) return "23505";
  return "";
}

// Server notices ("relation … already exists, skipping") would go to stderr: drop them.
class QuietNotices final : public pqxx::errorhandler {
 public:
  explicit QuietNotices(pqxx::connection_base& c) : pqxx::errorhandler(c) {}
  bool operator()(const char*) noexcept override { return false; }
};

struct Conn {
  explicit Conn(const std::string& conninfo) : db(conninfo), quiet(db) {}
  pqxx::connection db;
  QuietNotices quiet;
};

// What a query binds: its text parameters, numbered in order ($1, $2, …).
struct Query {
  std::string sql;
  std::vector<std::string> params;
  std::string bind(std::string value, std::string_view cast = "") {
    params.push_back(std::move(value));
    return fmt::format("${}{}", params.size(), cast);
  }
};

class PgStore final : public Store {
 public:
  explicit PgStore(PgTarget target) : target_(std::move(target)) {}

  std::string describe() const override { return target_.display; }

  // Connects, creates the schema when it is missing and checks existing tables are ours.
  Result<void> configure() {
    PT_ASSIGN_OR_RETURN(Lease l, lease());
    bool present[2] = {false, false}, bookkeeping = true;
    try {
      pqxx::nontransaction n(l.conn->db);
      pqxx::row r = n.exec1("SELECT to_regclass('traces') IS NOT NULL, to_regclass('relabels') IS NOT NULL");
      present[0] = r[0].as<bool>();
      present[1] = r[1].as<bool>();
      for (const char* table : postgres_runs::kTables)
        bookkeeping = bookkeeping && n.exec_params1("SELECT to_regclass($1) IS NOT NULL", table)[0].as<bool>();
      for (const char* table : postgres_leases::kTables)
        bookkeeping = bookkeeping && n.exec_params1("SELECT to_regclass($1) IS NOT NULL", table)[0].as<bool>();
      bookkeeping = bookkeeping && n.exec1(postgres_leases::kMigratedSql)[0].as<bool>();
    } catch (const std::exception& e) {
      return fail("cannot open", e);
    }
    for (Table t : {Table::traces, Table::relabels})
      if (present[t == Table::relabels]) PT_TRY(check_table(*l.conn, t));
    // A store made by an older picktune lacks the newer tables: adding them is the migration.
    return present[0] && present[1] && bookkeeping ? ok() : init_on(*l.conn, true);
  }

  Result<void> init() override {
    PT_ASSIGN_OR_RETURN(Lease l, lease());
    return init_on(*l.conn, false);
  }

  Result<UpsertStats> upsert(Table table, std::span<const Row> rows) override {
    UpsertStats stats;
    if (rows.empty()) return stats;
    std::vector<PayloadKeys> keys(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) PT_TRY(check_row(rows[i], keys[i]));
    PT_ASSIGN_OR_RETURN(Lease l, lease());
    std::span<const Row> chunk;
    try {
      pqxx::work w(l.conn->db);
      // Writers of this table queue here (readers do not): which ids exist cannot change
      // between the check and the COPY.
      w.exec(fmt::format("SET LOCAL work_mem = '256MB'; LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE", table_name(table)));
      // A batch naming one id twice is written in id-unique chunks, in order, so the counts
      // match row-by-row upserts (the second occurrence updates the first).
      std::unordered_set<std::string_view> ids;
      size_t begin = 0;
      for (size_t i = 0; i <= rows.size(); ++i) {
        if (i < rows.size() && ids.insert(rows[i].id).second) continue;
        chunk = rows.subspan(begin, i - begin);
        write_chunk(w, table, chunk, std::span<const PayloadKeys>(keys).subspan(begin, i - begin), stats);
        ids.clear();
        if (i < rows.size()) ids.insert(rows[i].id);
        begin = i;
      }
      w.commit();
      return stats;
    } catch (const std::exception& e) {
      if (sqlstate_of(e).substr(0, 2) == "22") return locate_bad_row(*l.conn, chunk, e);
      return fail(fmt::format("writing {}", table_name(table)), e);
    }
  }

  Result<void> scan(Table table, const RowFilter& filter, const std::function<bool(Row&&)>& visit) override {
    PT_ASSIGN_OR_RETURN(Query q, filtered(table, filter, false));
    Row row;
    return each_row(q, fmt::format("reading {}", table_name(table)), [&](const pqxx::row& r) {
      read_row(r, table, row);
      return visit(std::move(row));
    });
  }

  Result<int64_t> count(Table table, const RowFilter& filter) override {
    PT_ASSIGN_OR_RETURN(Query q, filtered(table, filter, true));
    PT_ASSIGN_OR_RETURN(Lease l, lease());
    try {
      pqxx::read_transaction w(l.conn->db);
      return to_int64(w.exec_params1(q.sql, pqxx::prepare::make_dynamic_params(q.params))[0]);
    } catch (const std::exception& e) {
      return fail(fmt::format("counting {}", table_name(table)), e);
    }
  }

  Result<Pruned> delete_before(int64_t before_us) override {
    PT_ASSIGN_OR_RETURN(Lease l, lease());
    try {
      pqxx::work w(l.conn->db);
      Pruned pruned;
      for (Table t : {Table::traces, Table::relabels}) {
        pqxx::result r = w.exec_params(fmt::format("DELETE FROM {} WHERE created_at < $1::timestamptz", table_name(t)),
                                       pg_timestamp(before_us));
        (t == Table::traces ? pruned.traces : pruned.relabels) = static_cast<int64_t>(r.affected_rows());
      }
      w.commit();
      return pruned;
    } catch (const std::exception& e) {
      return fail("deleting rows", e);
    }
  }

  Result<std::optional<int64_t>> bytes_on_disk() override {
    PT_ASSIGN_OR_RETURN(Lease l, lease());
    try {
      pqxx::read_transaction w(l.conn->db);
      pqxx::row r = w.exec1(
          "SELECT pg_total_relation_size(to_regclass('traces')) + pg_total_relation_size(to_regclass('relabels'))");
      return std::optional<int64_t>(r[0].as<int64_t>());
    } catch (const std::exception& e) {
      return fail("measuring the tables", e);
    }
  }

  Result<std::optional<Row>> get(Table table, const std::string& id) override {
    PT_ASSIGN_OR_RETURN(Lease l, lease());
    try {
      pqxx::read_transaction w(l.conn->db);
      pqxx::result r =
          w.exec_params(fmt::format("SELECT {} FROM {} WHERE id = $1", select_columns(table), table_name(table)), id);
      std::optional<Row> row;
      if (!r.empty()) read_row(r[0], table, row.emplace());
      return row;
    } catch (const std::exception& e) {
      return fail(fmt::format("reading {}", table_name(table)), e);
    }
  }

  Result<void> save_eval_run(const EvalRunRow& run) override {
    if (run.id.empty()) return runtime_error(fmt::format("{}: an evaluation run has an empty id", describe()));
    PT_ASSIGN_OR_RETURN(Lease l, lease());
    try {
      if (!postgres_runs::save_eval_run(l.conn->db, run))
        return runtime_error(fmt::format("{}: evaluation run {} is already stored", describe(), run.id));
      return ok();
    } catch (const std::exception& e) {
      return fail("saving an evaluation run", e);
    }
  }

  Result<std::vector<EvalRunRow>> list_eval_runs() override {
    PT_ASSIGN_OR_RETURN(Lease l, lease());
    try {
      return postgres_runs::list_eval_runs(l.conn->db);
    } catch (const std::exception& e) {
      return fail("reading evaluation runs", e);
    }
  }

  Result<std::optional<EvalRunRow>> get_eval_run(const std::string& id) override {
    PT_ASSIGN_OR_RETURN(Lease l, lease());
    try {
      return postgres_runs::get_eval_run(l.conn->db, id);
    } catch (const std::exception& e) {
      return fail("reading evaluation runs", e);
    }
  }

  bool locks_leases() const override { return true; }

  Result<std::vector<std::string>> claim_leases(std::span<const std::string> keys, const std::string& owner,
                                                int64_t now_us, int64_t expires_us) override {
    if (keys.empty()) return std::vector<std::string>();
    return retrying<std::vector<std::string>>("claiming relabel leases", [&](pqxx::connection& c) {
      return postgres_leases::claim(c, keys, owner, now_us, expires_us);
    });
  }

  Result<void> release_leases(std::span<const std::string> keys, const std::string& owner) override {
    if (keys.empty()) return ok();
    return retrying<void>("releasing relabel leases",
                          [&](pqxx::connection& c) { postgres_leases::release(c, keys, owner); });
  }

  Result<void> set_lease_batch(std::span<const std::string> keys, const std::string& owner,
                               const std::string& batch_id) override {
    if (keys.empty()) return ok();
    return retrying<void>("recording the batch of relabel leases",
                          [&](pqxx::connection& c) { postgres_leases::set_batch(c, keys, owner, batch_id); });
  }

  Result<std::vector<BatchLease>> adopt_batch_leases(std::span<const std::string> keys, const std::string& owner,
                                                     int64_t now_us, int64_t expires_us) override {
    if (keys.empty()) return std::vector<BatchLease>();
    return retrying<std::vector<BatchLease>>("adopting relabel leases", [&](pqxx::connection& c) {
      return postgres_leases::adopt_batches(c, keys, owner, now_us, expires_us);
    });
  }

  Result<std::vector<std::string>> lease_owners() override {
    PT_ASSIGN_OR_RETURN(Lease l, lease());
    try {
      return postgres_leases::owners(l.conn->db);
    } catch (const std::exception& e) {
      return fail("reading relabel leases", e);
    }
  }

  Result<void> drop_leases_of(const std::string& owner) override {
    return retrying<void>("dropping relabel leases",
                          [&](pqxx::connection& c) { postgres_leases::drop_owner(c, owner); });
  }

 private:
  // A pooled connection, given back when the lease ends. Each call leases its own, so a store
  // call made from inside a scan() visitor runs on a second connection.
  class Lease {
   public:
    Lease(PgStore* s, std::unique_ptr<Conn> c) : conn(std::move(c)), store_(s) {}
    Lease(Lease&& o) noexcept : conn(std::move(o.conn)), store_(o.store_) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (conn && conn->db.is_open()) store_->give_back(std::move(conn));
    }
    std::unique_ptr<Conn> conn;

   private:
    PgStore* store_;
  };

  Result<Lease> lease() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(c));
      }
    }
    try {
      return Lease(this, std::make_unique<Conn>(target_.conninfo));
    } catch (const std::exception& e) {
      return fail("cannot connect", e);
    }
  }

  void give_back(std::unique_ptr<Conn> c) {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(c));
  }

  // Runs `body` on a pooled connection; a deadlock or serialization failure (the transaction was
  // rolled back) is tried again, up to 3 times.
  template <typename T, typename F>
  Result<T> retrying(std::string_view doing, F&& body) {
    PT_ASSIGN_OR_RETURN(Lease l, lease());
    for (int attempt = 0;; ++attempt) {
      try {
        if constexpr (std::is_void_v<T>) {
          body(l.conn->db);
          return ok();
        } else {
          return body(l.conn->db);
        }
      } catch (const std::exception& e) {
        std::string state = sqlstate_of(e);
        if (attempt < 3 && (state == "40P01" || state == "40001")) continue;
        return fail(doing, e);
      }
    }
  }

  Error fail(std::string_view doing, const std::exception& e) const {
    std::string msg = server_message_line(e.what());
    if (sqlstate_of(e) == "42P01") msg += " (run `picktune init` to create the picktune tables)";
    return runtime_error(scrub_password(fmt::format("{}: {}: {}", describe(), doing, msg), target_));
  }

  // `opening`: called because the tables are missing (not by `picktune init`).
  Result<void> init_on(Conn& c, bool opening) {
    try {
      pqxx::work w(c.db);
      w.exec_params("SELECT pg_advisory_xact_lock($1)", kSchemaLock);
      w.exec(kPostgresSchemaSql);
      w.exec(postgres_runs::kSchemaSql);
      w.exec(postgres_leases::kSchemaSql);
      if (opening) prefer_lz4(w);
      w.commit();
    } catch (const std::exception& e) {
      Error err = fail("creating the tables", e);
      if (opening && sqlstate_of(e) == "42501")
        err.message +=
            " (the picktune tables are missing here and this user may not create them: ask the database owner to run "
            "`picktune init`)";
      return err;
    }
    return check_tables(c);
  }

  // New tables compress payloads with lz4 (cheaper per row than the default pglz) when the
  // server supports it; otherwise they keep the default.
  static void prefer_lz4(pqxx::work& w) {
    try {
      pqxx::subtransaction sub(w, "lz4");
      for (Table t : {Table::traces, Table::relabels})
        sub.exec(fmt::format("ALTER TABLE {} ALTER payload SET COMPRESSION lz4, ALTER payload_text SET COMPRESSION lz4",
                             table_name(t)));
      sub.commit();
    } catch (const pqxx::sql_error&) {
    }
  }

  // Existing tables named traces/relabels must have our columns.
  Result<void> check_tables(Conn& c) {
    for (Table t : {Table::traces, Table::relabels}) PT_TRY(check_table(c, t));
    return ok();
  }

  Result<void> check_table(Conn& c, Table t) {
    try {
      pqxx::nontransaction n(c.db);
      n.exec(fmt::format("SELECT {}, payload, request_type{} FROM {} LIMIT 0", select_columns(t),
                         t == Table::relabels ? ", trace_id" : "", table_name(t)));
    } catch (const std::exception& e) {
      if (sqlstate_of(e) != "42703") return fail("cannot open", e);
      return runtime_error(scrub_password(fmt::format("{}: table {} is not a picktune table ({})", describe(),
                                                      table_name(t), server_message_line(e.what())),
                                          target_));
    }
    return ok();
  }

  Result<void> check_row(const Row& row, PayloadKeys& keys) {
    if (row.id.empty()) return runtime_error(fmt::format("{}: a row has an empty id", describe()));
    if (!keys_reader_.read(row.payload, keys).ok())
      return runtime_error(fmt::format("{}: row {}: payload is not a JSON object", describe(), row.id));
    for (const std::string* s : {&row.id, &row.agent_step_id, &row.user_id, &row.type, &row.model, &row.payload})
      if (s->find('\0') != std::string::npos)
        return runtime_error(
            fmt::format("{}: row {}: a field holds a NUL character, which PostgreSQL text cannot store", describe(),
                        std::string_view(row.id.c_str())));
    return ok();
  }

  // Writes one id-unique chunk: COPY for ids not stored yet, one UPDATE for the stored rows
  // that differ (compared here, so re-importing unchanged rows writes nothing). While batches
  // bring only new ids (a fresh import), the chunk is first tried as one COPY without looking
  // anything up; a clash with a stored id undoes just that attempt (a savepoint).
  void write_chunk(pqxx::work& w, Table table, std::span<const Row> rows, std::span<const PayloadKeys> keys,
                   UpsertStats& stats) {
    bool& expect_new = expect_new_[table == Table::relabels];
    if (expect_new) {
      try {
        pqxx::subtransaction attempt(w, "pt_new_rows");
        copy_rows(attempt, table, rows, keys, {});
        attempt.commit();
        stats.inserted += static_cast<int64_t>(rows.size());
        return;
      } catch (const pqxx::sql_error& e) {
        if (sqlstate_of(e) != "23505") throw;
        expect_new = false;
      }
    }
    std::vector<Stored> state = compare_stored(w, table, rows);
    const auto n_new = std::count(state.begin(), state.end(), Stored::no);
    const auto n_changed = std::count(state.begin(), state.end(), Stored::differs);
    if (n_new > 0) copy_rows(w, table, rows, keys, state);
    stats.inserted += n_new;
    stats.unchanged += static_cast<int64_t>(rows.size()) - n_new - n_changed;
    expect_new = n_new == static_cast<int64_t>(rows.size());
    if (n_changed == 0) return;
    const bool traces = table == Table::traces;
    ArrayLiteral cols[8];
    for (size_t i = 0; i < rows.size(); ++i) {
      if (state[i] != Stored::differs) continue;
      const Row& r = rows[i];
      cols[0].add(r.id), cols[1].add(r.agent_step_id), cols[2].add(r.user_id),
          cols[3].add(pg_timestamp(r.created_at_us));
      cols[4].add(traces ? r.type : r.model), cols[5].add(r.payload), cols[6].add(keys[i].request_type),
          cols[7].add(keys[i].trace_id);
    }
    pqxx::result r = w.exec_params(update_sql(table), cols[0].take(), cols[1].take(), cols[2].take(), cols[3].take(),
                                   cols[4].take(), cols[5].take(), cols[6].take(), cols[7].take());
    const auto updated = static_cast<int64_t>(r.affected_rows());
    stats.updated += updated;
    stats.unchanged += n_changed - updated;
  }

  enum class Stored : char { no, same, differs };

  // For each row of an id-unique chunk: is its id stored, and with the same columns?
  std::vector<Stored> compare_stored(pqxx::work& w, Table table, std::span<const Row> rows) {
    std::unordered_map<std::string_view, size_t> at;
    ArrayLiteral ids;
    for (size_t i = 0; i < rows.size(); ++i) {
      at.emplace(rows[i].id, i);
      ids.add(rows[i].id);
    }
    std::vector<Stored> state(rows.size(), Stored::no);
    Row stored;
    for (const pqxx::row& r : w.exec_params(
             fmt::format("SELECT {} FROM {} WHERE id = ANY($1::text[])", select_columns(table), table_name(table)),
             ids.take())) {
      read_row(r, table, stored);
      auto it = at.find(stored.id);
      if (it == at.end()) continue;
      const Row& given = rows[it->second];
      const bool same = given.agent_step_id == stored.agent_step_id && given.user_id == stored.user_id &&
                        given.created_at_us == stored.created_at_us && given.type == stored.type &&
                        given.model == stored.model && given.payload == stored.payload;
      state[it->second] = same ? Stored::same : Stored::differs;
    }
    return state;
  }

  // COPYs `rows` into the table: all of them, or those whose `state` says they are not stored.
  void copy_rows(pqxx::transaction_base& t, Table table, std::span<const Row> rows, std::span<const PayloadKeys> keys,
                 const std::vector<Stored>& state) {
    const bool traces = table == Table::traces;
    CopyRows& out = copy_rows_;
    out.clear();
    auto writer = open_copy(t, table);
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      if (!state.empty() && state[i] != Stored::no) continue;
      out.field(r.id), out.field(r.agent_step_id), out.field(r.user_id), out.timestamp_field(r.created_at_us);
      out.field(traces ? r.type : r.model), out.field(r.payload), out.field(keys[i].request_type);
      if (!traces) out.field(keys[i].trace_id);
      out.end_row();
      if (out.size() >= kCopyChunkBytes) writer->write_raw_line(out.take_chunk()), out.clear();
    }
    if (out.size() > 0) writer->write_raw_line(out.take_chunk());
    writer->complete();
  }

  // A COPY into `table`'s columns (copy_columns()). pqxx::stream_to would escape every field
  // again through temporary strings (a third of an import's CPU), so rows are encoded by
  // CopyRows and sent with tablewriter's raw writes; only its constructor is deprecated.
  static std::unique_ptr<pqxx::tablewriter> open_copy(pqxx::transaction_base& w, Table table) {
    const std::vector<std::string> columns = copy_columns(table);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    return std::make_unique<pqxx::tablewriter>(w, std::string(table_name(table)), columns.begin(), columns.end());
#pragma GCC diagnostic pop
  }

  // After the server refused a value (JSON it cannot hold, a time out of range, bad UTF-8),
  // finds the first row of the chunk it refuses, to name it.
  Error locate_bad_row(Conn& c, std::span<const Row> rows, const std::exception& original) {
    for (const Row& r : rows) {
      try {
        pqxx::nontransaction n(c.db);
        n.exec_params("SELECT $1::text, $2::text, $3::text, $4::text, $5::jsonb, $6::timestamptz", r.id,
                      r.agent_step_id, r.user_id, r.type.empty() ? r.model : r.type, r.payload,
                      pg_timestamp(r.created_at_us));
      } catch (const std::exception& e) {
        return runtime_error(scrub_password(
            fmt::format("{}: row {}: PostgreSQL refuses it: {}", describe(), r.id, server_message_line(e.what())),
            target_));
      }
    }
    return fail("writing", original);
  }

  Result<Query> filtered(Table table, const RowFilter& f, bool counting) const {
    if (f.type && table != Table::traces) return usage_error("a type filter applies to traces only");
    if (f.model && table != Table::relabels) return usage_error("a model filter applies to relabels only");
    PT_ASSIGN_OR_RETURN(const std::optional<std::string_view> request_type, request_type_column_value(f));
    Query q;
    std::string where = " WHERE true";
    if (f.type) where += " AND type = " + q.bind(*f.type);
    if (f.model) where += " AND model = " + q.bind(*f.model);
    if (f.user_id) where += " AND user_id = " + q.bind(*f.user_id);
    if (f.agent_step_id) where += " AND agent_step_id = " + q.bind(*f.agent_step_id);
    if (request_type) where += " AND request_type = " + q.bind(std::string(*request_type));
    if (f.since_us) where += " AND created_at >= " + q.bind(pg_timestamp(*f.since_us), "::timestamptz");
    if (f.until_us) where += " AND created_at < " + q.bind(pg_timestamp(*f.until_us), "::timestamptz");
    if (f.after) {
      std::string at = q.bind(pg_timestamp(f.after->created_at_us), "::timestamptz");
      where += fmt::format(" AND (created_at, id) {} ({}, {})", f.order == RowFilter::Order::newest_first ? "<" : ">",
                           at, q.bind(f.after->id));
    }
    std::string order =
        f.order == RowFilter::Order::newest_first ? " ORDER BY created_at DESC, id DESC" : " ORDER BY created_at, id";
    std::string limit = f.limit ? " LIMIT " + q.bind(std::to_string(*f.limit), "::bigint") : "";
    q.sql = counting
                ? fmt::format("SELECT count(*) FROM (SELECT 1 FROM {}{}{}) x", table_name(table), where, limit)
                : fmt::format("SELECT {} FROM {}{}{}{}", select_columns(table), table_name(table), where, order, limit);
    return q;
  }

  // Runs `q` through a server-side cursor, kFetchRows rows per round trip; `fn` returns false
  // to stop.
  Result<void> each_row(const Query& q, std::string_view doing, const std::function<bool(const pqxx::row&)>& fn) {
    PT_ASSIGN_OR_RETURN(Lease l, lease());
    try {
      pqxx::read_transaction w(l.conn->db);
      w.exec_params("DECLARE pt_scan NO SCROLL CURSOR FOR " + q.sql, pqxx::prepare::make_dynamic_params(q.params));
      const std::string fetch = fmt::format("FETCH FORWARD {} FROM pt_scan", kFetchRows);
      for (;;) {
        pqxx::result batch = w.exec(fetch);
        for (const pqxx::row& r : batch)
          if (!fn(r)) return ok();
        if (batch.size() < static_cast<size_t>(kFetchRows)) break;
      }
      w.commit();
      return ok();
    } catch (const std::exception& e) {
      return fail(doing, e);
    }
  }

  PgTarget target_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Conn>> idle_;
  PayloadKeyReader keys_reader_;
  CopyRows copy_rows_;                 // reused COPY buffer
  bool expect_new_[2] = {true, true};  // traces, relabels: recent batches held only new ids
};

}  // namespace

Result<std::unique_ptr<Store>> open_postgres_store(const std::string& uri, bool prod) {
  PT_ASSIGN_OR_RETURN(PgTarget target, parse_pg_uri(uri, prod));
  auto store = std::make_unique<PgStore>(std::move(target));
  PT_TRY(store->configure());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace pt
