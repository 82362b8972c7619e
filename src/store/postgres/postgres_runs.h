// PostgreSQL statements for the store's bookkeeping tables beside traces and relabels: stored
// evaluation runs (eval_runs) for postgres_store.cpp, on one of its pooled connections. Every
// value is a bound parameter. Functions throw libpqxx exceptions; the store turns them into errors.
#pragma once
#include <pqxx/pqxx>

#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace pt::postgres_runs {

// Schema of the tables below (CREATE … IF NOT EXISTS: created or added when a store opens).
extern const char* const kSchemaSql;
// The tables kSchemaSql creates (a store missing one of them is migrated when opened).
extern const char* const kTables[1];

// false when the id is already stored (nothing written).
bool save_eval_run(pqxx::connection& c, const EvalRunRow& run);
std::vector<EvalRunRow> list_eval_runs(pqxx::connection& c);
std::optional<EvalRunRow> get_eval_run(pqxx::connection& c, const std::string& id);

}  // namespace pt::postgres_runs
