// Implementation of store/postgres/postgres_runs.h: eval_runs rows in and out. created_at is a
// timestamptz like the row tables (in as pg_timestamp() text, out as exact µs).
#include "store/postgres/postgres_runs.h"

#include <charconv>

#include "store/postgres/postgres_text.h"

namespace pt::postgres_runs {

const char* const kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS eval_runs (       -- one row per `eval score` run (docs/formats.md#eval-runs)
  id TEXT COLLATE "C" PRIMARY KEY,
  created_at TIMESTAMPTZ NOT NULL,
  body TEXT NOT NULL                         -- the run as one JSON object, byte for byte
);
CREATE INDEX IF NOT EXISTS eval_runs_created_at ON eval_runs(created_at, id);
)sql";

const char* const kTables[1] = {"eval_runs"};

namespace {

constexpr const char* kColumns = "id, (extract(epoch FROM created_at) * 1000000)::bigint, body";

EvalRunRow read_run(const pqxx::row& r) {
  EvalRunRow run;
  run.id = r[0].c_str();
  std::from_chars(r[1].c_str(), r[1].c_str() + r[1].size(), run.created_at_us);
  run.body.assign(r[2].c_str(), r[2].size());
  return run;
}

}  // namespace

bool save_eval_run(pqxx::connection& c, const EvalRunRow& run) {
  pqxx::work w(c);
  pqxx::result r = w.exec_params(
      "INSERT INTO eval_runs(id, created_at, body) VALUES($1, $2::timestamptz, $3) ON CONFLICT (id) DO NOTHING", run.id,
      pg_timestamp(run.created_at_us), run.body);
  w.commit();
  return r.affected_rows() == 1;
}

std::vector<EvalRunRow> list_eval_runs(pqxx::connection& c) {
  pqxx::read_transaction w(c);
  std::vector<EvalRunRow> runs;
  for (const pqxx::row& r : w.exec(std::string("SELECT ") + kColumns + " FROM eval_runs ORDER BY created_at, id"))
    runs.push_back(read_run(r));
  return runs;
}

std::optional<EvalRunRow> get_eval_run(pqxx::connection& c, const std::string& id) {
  pqxx::read_transaction w(c);
  pqxx::result r = w.exec_params(std::string("SELECT ") + kColumns + " FROM eval_runs WHERE id = $1", id);
  if (r.empty()) return std::nullopt;
  return read_run(r[0]);
}

}  // namespace pt::postgres_runs
