// The SQL the fake BigQuery evaluates: a tiny interpreter for exactly the statement shapes the
// bigquery:// store sends (documented in fake_bigquery_sql.cpp), over in-memory tables. Values
// arrive only as named parameters; anything outside the subset is a 400 invalidQuery, so a store
// that starts sending other SQL fails loudly in tests instead of being half-understood.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace pt::fake::bq {

// NULL, STRING/JSON text, INT64 or TIMESTAMP (µs), BOOL.
using Value = std::variant<std::monostate, std::string, int64_t, bool>;

struct Column {
  std::string name, type, mode;  // type: STRING | JSON | TIMESTAMP | INT64 | BOOL
};

struct StoredRow {
  std::vector<Value> values;  // in schema order
  bool streaming = false;     // arrived by insertAll (still in the streaming buffer): DML may not touch it
};

struct Table {
  std::vector<Column> schema;
  std::vector<StoredRow> rows;
  nlohmann::json resource;
  int column(const std::string& name) const;  // -1 when absent
};

struct Param {
  std::string type;  // STRING | INT64 | TIMESTAMP | BOOL | ARRAY
  Value value;
  std::vector<Value> values;  // ARRAY elements
};

struct QueryResult {
  std::vector<Column> schema;
  std::vector<std::vector<Value>> rows;
  bool dml = false;
  int64_t inserted = 0, updated = 0;
};

// An error BigQuery would answer with (status 400 invalidQuery, 404 notFound, ...).
struct SqlError {
  int status;
  std::string reason, message;
};

// Looks a table up by "project.dataset.table"; null when it does not exist.
using Catalog = std::function<Table*(const std::string& full_name)>;

// Runs one statement; throws SqlError.
QueryResult run_sql(const std::string& sql, const std::map<std::string, Param>& params, const Catalog& catalog);

// A JSON text as BigQuery's JSON type would keep it (parsed and re-serialized).
std::string normalize_json(const std::string& text);

}  // namespace pt::fake::bq
