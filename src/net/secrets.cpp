// Implementation of net/secrets.h: secrets are kept longest first, so a value that contains
// another (a URI-encoded and a decoded password) is masked whole.
#include "net/secrets.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "net/http.h"
#include "util/ascii.h"

namespace pt {
namespace {

std::string percent_decode(std::string_view s) {
  if (s.empty()) return {};  // curl would take length 0 as "use strlen"
  int n = 0;
  char* decoded = curl_easy_unescape(nullptr, s.data(), static_cast<int>(s.size()), &n);
  if (!decoded) return std::string(s);
  std::string out(decoded, static_cast<size_t>(n));
  curl_free(decoded);
  return out;
}

bool is_secret_header(const std::string& name) {
  return name == "authorization" || name == "proxy-authorization" || name.find("api-key") != std::string::npos ||
         name.find("token") != std::string::npos;
}

// The value of `param` (e.g. "key=") in the query of `url`; "" when absent.
std::string_view query_value(std::string_view url, std::string_view param) {
  size_t q = url.find('?');
  if (q == std::string_view::npos) return {};
  for (size_t at = q + 1; at < url.size();) {
    size_t end = url.find('&', at);
    if (end == std::string_view::npos) end = url.size();
    std::string_view pair = url.substr(at, end - at);
    if (pair.substr(0, param.size()) == param) return pair.substr(param.size());
    at = end + 1;
  }
  return {};
}

}  // namespace

Redactor& Redactor::add(std::string_view secret) {
  if (secret.empty() || std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return *this;
  auto at =
      std::find_if(secrets_.begin(), secrets_.end(), [&](const std::string& s) { return s.size() < secret.size(); });
  secrets_.insert(at, std::string(secret));
  return *this;
}

Redactor& Redactor::add_env(const char* name) {
  const char* value = std::getenv(name);
  return value ? add(value) : *this;
}

Redactor& Redactor::add_env_keys() {
  for (const char* name : kSecretEnvVars) add_env(name);
  return *this;
}

Redactor& Redactor::add_request(const HttpRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (!is_secret_header(ascii_lower(name))) continue;
    size_t sp = value.find(' ');
    add(sp == std::string::npos ? std::string_view(value) : std::string_view(value).substr(sp + 1));
  }
  for (std::string_view param : {"key=", "access_token=", "api_key="}) {
    std::string_view v = query_value(request.url, param);
    add(v);
    add(percent_decode(v));
  }
  return *this;
}

Redactor& Redactor::add_uri_password(std::string_view uri) {
  size_t scheme = uri.find("://");
  if (scheme != std::string_view::npos) {
    std::string_view rest = uri.substr(scheme + 3);
    std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
      std::string_view userinfo = authority.substr(0, at);
      size_t colon = userinfo.find(':');
      if (colon != std::string_view::npos) {
        add(userinfo.substr(colon + 1));
        add(percent_decode(userinfo.substr(colon + 1)));
      }
    }
  }
  std::string_view pw = query_value(uri, "password=");
  add(pw);
  add(percent_decode(pw));
  return *this;
}

Redactor& Redactor::add_private_key(std::string_view pem) {
  // Lines may be separated by real newlines or by the two characters "\n" of a JSON string.
  size_t at = 0;
  while (at < pem.size()) {
    size_t nl = pem.find('\n', at), esc = pem.find("\\n", at);
    size_t end = std::min(nl, esc);
    if (end == std::string_view::npos) end = pem.size();
    std::string_view line = pem.substr(at, end - at);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.size() >= 16 && line.find("-----") == std::string_view::npos) add(line);
    at = end + (end == esc ? 2 : 1);
  }
  return *this;
}

std::string Redactor::redact(std::string text) const {
  for (const auto& s : secrets_)
    for (size_t at = text.find(s); at != std::string::npos; at = text.find(s, at + mask_.size()))
      text.replace(at, s.size(), mask_);
  return text;
}

std::string redact(std::string text, std::string_view secret) { return Redactor().add(secret).redact(std::move(text)); }

}  // namespace pt
