// Implementation of net/gcp_auth.h: JWT bearer grant (RFC 7523) with an RS256 signature from
// OpenSSL's EVP_DigestSign over the service account's PEM private key.
#include "net/gcp_auth.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "net/http.h"
#include "net/retry.h"
#include "util/read_file.h"

namespace pt {

struct GcpAuth::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

GcpAuth::~GcpAuth() = default;

std::string base64url(std::string_view data) {
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(data[k])); };
  for (; i + 2 < data.size(); i += 3) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += tbl[(v >> 18) & 63], out += tbl[(v >> 12) & 63], out += tbl[(v >> 6) & 63], out += tbl[v & 63];
  }
  if (i + 1 == data.size()) {
    unsigned v = byte(i) << 16;
    out += tbl[(v >> 18) & 63], out += tbl[(v >> 12) & 63];
  } else if (i + 2 == data.size()) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += tbl[(v >> 18) & 63], out += tbl[(v >> 12) & 63], out += tbl[(v >> 6) & 63];
  }
  return out;
}

Result<std::shared_ptr<GcpAuth>> GcpAuth::from_json(std::string_view text, const std::string& source,
                                                    std::string scope) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return runtime_error(source + ": service-account credentials: invalid JSON");
  auto field = [&](const char* name, bool required) -> Result<std::string> {
    auto it = doc.find(name);
    if (it == doc.end() || !it->is_string() || it->get<std::string>().empty()) {
      if (required)
        return runtime_error(fmt::format("{}: {}: missing (expected a service-account key JSON)", source, name));
      return std::string();
    }
    return it->get<std::string>();
  };
  std::shared_ptr<GcpAuth> auth(new GcpAuth());
  auth->source_ = source;
  auth->scope_ = std::move(scope);
  PT_ASSIGN_OR_RETURN(auth->client_email_, field("client_email", true));
  PT_ASSIGN_OR_RETURN(auth->private_key_id_, field("private_key_id", false));
  PT_ASSIGN_OR_RETURN(auth->project_id_, field("project_id", false));
  PT_ASSIGN_OR_RETURN(auth->token_uri_, field("token_uri", false));
  if (auth->token_uri_.empty()) auth->token_uri_ = "https://oauth2.googleapis.com/token";
  PT_ASSIGN_OR_RETURN(std::string pem, field("private_key", true));
  auth->key_lines_.add_private_key(pem);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  auth->key_ = std::make_unique<Key>();
  auth->key_->pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!auth->key_->pkey) return runtime_error(source + ": private_key: not a PEM private key");
  if (EVP_PKEY_base_id(auth->key_->pkey) != EVP_PKEY_RSA)
    return runtime_error(source + ": private_key: not an RSA key");
  return auth;
}

Result<std::shared_ptr<GcpAuth>> GcpAuth::from_file(const std::string& path, std::string scope) {
  PT_ASSIGN_OR_RETURN(std::string text, read_file(path, "cannot read service-account credentials"));
  return from_json(text, path, std::move(scope));
}

Result<std::shared_ptr<GcpAuth>> GcpAuth::from_env(std::string scope) {
  const char* path = std::getenv("GOOGLE_APPLICATION_CREDENTIALS");
  if (!path || !*path)
    return runtime_error("GOOGLE_APPLICATION_CREDENTIALS is not set (path to a service-account key JSON)");
  return from_file(path, std::move(scope));
}

Result<std::shared_ptr<GcpAuth>> GcpAuth::shared_from_env(std::string scope) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<GcpAuth>> cache;
  const char* path = std::getenv("GOOGLE_APPLICATION_CREDENTIALS");
  std::string key = std::string(path ? path : "") + "\n" + scope;
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  PT_ASSIGN_OR_RETURN(std::shared_ptr<GcpAuth> auth, from_env(scope));
  cache.emplace(key, auth);
  return auth;
}

void GcpAuth::set_clock(std::function<int64_t()> now_unix_s) {
  std::lock_guard<std::mutex> lock(mu_);
  clock_ = std::move(now_unix_s);
}

int64_t GcpAuth::token_fetches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fetches_;
}

std::string GcpAuth::redact(std::string text) const {
  std::string token;
  {
    std::lock_guard<std::mutex> lock(mu_);
    token = token_;
  }
  return Redactor(key_lines_).add(token).redact(std::move(text));
}

Result<std::string> GcpAuth::make_jwt(int64_t now) const {
  nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  if (!private_key_id_.empty()) header["kid"] = private_key_id_;
  nlohmann::json claims = {
      {"iss", client_email_}, {"scope", scope_}, {"aud", token_uri_}, {"iat", now}, {"exp", now + 3600}};
  std::string signing_input = base64url(header.dump()) + "." + base64url(claims.dump());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t sig_len = 0;
  std::string sig;
  bool ok = ctx && EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_->pkey) == 1 &&
            EVP_DigestSign(ctx, nullptr, &sig_len, reinterpret_cast<const unsigned char*>(signing_input.data()),
                           signing_input.size()) == 1;
  if (ok) {
    sig.resize(sig_len);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                        reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
    sig.resize(sig_len);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) return runtime_error(source_ + ": could not sign the token request (RS256)");
  return signing_input + "." + base64url(sig);
}

Result<std::string> GcpAuth::access_token() {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t now =
      clock_ ? clock_()
             : std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                   .count();
  if (!token_.empty() && now < expires_at_s_ - 300) return token_;
  PT_ASSIGN_OR_RETURN(std::string jwt, make_jwt(now));
  HttpRequest req;
  req.method = "POST";
  req.url = token_uri_;
  req.timeout_ms = 30000;
  req.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  req.body = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + jwt;
  RetryPolicy policy;
  policy.max_attempts = 4;
  policy.base_delay_ms = 300;
  auto parses = [](const HttpResponse& r) {
    auto doc = nlohmann::json::parse(r.body, nullptr, false);
    return doc.is_object() && doc.contains("access_token") && doc["access_token"].is_string();
  };
  HttpResponse r = http_call_with_retry(req, policy, parses);
  ++fetches_;
  if (r.status == 0) return runtime_error(fmt::format("{}: token exchange failed: {}", token_uri_, r.transport_error));
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (r.status < 200 || r.status >= 300) {
    std::string why;
    if (doc.is_object() && doc.contains("error_description") && doc["error_description"].is_string())
      why = doc["error_description"].get<std::string>();
    else if (doc.is_object() && doc.contains("error") && doc["error"].is_string())
      why = doc["error"].get<std::string>();
    why = Redactor(key_lines_).add(jwt).redact(std::move(why));  // a token server may echo the assertion
    if (why.size() > 200) why.resize(200);
    return runtime_error(
        fmt::format("{}: token exchange for {} failed: HTTP {} {}", token_uri_, client_email_, r.status, why));
  }
  if (!parses(r)) return runtime_error(token_uri_ + ": token exchange: malformed response body");
  token_ = doc["access_token"].get<std::string>();
  int64_t expires_in =
      doc.contains("expires_in") && doc["expires_in"].is_number_integer() ? doc["expires_in"].get<int64_t>() : 3600;
  expires_at_s_ = now + expires_in;
  return token_;
}

}  // namespace pt
