// Implementation of server/pages/page_auth.h: cookie parse, the token redirect and the 401 page.
#include "server/pages/page_auth.h"

#include <algorithm>
#include <string_view>

#include "net/http.h"

#include "report/html/style.h"

namespace pt::server {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// The value of cookie `name` in a Cookie header ("a=1; b=2"), "" when absent.
std::string cookie_value(const std::string& header, std::string_view name) {
  std::string_view rest = header;
  while (!rest.empty()) {
    size_t end = rest.find(';');
    std::string_view part = rest.substr(0, end);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && starts_with(part, name) && part[name.size()] == '=')
      return std::string(part.substr(name.size() + 1));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return "";
}

}  // namespace

bool same_token(const std::string& a, const std::string& b) {
  if (a.size() != b.size() || b.empty()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

bool is_page_request(const httplib::Request& req) {
  if (req.method != "GET" && req.method != "HEAD") return false;
  const std::string& p = req.path;
  for (std::string_view prefix : {"/traces", "/evals", "/finetunes", "/assets/"})
    if (starts_with(p, prefix)) return true;
  return p == "/";
}

httplib::Server::HandlerResponse check_page_auth(const std::string& token, const httplib::Request& req,
                                                 httplib::Response& res) {
  if (same_token(req.get_header_value("X-Picktune-Token"), token) ||
      same_token(cookie_value(req.get_header_value("Cookie"), kPageTokenCookie), token))
    return httplib::Server::HandlerResponse::Unhandled;
  if (req.has_param("token") && same_token(req.get_param_value("token"), token)) {
    httplib::Params rest;
    for (const auto& [k, v] : req.params)
      if (k != "token") rest.emplace(k, v);
    std::string query = httplib::detail::params_to_query_str(rest);
    res.status = 303;
    // req.path is decoded: encode it again, segment by segment.
    std::string path;
    for (size_t at = 1, end; at <= req.path.size(); at = end + 1) {
      end = std::min(req.path.find('/', at), req.path.size());
      path += "/" + url_encode(req.path.substr(at, end - at));
    }
    res.set_header("Location", (path.empty() ? "/" : path) + (query.empty() ? "" : "?" + query));
    res.set_header("Set-Cookie", std::string(kPageTokenCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
    res.set_header("Cache-Control", "no-store");
    res.set_header("Referrer-Policy", "no-referrer");
    return httplib::Server::HandlerResponse::Handled;
  }
  res.status = 401;
  res.set_header("Cache-Control", "no-store");
  res.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  // No navigation and no script link: nothing on this page needs the token.
  res.set_content(html_document("Sign in · picktune",
                                "<main><h1>Sign in</h1><p id=\"sign-in\">This <code>picktune serve</code> runs with "
                                "<code>--auth-token</code>. Open this page once as <code>URL?token=TOKEN</code>: an "
                                "HttpOnly cookie then keeps this browser signed in.</p></main>"),
                  "text/html; charset=utf-8");
  return httplib::Server::HandlerResponse::Handled;
}

}  // namespace pt::server
