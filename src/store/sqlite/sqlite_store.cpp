// SQLite backend of the Store interface: the embedded default store (`sqlite:PATH`).
// Opening a path creates the schema when the file is new or empty (so every command works on a
// fresh path; `init` is idempotent), refuses files that are not picktune stores, and runs in WAL
// mode. Every statement is parameterized and prepared once per connection; upsert() is one
// transaction. created_at is stored as integer µs UTC; request_type (and, for relabels,
// trace_id) are copied out of the payload into indexed columns. Trace payloads are stored as
// zstd frames (store/payload/payload_codec.h; dictionaries in `payload_dicts`), relabels as JSON text.
#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "store/payload/payload_codec.h"
#include "store/payload/payload_keys.h"
#include "store/sqlite/sqlite_leases.h"
#include "store/sqlite/sqlite_runs.h"
#include "store/store.h"

namespace pt {
namespace {

constexpr int kApplicationId = 0x5054554E;  // "PTUN": marks a picktune store
constexpr int kSchemaVersion = 3;           // 2: compressed trace payloads + payload_dicts; 3: eval_runs
constexpr size_t kBulkRows = 5000;          // an upsert this big switches to bulk mode
constexpr size_t kCompressMin = 256;        // shorter trace payloads stay JSON text
constexpr size_t kDictMinSamples = 256;     // a batch with this many compressible payloads
constexpr size_t kDictMinBytes = 1u << 20;  // of at least this many bytes trains the dictionary
constexpr size_t kDictSampleBytes = 16u << 20;

constexpr const char* kSqliteSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS traces (
  id TEXT PRIMARY KEY NOT NULL,
  agent_step_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,        -- microseconds since the Unix epoch, UTC
  type TEXT NOT NULL,
  payload BLOB NOT NULL,              -- the JSON object exactly as received: a zstd frame
                                      -- (store/payload_codec.h), or text when under 256 bytes
  request_type TEXT NOT NULL DEFAULT '' -- copy of payload.request_type ('' when absent)
);
CREATE TABLE IF NOT EXISTS payload_dicts (  -- zstd dictionaries of the compressed payloads
  id INTEGER PRIMARY KEY NOT NULL,    -- the dictionary id that frames name
  created_at INTEGER NOT NULL,
  dict BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS traces_created_id ON traces(created_at, id);  -- newest-first keyset pages
DROP INDEX IF EXISTS traces_created_at;
CREATE INDEX IF NOT EXISTS traces_user_created ON traces(user_id, created_at, id);  -- a user's pages in order
DROP INDEX IF EXISTS traces_user_id;
CREATE INDEX IF NOT EXISTS traces_step_kind ON traces(agent_step_id, request_type);
CREATE TABLE IF NOT EXISTS relabels (
  id TEXT PRIMARY KEY NOT NULL,
  agent_step_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  model TEXT NOT NULL,
  payload TEXT NOT NULL,
  request_type TEXT NOT NULL DEFAULT '', -- copy of payload.request_type
  trace_id TEXT NOT NULL DEFAULT ''      -- copy of payload.trace_id
);
CREATE INDEX IF NOT EXISTS relabels_created_at ON relabels(created_at);
CREATE INDEX IF NOT EXISTS relabels_user_id ON relabels(user_id);
CREATE INDEX IF NOT EXISTS relabels_step_model_kind ON relabels(agent_step_id, model, request_type);
CREATE INDEX IF NOT EXISTS relabels_model_keys ON relabels(model, agent_step_id, request_type, trace_id);
)sql";

// Owns one prepared statement.
class Stmt {
 public:
  Stmt() = default;
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  Stmt(Stmt&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept {
    std::swap(s_, o.s_);
    return *this;
  }
  ~Stmt() { sqlite3_finalize(s_); }
  sqlite3_stmt* get() const { return s_; }

 private:
  sqlite3_stmt* s_ = nullptr;
};

void bind_text(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}

std::string_view column_view(sqlite3_stmt* s, int i) {
  const unsigned char* p = sqlite3_column_text(s, i);
  return p ? std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(s, i)))
           : std::string_view();
}

// Decodes the frames SqliteStore::scan_encoded passes on, on whichever thread calls it.
struct SqliteFrameDecoder final : PayloadDecoder {
  SqliteFrameDecoder(std::string store, std::shared_ptr<const FrameDecoder> f)
      : store_name(std::move(store)), frames(std::move(f)) {}
  Result<void> decode(Table table, Row& row) const override {
    if (!PayloadCodec::is_frame(row.payload)) return ok();
    thread_local std::string text;
    Result<void> r = frames->decompress(row.payload, text);
    if (!r.ok())
      return runtime_error(fmt::format("{}: {} row {}: {}", store_name, table_name(table), row.id, r.error().message));
    std::swap(row.payload, text);  // the frame's buffer takes the next one
    return ok();
  }
  std::string store_name;
  std::shared_ptr<const FrameDecoder> frames;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  ~SqliteStore() override {
    if (group_open_) (void)exec("ROLLBACK");
    cache_.clear();
    if (bulk_) (void)exec("PRAGMA journal_mode=WAL");
    sqlite3_close_v2(db_);
  }

