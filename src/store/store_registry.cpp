// open_store(): resolves the store URI (--store, then PICKTUNE_STORE, then sqlite:./picktune.db),
// applies --env (prod selects a separate database), and hands it to the matching backend.
#include <cstdlib>

#include <fmt/format.h>

#include "store/bigquery/bigquery_store.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace pt {

namespace {

// "picktune.db" -> "picktune-prod.db"; "x" -> "x-prod".
std::string prod_sqlite_path(const std::string& path) {
  size_t slash = path.find_last_of('/');
  size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return path + "-prod";
  return path.substr(0, dot) + "-prod" + path.substr(dot);
}

}  // namespace

// Backends that keep no evaluation runs (test doubles) say so; the four real ones override these.
Result<void> Store::save_eval_run(const EvalRunRow&) {
  return runtime_error(fmt::format("{}: this store cannot keep evaluation runs", describe()));
}
Result<std::vector<EvalRunRow>> Store::list_eval_runs() {
  return runtime_error(fmt::format("{}: this store cannot keep evaluation runs", describe()));
}
Result<std::optional<EvalRunRow>> Store::get_eval_run(const std::string&) {
  return runtime_error(fmt::format("{}: this store cannot keep evaluation runs", describe()));
}

// No row locks: every key is "claimed" (locks_leases() is false, so callers warn).
Result<std::vector<std::string>> Store::claim_leases(std::span<const std::string> keys, const std::string&, int64_t,
                                                     int64_t) {
  return std::vector<std::string>(keys.begin(), keys.end());
}
Result<void> Store::release_leases(std::span<const std::string>, const std::string&) { return ok(); }

Result<std::unique_ptr<Store>> open_store(const StoreOptions& options) {
  std::string uri = options.uri;
  if (uri.empty()) {
    const char* env = std::getenv("PICKTUNE_STORE");
    uri = env && *env ? env : "sqlite:picktune.db";
  }
  if (options.env != "dev" && options.env != "prod")
    return usage_error(fmt::format("--env must be dev or prod, not \"{}\"", options.env));
  const bool prod = options.env == "prod";
  if (uri.rfind("sqlite:", 0) == 0) {
    std::string path = uri.substr(7);
    if (path.empty()) return usage_error("--store sqlite: needs a path, e.g. sqlite:picktune.db");
    return open_sqlite_store(prod ? prod_sqlite_path(path) : path, options.read_only);
  }
  if (uri.rfind("postgres://", 0) == 0 || uri.rfind("postgresql://", 0) == 0) return open_postgres_store(uri, prod);
  if (uri.rfind("bigquery://", 0) == 0) return open_bigquery_store(uri, prod);
  // Echo only a plausible scheme: the text may be a libpq "host=… password=…" string.
  size_t colon = uri.find(':');
  std::string scheme = uri.substr(0, colon);
  bool plain = colon != std::string::npos && !scheme.empty() && scheme.size() <= 32 &&
               scheme.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-") ==
                   std::string::npos;
  return usage_error(fmt::format("unknown store {}(expected sqlite:PATH, postgres://..., bigquery://PROJECT/DATASET)",
                                 plain ? "\"" + scheme + ":\" " : "URI "));
}

}  // namespace pt
