// Google service-account auth shared by Vertex AI, BigQuery and GCS: reads the service-account
// JSON (GOOGLE_APPLICATION_CREDENTIALS), signs an RS256 JWT with its private key (OpenSSL),
// exchanges it at the JSON's token_uri (so tests point it at a fake) and caches the access token
// until 5 minutes before it expires. Thread-safe; errors never contain the key or the token.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "net/secrets.h"
#include "util/result.h"

namespace pt {

class GcpAuth {
 public:
  static constexpr const char* kCloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

  // From the file named by GOOGLE_APPLICATION_CREDENTIALS (error naming the variable if unset).
  static Result<std::shared_ptr<GcpAuth>> from_env(std::string scope = kCloudPlatformScope);
  // One shared instance per (credentials path, scope), so every client reuses one cached token.
  static Result<std::shared_ptr<GcpAuth>> shared_from_env(std::string scope = kCloudPlatformScope);
  static Result<std::shared_ptr<GcpAuth>> from_file(const std::string& path, std::string scope = kCloudPlatformScope);
  // `source_name` names the JSON in errors (a path).
  static Result<std::shared_ptr<GcpAuth>> from_json(std::string_view json, const std::string& source_name,
                                                    std::string scope = kCloudPlatformScope);

  // A valid access token: cached, or fetched (blocking, with retries) when missing or within
  // 5 minutes of expiry.
  Result<std::string> access_token();
  // The signed assertion for a given issue time (exposed for tests).
  Result<std::string> make_jwt(int64_t now_unix_s) const;

  const std::string& project_id() const { return project_id_; }
  const std::string& client_email() const { return client_email_; }
  const std::string& token_uri() const { return token_uri_; }
  int64_t token_fetches() const;  // how many token exchanges were made (tests, diagnostics)
  // `text` with the cached access token and every line of the private key masked (net/secrets.h):
  // for error text of the clients that use this auth.
  std::string redact(std::string text) const;

  // Seconds since the Unix epoch; replaceable for tests.
  void set_clock(std::function<int64_t()> now_unix_s);

  ~GcpAuth();
  GcpAuth(const GcpAuth&) = delete;
  GcpAuth& operator=(const GcpAuth&) = delete;

 private:
  GcpAuth() = default;
  struct Key;
  std::unique_ptr<Key> key_;
  Redactor key_lines_;  // the private key's lines, learned once
  std::string source_, client_email_, private_key_id_, token_uri_, project_id_, scope_;
  mutable std::mutex mu_;
  std::string token_;
  int64_t expires_at_s_ = 0;
  int64_t fetches_ = 0;
  std::function<int64_t()> clock_;
};

// base64url without padding (JWT encoding).
std::string base64url(std::string_view data);

}  // namespace pt