  std::string describe() const override { return "sqlite:" + path_; }

  Result<void> configure(bool immutable = false) {
    sqlite3_busy_timeout(db_, 10000);
    sqlite3_extended_result_codes(db_, 1);
    PT_ASSIGN_OR_RETURN(int64_t app_id, query_int("PRAGMA application_id"));
    PT_ASSIGN_OR_RETURN(int64_t objects, query_int("SELECT count(*) FROM sqlite_master"));
    if (app_id != kApplicationId && (app_id != 0 || objects != 0))
      return runtime_error(
          fmt::format("{}: not a picktune store (a SQLite database made by another program)", describe()));
    PT_ASSIGN_OR_RETURN(int64_t version, query_int("PRAGMA user_version"));
    if (version > kSchemaVersion)
      return runtime_error(fmt::format("{}: store schema version {} is newer than this picktune ({}); upgrade picktune",
                                       describe(), version, kSchemaVersion));
    if (immutable) {
      if (app_id != kApplicationId)
        return runtime_error(fmt::format("{}: read-only and not initialised (run picktune init)", describe()));
      return load_dicts();
    }
    // Bigger pages hold several ~3 KB rows each (4 KiB pages hold one); only settable while empty.
    if (objects == 0) PT_TRY(exec("PRAGMA page_size=16384"));
    PT_TRY(exec("PRAGMA journal_mode=WAL"));
    PT_TRY(exec("PRAGMA synchronous=NORMAL"));
    PT_TRY(exec("PRAGMA cache_size=-131072"));  // 128 MiB page cache
    PT_TRY(exec("PRAGMA temp_store=MEMORY"));
    PT_TRY(exec("PRAGMA wal_autocheckpoint=16384"));  // checkpoint every 64 MiB of WAL
    if (app_id != kApplicationId || version != kSchemaVersion) PT_TRY(init());
    return load_dicts();
  }

  Result<void> init() override {
    PT_TRY(exec("BEGIN IMMEDIATE"));
    Result<void> r = exec(kSqliteSchemaSql);
    if (r.ok()) r = exec(sqlite_runs::kSchemaSql);
    if (r.ok()) r = sqlite_leases::ensure_schema(db_);
    if (r.ok()) r = exec(fmt::format("PRAGMA application_id={}", kApplicationId));
    if (r.ok()) r = exec(fmt::format("PRAGMA user_version={}", kSchemaVersion));
    if (r.ok()) r = exec("COMMIT");
    if (!r.ok()) (void)exec("ROLLBACK");
    return r;
  }

  Result<UpsertStats> upsert(Table table, std::span<const Row> rows) override {
    UpsertStats stats;
    if (rows.empty()) return stats;
    if (rows.size() >= kBulkRows && !bulk_ && !group_open_) enter_bulk_mode();
    Result<void> r = table == Table::traces ? compress_payloads(rows) : (frames_.clear(), ok());
    if (r.ok() && !group_open_) r = begin();
    if (!r.ok()) return fail(r.error());
    for (size_t i = 0; i < rows.size(); ++i) {
      r = upsert_one(table, rows[i], i < frames_.size() ? frames_[i] : std::string_view(), stats);
      if (!r.ok()) return fail(r.error());
    }
    if (!group_open_) {
      PT_ASSIGN_OR_RETURN(sqlite3_stmt * commit, cached("COMMIT"));
      r = step_done(commit);
      if (!r.ok()) return fail(r.error());
    }
    return stats;
  }

