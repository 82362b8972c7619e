// Implementation of store/sqlite/sqlite_runs.h: eval_runs rows in and out with prepared, bound
// statements (each prepared per call: these run a few times per command, not per row).
#include "store/sqlite/sqlite_runs.h"

#include <memory>

#include <fmt/format.h>

#include "store/sqlite/sqlite_stmt.h"

namespace pt::sqlite_runs {

const char* const kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS eval_runs (   -- one row per `eval score` run (docs/formats.md#eval-runs)
  id TEXT PRIMARY KEY NOT NULL,
  created_at INTEGER NOT NULL,           -- microseconds since the Unix epoch, UTC
  body TEXT NOT NULL                     -- the run as one JSON object
);
CREATE INDEX IF NOT EXISTS eval_runs_created_at ON eval_runs(created_at, id);
)sql";

namespace {

using sqlite_stmt::bind;
using sqlite_stmt::prepare;
using sqlite_stmt::StmtPtr;
using sqlite_stmt::text;

EvalRunRow read_run(sqlite3_stmt* s) { return {text(s, 0), sqlite3_column_int64(s, 1), text(s, 2)}; }

}  // namespace

Result<void> save_eval_run(sqlite3* db, const EvalRunRow& run) {
  if (run.id.empty()) return runtime_error("an evaluation run has an empty id");
  PT_ASSIGN_OR_RETURN(StmtPtr s, prepare(db, "INSERT INTO eval_runs(id, created_at, body) VALUES(?1, ?2, ?3)"));
  bind(s.get(), 1, run.id);
  sqlite3_bind_int64(s.get(), 2, run.created_at_us);
  bind(s.get(), 3, run.body);
  int rc = sqlite3_step(s.get());
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    return runtime_error(fmt::format("evaluation run {} is already stored", run.id));
  if (rc != SQLITE_DONE) return runtime_error(fmt::format("saving evaluation run {}: {}", run.id, sqlite3_errmsg(db)));
  return ok();
}

Result<std::vector<EvalRunRow>> list_eval_runs(sqlite3* db) {
  PT_ASSIGN_OR_RETURN(StmtPtr s, prepare(db, "SELECT id, created_at, body FROM eval_runs ORDER BY created_at, id"));
  std::vector<EvalRunRow> runs;
  for (;;) {
    int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return runs;
    if (rc != SQLITE_ROW) return runtime_error(fmt::format("reading evaluation runs: {}", sqlite3_errmsg(db)));
    runs.push_back(read_run(s.get()));
  }
}

Result<std::optional<EvalRunRow>> get_eval_run(sqlite3* db, const std::string& id) {
  PT_ASSIGN_OR_RETURN(StmtPtr s, prepare(db, "SELECT id, created_at, body FROM eval_runs WHERE id = ?1"));
  bind(s.get(), 1, id);
  int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<EvalRunRow>();
  if (rc != SQLITE_ROW) return runtime_error(fmt::format("reading evaluation run {}: {}", id, sqlite3_errmsg(db)));
  return std::optional<EvalRunRow>(read_run(s.get()));
}

}  // namespace pt::sqlite_runs
