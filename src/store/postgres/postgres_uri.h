// The `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?PARAMS]` store URI (also `postgresql://`):
// what libpq is given, what messages show (never the password), and `--env prod` (database
// DB_prod). Passwords may also come from PGPASSWORD or ~/.pgpass; either way they are scrubbed
// from every message the store returns.
#pragma once
#include <string>
#include <string_view>

#include "util/result.h"

namespace pt {

struct PgTarget {
  std::string conninfo;           // the URI handed to libpq (may hold the password)
  std::string display;            // the same URI without any password: the store's describe()
  std::string password;           // from the URI (user info or ?password=), percent-decoded; "" if none
  std::string password_as_given;  // the same, still percent-encoded
};

// Errors (usage) on a malformed URI or `prod` without a database name.
Result<PgTarget> parse_pg_uri(std::string_view uri, bool prod);

// `message` with every occurrence of the password (as given, percent-decoded, and PGPASSWORD's)
// replaced by "***".
std::string scrub_password(std::string message, const PgTarget& target);

}  // namespace pt