  bool groups_upserts() const override { return true; }

  Result<Pruned> delete_before(int64_t before_us) override {
    if (group_open_) return usage_error("delete_before: an upsert group is open");
    Pruned pruned;
    Result<void> r = begin();
    for (Table t : {Table::traces, Table::relabels}) {
      if (!r.ok()) break;
      auto stmt = prepare(fmt::format("DELETE FROM {} WHERE created_at < ?1", table_name(t)), "deleting");
      if (!stmt.ok()) {
        r = stmt.error();
        break;
      }
      sqlite3_bind_int64(stmt->get(), 1, before_us);
      if (sqlite3_step(stmt->get()) != SQLITE_DONE) {
        r = db_error(fmt::format("deleting {}", table_name(t)));
        break;
      }
      (t == Table::traces ? pruned.traces : pruned.relabels) = sqlite3_changes64(db_);
    }
    if (r.ok()) {
      PT_ASSIGN_OR_RETURN(sqlite3_stmt * commit, cached("COMMIT"));
      r = step_done(commit);
    }
    if (!r.ok()) return fail(r.error());
    return pruned;
  }

  Result<std::optional<int64_t>> bytes_on_disk() override {
    int64_t total = 0;
    for (const char* suffix : {"", "-wal"}) {
      std::error_code ec;
      auto size = std::filesystem::file_size(path_ + suffix, ec);
      if (!ec) total += static_cast<int64_t>(size);
    }
    return std::optional<int64_t>(total);
  }

  Result<void> begin_group() override {
    if (group_open_) return usage_error("begin_group: a group is already open");
    if (!bulk_) enter_bulk_mode();
    PT_TRY(begin());
    group_open_ = true;
    return ok();
  }

  Result<void> commit_group() override {
    if (!group_open_) return usage_error("commit_group: no group is open (a failed upsert rolled it back)");
    PT_ASSIGN_OR_RETURN(sqlite3_stmt * commit, cached("COMMIT"));
    Result<void> r = step_done(commit);
    if (!r.ok()) return fail(r.error());
    group_open_ = false;
    return ok();
  }

  void rollback_group() override {
    if (group_open_) (void)fail(runtime_error("rolled back"));
  }

  Result<void> scan(Table table, const RowFilter& filter, const std::function<bool(Row&&)>& visit) override {
    PT_ASSIGN_OR_RETURN(Stmt stmt, prepare_filtered(table, filter, false));
    Row row;  // read into in place: a visitor that swaps its spent row in lends us its buffers
    for (;;) {
      int rc = sqlite3_step(stmt.get());
      if (rc == SQLITE_DONE) return ok();
      if (rc != SQLITE_ROW) return db_error("reading " + std::string(table_name(table)));
      PT_TRY(read_row_into(stmt.get(), table, row));
      if (!visit(std::move(row))) return ok();
    }
  }

  // Frames whose dictionary the decoder knows are passed on as they are stored; the rest (a
  // dictionary another process added during the scan) are decoded here, as scan() does.
  Result<void> scan_encoded(Table table, const RowFilter& filter, const std::function<bool(Row&&)>& visit,
                            std::shared_ptr<const PayloadDecoder>& decoder) override {
    PT_ASSIGN_OR_RETURN(Stmt stmt, prepare_filtered(table, filter, false));
    auto frames = std::make_shared<SqliteFrameDecoder>(describe(), codec_.decoder());
    decoder = frames;
    Row row;
    for (;;) {
      int rc = sqlite3_step(stmt.get());
      if (rc == SQLITE_DONE) return ok();
      if (rc != SQLITE_ROW) return db_error("reading " + std::string(table_name(table)));
      sqlite3_stmt* s = stmt.get();
      std::string_view frame;
      if (sqlite3_column_type(s, 5) == SQLITE_BLOB)
        frame = std::string_view(static_cast<const char*>(sqlite3_column_blob(s, 5)),
                                 static_cast<size_t>(sqlite3_column_bytes(s, 5)));
      if (!frame.empty() && PayloadCodec::is_frame(frame) &&
          frames->frames->knows(PayloadCodec::frame_dict_id(frame))) {
        read_columns_into(s, table, row);
        row.payload.assign(frame);
      } else {
        PT_TRY(read_row_into(s, table, row));
      }
      if (!visit(std::move(row))) return ok();
    }
  }

