// SQLite statements for the store's bookkeeping tables beside traces and relabels: stored
// evaluation runs (eval_runs) for sqlite_store.cpp, on its connection. Every value is a bound
// parameter. Errors come back as messages without the store's name (the caller prefixes it).
#pragma once
#include <sqlite3.h>

#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace pt::sqlite_runs {

// Schema of the tables below (CREATE … IF NOT EXISTS: part of the store's schema, version 3).
extern const char* const kSchemaSql;

Result<void> save_eval_run(sqlite3* db, const EvalRunRow& run);
Result<std::vector<EvalRunRow>> list_eval_runs(sqlite3* db);
Result<std::optional<EvalRunRow>> get_eval_run(sqlite3* db, const std::string& id);

}  // namespace pt::sqlite_runs
