// Small helpers for the SQLite bookkeeping tables (sqlite_runs, sqlite_leases): an owning statement
// handle, prepare with the connection's error message, text bind (copied) and text column reads,
// and a plain exec. The store's hot paths in sqlite_store.cpp keep their own cached statements.
#pragma once
#include <sqlite3.h>

#include <memory>
#include <string>

#include "util/result.h"

namespace pt::sqlite_stmt {

using StmtPtr = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

inline Result<StmtPtr> prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) {
    sqlite3_finalize(s);
    return runtime_error(sqlite3_errmsg(db));
  }
  return StmtPtr(s, &sqlite3_finalize);
}

// Binds a copy of `v` (SQLITE_TRANSIENT): safe for temporaries.
inline void bind(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

// Column i as text ("" for NULL), embedded NULs kept.
inline std::string text(sqlite3_stmt* s, int i) {
  const unsigned char* p = sqlite3_column_text(s, i);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(s, i)))
           : std::string();
}

inline Result<void> exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) == SQLITE_OK) return ok();
  std::string msg = err ? err : sqlite3_errmsg(db);
  sqlite3_free(err);
  return runtime_error(msg);
}

}  // namespace pt::sqlite_stmt