  Result<int64_t> count(Table table, const RowFilter& filter) override {
    PT_ASSIGN_OR_RETURN(Stmt stmt, prepare_filtered(table, filter, true));
    if (sqlite3_step(stmt.get()) != SQLITE_ROW) return db_error("counting " + std::string(table_name(table)));
    return static_cast<int64_t>(sqlite3_column_int64(stmt.get(), 0));
  }

  Result<std::optional<Row>> get(Table table, const std::string& id) override {
    std::string sql = fmt::format("SELECT id, agent_step_id, user_id, created_at, {}, payload FROM {} WHERE id = ?1",
                                  kind_column(table), table_name(table));
    PT_ASSIGN_OR_RETURN(sqlite3_stmt * s, cached(sql));
    bind_text(s, 1, id);
    int rc = sqlite3_step(s);
    Row row;
    Result<void> read = ok();
    if (rc == SQLITE_ROW) read = read_row_into(s, table, row);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_error("reading " + std::string(table_name(table)));
    if (!read.ok()) return read.error();
    if (rc != SQLITE_ROW) return std::optional<Row>();
    return std::optional<Row>(std::move(row));
  }

  Result<void> save_eval_run(const EvalRunRow& run) override { return named(sqlite_runs::save_eval_run(db_, run)); }
  Result<std::vector<EvalRunRow>> list_eval_runs() override { return named(sqlite_runs::list_eval_runs(db_)); }
  Result<std::optional<EvalRunRow>> get_eval_run(const std::string& id) override {
    return named(sqlite_runs::get_eval_run(db_, id));
  }

  bool locks_leases() const override { return true; }
  Result<std::vector<std::string>> claim_leases(std::span<const std::string> keys, const std::string& owner,
                                                int64_t now_us, int64_t expires_us) override {
    if (group_open_) return usage_error("claim_leases: an upsert group is open");
    return named(sqlite_leases::claim(db_, keys, owner, now_us, expires_us));
  }
  Result<void> release_leases(std::span<const std::string> keys, const std::string& owner) override {
    if (group_open_) return usage_error("release_leases: an upsert group is open");
    return named(sqlite_leases::release(db_, keys, owner));
  }
  Result<void> set_lease_batch(std::span<const std::string> keys, const std::string& owner,
                               const std::string& batch_id) override {
    if (group_open_) return usage_error("set_lease_batch: an upsert group is open");
    return named(sqlite_leases::set_batch(db_, keys, owner, batch_id));
  }
  Result<std::vector<BatchLease>> adopt_batch_leases(std::span<const std::string> keys, const std::string& owner,
                                                     int64_t now_us, int64_t expires_us) override {
    if (group_open_) return usage_error("adopt_batch_leases: an upsert group is open");
    return named(sqlite_leases::adopt_batches(db_, keys, owner, now_us, expires_us));
  }
  Result<std::vector<std::string>> lease_owners() override { return named(sqlite_leases::owners(db_)); }
  Result<void> drop_leases_of(const std::string& owner) override {
    if (group_open_) return usage_error("drop_leases_of: an upsert group is open");
    return named(sqlite_leases::drop_owner(db_, owner));
  }

 private:
  // Bulk loads (big upsert batches) run with SQLite's rollback journal instead of the WAL:
  // pages appended to the file need no journal copy, which halves the bytes written, while
  // every transaction stays atomic and durable. Needs no other connection open (else it stays
  // in WAL); the WAL comes back when this store is closed (and on every open).
  void enter_bulk_mode() {
    bulk_ = true;
    if (!exec("PRAGMA journal_mode=DELETE").ok()) bulk_ = false;
  }

  Result<void> begin() {
    PT_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, cached("BEGIN IMMEDIATE"));
    return step_done(stmt);
  }

  // Rolls back the open transaction (and group); a dictionary trained inside it is forgotten.
  Error fail(Error e) {
    if (!sqlite3_get_autocommit(db_)) (void)exec("ROLLBACK");
    group_open_ = false;
    codec_.clear_dicts();
    if (Result<void> r = load_dicts(); !r.ok()) return r.error();
    return e;
  }

  // A sqlite_runs result with this store's name in front of its message.
  template <typename T>
  Result<T> named(Result<T> r) const {
    if (r.ok()) return r;
    return runtime_error(fmt::format("{}: {}", describe(), r.error().message));
  }

