// Browser sign-in for the pages of `picktune serve --auth-token T`: a browser cannot send the
// X-Picktune-Token header, so opening any page once with ?token=T sets an HttpOnly, SameSite=Strict
// cookie holding it and redirects to the same URL without the token; page requests (GET of /,
// /traces, /evals, /finetunes, /assets) then pass with that cookie. Everything else still needs
// the header. Without either a page answers 401 with a page saying how to sign in.
#pragma once
#include <string>

#include <httplib.h>

namespace pt::server {

inline constexpr const char* kPageTokenCookie = "picktune_token";

// A GET of one of the browser pages (the only requests a cookie may authorize).
bool is_page_request(const httplib::Request& req);

// For a page request on a server with `token`: Unhandled when the header or the cookie carries the
// token; Handled with a 303 + Set-Cookie when ?token= carries it; Handled with 401 otherwise.
httplib::Server::HandlerResponse check_page_auth(const std::string& token, const httplib::Request& req,
                                                 httplib::Response& res);

// Equal strings, compared in time independent of where they differ.
bool same_token(const std::string& a, const std::string& b);

}  // namespace pt::server
