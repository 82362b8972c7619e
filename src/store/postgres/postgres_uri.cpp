// Implementation of store/postgres/postgres_uri.h: a small split of the URI into scheme, user info, host,
// database and query, enough to drop the password from what is shown and to rename the
// database for --env prod. libpq does the real parsing (and reports its own errors).
#include "store/postgres/postgres_uri.h"

#include <cstdlib>
#include <vector>

#include <fmt/format.h>

#include "net/secrets.h"

namespace pt {
namespace {

std::string percent_decode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  if (s.empty()) return parts;
  for (;;) {
    size_t at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

std::string_view param_key(std::string_view p) { return p.substr(0, p.find('=')); }

}  // namespace

Result<PgTarget> parse_pg_uri(std::string_view uri, bool prod) {
  std::string_view scheme;
  for (std::string_view s : {"postgres://", "postgresql://"})
    if (uri.substr(0, s.size()) == s) scheme = s;
  if (scheme.empty())
    return usage_error("a PostgreSQL store URI starts with postgres:// (postgres://USER@HOST:PORT/DB)");
  std::string_view rest = uri.substr(scheme.size());
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority = rest.substr(0, rest.find('/'));
  std::string db(rest.size() > authority.size() ? rest.substr(authority.size() + 1) : std::string_view());
  std::string_view user, hostspec = authority;
  PgTarget t;
  std::string raw_password;
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view info = authority.substr(0, at);
    hostspec = authority.substr(at + 1);
    size_t colon = info.find(':');
    user = info.substr(0, colon);
    if (colon != std::string_view::npos) raw_password = info.substr(colon + 1);
  }
  std::string shown_query, lib_query;
  bool has_timeout = false, has_app = false;
  for (std::string_view p : split(query, '&')) {
    std::string_view key = param_key(p);
    has_timeout |= key == "connect_timeout";
    has_app |= key == "application_name";
    if (key == "password") {
      raw_password = p.size() > key.size() ? p.substr(key.size() + 1) : std::string_view();
    } else {
      shown_query += (shown_query.empty() ? "" : "&") + std::string(p);
    }
    lib_query += (lib_query.empty() ? "" : "&") + std::string(p);
  }
  if (prod) {
    if (db.empty())
      return usage_error(
          "--env prod needs a database name in the store URI (postgres://USER@HOST:PORT/DB; prod uses DB_prod)");
    db += "_prod";
  }
  if (!has_timeout) lib_query += std::string(lib_query.empty() ? "" : "&") + "connect_timeout=10";
  if (!has_app) lib_query += "&application_name=picktune";
  t.password = percent_decode(raw_password);
  t.password_as_given = raw_password;
  std::string_view userinfo = authority.substr(0, authority.size() - hostspec.size());  // "USER[:PW]@" or ""
  t.conninfo = fmt::format("postgresql://{}{}/{}?{}", userinfo, hostspec, db, lib_query);
  t.display = fmt::format("{}{}{}{}{}", scheme, user.empty() ? "" : std::string(user) + "@", hostspec,
                          db.empty() ? "" : "/" + db, shown_query.empty() ? "" : "?" + shown_query);
  return t;
}

std::string scrub_password(std::string message, const PgTarget& target) {
  return Redactor("***")
      .add_uri_password(target.conninfo)
      .add(target.password)
      .add(target.password_as_given)
      .add_env("PGPASSWORD")
      .redact(std::move(message));
}

}  // namespace pt