  Error db_error(std::string_view doing) const {
    return runtime_error(fmt::format("{}: {}: {}", describe(), doing, sqlite3_errmsg(db_)));
  }

  Result<void> exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      return runtime_error(fmt::format("{}: {}", describe(), msg));
    }
    return ok();
  }

  Result<int64_t> query_int(const char* sql) {
    PT_ASSIGN_OR_RETURN(Stmt stmt, prepare(sql, "cannot open"));
    if (sqlite3_step(stmt.get()) != SQLITE_ROW) return db_error("cannot open");
    return static_cast<int64_t>(sqlite3_column_int64(stmt.get(), 0));
  }

  Result<Stmt> prepare(const std::string& sql, std::string_view doing = "querying") {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), 0, &s, nullptr) != SQLITE_OK)
      return db_error(doing);
    return Stmt(s);
  }

  // A statement prepared once and reset after each use (for the fixed, hot statements).
  Result<sqlite3_stmt*> cached(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      sqlite3_stmt* s = nullptr;
      if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s, nullptr) !=
          SQLITE_OK)
        return db_error("preparing a statement");
      it = cache_.emplace(sql, Stmt(s)).first;
    }
    return it->second.get();
  }

  // Steps a statement that returns no rows; resets it either way.
  Result<void> step_done(sqlite3_stmt* s) {
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) {
      Error e = db_error("writing");
      sqlite3_reset(s);
      return e;
    }
    sqlite3_reset(s);
    return ok();
  }

  Result<void> upsert_one(Table table, const Row& row, std::string_view frame, UpsertStats& stats) {
    if (row.id.empty()) return runtime_error(fmt::format("{}: a row has an empty id", describe()));
    if (!keys_reader_.read(row.payload, keys_).ok())
      return runtime_error(fmt::format("{}: row {}: payload is not a JSON object", describe(), row.id));
    const bool traces = table == Table::traces;
    const std::string& kind = traces ? row.type : row.model;
    PT_ASSIGN_OR_RETURN(sqlite3_stmt * ins, cached(insert_sql(table)));
    bind_row(ins, row, frame, kind, traces);
    PT_TRY(step_done(ins));
    if (sqlite3_changes(db_) == 1) {
      ++stats.inserted;
      return ok();
    }
    PT_ASSIGN_OR_RETURN(sqlite3_stmt * upd, cached(update_sql(table)));
    bind_row(upd, row, frame, kind, traces);
    PT_TRY(step_done(upd));
    ++(sqlite3_changes(db_) == 1 ? stats.updated : stats.unchanged);
    return ok();
  }

  // `frame` is the compressed payload, or empty to store the payload as text.
  void bind_row(sqlite3_stmt* s, const Row& row, std::string_view frame, const std::string& kind, bool traces) {
    bind_text(s, 1, row.id);
    bind_text(s, 2, row.agent_step_id);
    bind_text(s, 3, row.user_id);
    sqlite3_bind_int64(s, 4, row.created_at_us);
    bind_text(s, 5, kind);
    if (frame.empty())
      bind_text(s, 6, row.payload);
    else
      sqlite3_bind_blob(s, 6, frame.data(), static_cast<int>(frame.size()), SQLITE_STATIC);
    bind_text(s, 7, keys_.request_type);
    if (!traces) bind_text(s, 8, keys_.trace_id);
  }

  static std::string insert_sql(Table t) {
    return t == Table::traces
               ? "INSERT INTO traces(id, agent_step_id, user_id, created_at, type, payload, request_type) "
                 "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(id) DO NOTHING"
               : "INSERT INTO relabels(id, agent_step_id, user_id, created_at, model, payload, request_type, trace_id) "
                 "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(id) DO NOTHING";
  }

  // Replaces an existing row only when a column differs, so re-imports write nothing.
  static std::string update_sql(Table t) {
    std::string_view k = kind_column(t);
    return fmt::format(
        "UPDATE {0} SET agent_step_id = ?2, user_id = ?3, created_at = ?4, {1} = ?5, payload = ?6, request_type = "
        "?7{2} "
        "WHERE id = ?1 AND NOT (agent_step_id = ?2 AND user_id = ?3 AND created_at = ?4 AND {1} = ?5 AND payload = ?6)",
        table_name(t), k, t == Table::traces ? "" : ", trace_id = ?8");
  }

  Result<Stmt> prepare_filtered(Table table, const RowFilter& f, bool counting) {
    if (f.type && table != Table::traces) return usage_error("a type filter applies to traces only");
    if (f.model && table != Table::relabels) return usage_error("a model filter applies to relabels only");
    PT_ASSIGN_OR_RETURN(const std::optional<std::string_view> request_type, request_type_column_value(f));
    std::string where = " WHERE 1 = 1";
    if (f.type) where += " AND type = ?";
    if (f.model) where += " AND model = ?";
    if (f.user_id) where += " AND user_id = ?";
    if (f.agent_step_id) where += " AND agent_step_id = ?";
    if (request_type) where += " AND request_type = ?";
    if (f.since_us) where += " AND created_at >= ?";
    if (f.until_us) where += " AND created_at < ?";
    const bool newest = f.order == RowFilter::Order::newest_first;
    if (f.after) where += newest ? " AND (created_at, id) < (?, ?)" : " AND (created_at, id) > (?, ?)";
    std::string order = f.order == RowFilter::Order::newest_first ? " ORDER BY created_at DESC, id DESC"
                                                                  : " ORDER BY created_at ASC, id ASC";
    std::string limit = f.limit ? " LIMIT ?" : "";
    std::string sql = counting
                          ? fmt::format("SELECT count(*) FROM (SELECT 1 FROM {}{}{})", table_name(table), where, limit)
                          : fmt::format("SELECT id, agent_step_id, user_id, created_at, {}, payload FROM {}{}{}{}",
                                        kind_column(table), table_name(table), where, order, limit);
    PT_ASSIGN_OR_RETURN(Stmt stmt, prepare(sql));
    int i = 0;
    sqlite3_stmt* s = stmt.get();
    for (const auto* v : {&f.type, &f.model, &f.user_id, &f.agent_step_id})
      if (*v) bind_text(s, ++i, **v);
    if (request_type) bind_text(s, ++i, *request_type);
    for (const auto* v : {&f.since_us, &f.until_us})
      if (*v) sqlite3_bind_int64(s, ++i, **v);
    if (f.after) {
      sqlite3_bind_int64(s, ++i, f.after->created_at_us);
      bind_text(s, ++i, f.after->id);
    }
    if (f.limit) sqlite3_bind_int64(s, ++i, *f.limit);
    return stmt;
  }

  // Reads the current result row's columns but the payload into `row`, reusing its buffers.
  static void read_columns_into(sqlite3_stmt* s, Table table, Row& row) {
    row.id.assign(column_view(s, 0));
    row.agent_step_id.assign(column_view(s, 1));
    row.user_id.assign(column_view(s, 2));
    row.created_at_us = sqlite3_column_int64(s, 3);
    (table == Table::traces ? row.type : row.model).assign(column_view(s, 4));
    (table == Table::traces ? row.model : row.type).clear();
  }

  // Reads the current result row into `row`, reusing its buffers.
  Result<void> read_row_into(sqlite3_stmt* s, Table table, Row& row) {
    read_columns_into(s, table, row);
    if (sqlite3_column_type(s, 5) != SQLITE_BLOB) {
      row.payload.assign(column_view(s, 5));
      return ok();
    }
    std::string_view frame(static_cast<const char*>(sqlite3_column_blob(s, 5)),
                           static_cast<size_t>(sqlite3_column_bytes(s, 5)));
    Result<void> r = codec_.decompress(frame, row.payload);
    if (!r.ok() && load_dicts().ok()) r = codec_.decompress(frame, row.payload);  // another process may have added one
    if (!r.ok())
      return runtime_error(fmt::format("{}: {} row {}: {}", describe(), table_name(table), row.id, r.error().message));
    return ok();
  }

  // Makes every stored dictionary readable; the newest one compresses new payloads.
  Result<void> load_dicts() {
    PT_ASSIGN_OR_RETURN(Stmt stmt, prepare("SELECT id, dict FROM payload_dicts ORDER BY created_at, id",
                                           "reading payload dictionaries"));
    for (;;) {
      int rc = sqlite3_step(stmt.get());
      if (rc == SQLITE_DONE) return ok();
      if (rc != SQLITE_ROW) return db_error("reading payload dictionaries");
      PayloadDict d{static_cast<uint32_t>(sqlite3_column_int64(stmt.get(), 0)),
                    std::string(static_cast<const char*>(sqlite3_column_blob(stmt.get(), 1)),
                                static_cast<size_t>(sqlite3_column_bytes(stmt.get(), 1)))};
      Result<void> added = codec_.add_dict(d, true);
      if (!added.ok()) return runtime_error(fmt::format("{}: {}", describe(), added.error().message));
    }
  }

  // Fills frames_ with the compressed payloads of `rows` ("" = store as text), training the
  // store's dictionary first when it has none and this batch is big enough to learn from.
  Result<void> compress_payloads(std::span<const Row> rows) {
    std::vector<std::string_view> texts;
    texts.reserve(rows.size());
    size_t big = 0, big_bytes = 0;
    for (const Row& r : rows) {
      if (r.payload.size() < kCompressMin) continue;
      ++big;
      big_bytes += r.payload.size();
    }
    if (!codec_.has_writing_dict() && big >= kDictMinSamples && big_bytes >= kDictMinBytes) PT_TRY(train_dict(rows));
    for (const Row& r : rows)
      texts.push_back(r.payload.size() >= kCompressMin ? std::string_view(r.payload) : std::string_view());
    int threads = static_cast<int>(std::min(4u, std::max(1u, std::thread::hardware_concurrency())));
    codec_.compress(texts, frames_, threads);
    return ok();
  }

  // Trains a dictionary on an even sample of the batch and commits it before any row uses it.
  Result<void> train_dict(std::span<const Row> rows) {
    std::vector<std::string_view> samples;
    size_t step = std::max<size_t>(1, rows.size() * 3000 / kDictSampleBytes), bytes = 0;
    for (size_t i = 0; i < rows.size() && bytes < kDictSampleBytes; i += step) {
      if (rows[i].payload.size() < kCompressMin) continue;
      samples.push_back(rows[i].payload);
      bytes += rows[i].payload.size();
    }
    Result<PayloadDict> dict = train_payload_dict(samples);
    if (!dict.ok()) return ok();  // too little variety to learn from: compress without one
    PT_ASSIGN_OR_RETURN(
        Stmt ins,
        prepare(
            "INSERT OR IGNORE INTO payload_dicts(id, created_at, dict) VALUES(?1, strftime('%s','now') * 1000000, ?2)",
            "storing a payload dictionary"));
    sqlite3_bind_int64(ins.get(), 1, dict->id);
    sqlite3_bind_blob(ins.get(), 2, dict->bytes.data(), static_cast<int>(dict->bytes.size()), SQLITE_STATIC);
    if (sqlite3_step(ins.get()) != SQLITE_DONE) return db_error("storing a payload dictionary");
    Result<void> added = codec_.add_dict(*dict, true);
    if (!added.ok()) return runtime_error(fmt::format("{}: {}", describe(), added.error().message));
    return ok();
  }

  std::string path_;
  sqlite3* db_;
  PayloadCodec codec_;
  std::vector<std::string> frames_;
  bool group_open_ = false;
  std::map<std::string, Stmt> cache_;
  PayloadKeyReader keys_reader_;
  PayloadKeys keys_;
  bool bulk_ = false;
};

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  bool immutable = false;
  int rc;
  if (read_only) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return runtime_error(fmt::format("no store at {}", path));
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (dir.empty()) dir = ".";
    // WAL needs to write beside the file: when the file or its directory is not writable, read
    // it as an immutable snapshot (nothing else can be writing it either).
    immutable = ::access(path.c_str(), W_OK) != 0 || ::access(dir.c_str(), W_OK) != 0;
  }
  if (immutable) {
    // Percent-escape what a URI would read as a delimiter.
    std::string escaped = "file:";
    for (char c : path) {
      if (c == '%' || c == '?' || c == '#')
        escaped += fmt::format("%{:02X}", static_cast<unsigned char>(c));
      else
        escaped += c;
    }
    escaped += "?immutable=1";
    rc = sqlite3_open_v2(escaped.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
  } else {
    rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | (read_only ? 0 : SQLITE_OPEN_CREATE), nullptr);
  }
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return runtime_error(fmt::format("sqlite:{}: cannot open: {}", path, msg));
  }
  auto store = std::make_unique<SqliteStore>(path, db);
  PT_TRY(store->configure(immutable));
  return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path) { return open_sqlite_store(path, false); }

}  // namespace pt
