// The one redactor: every message that may reach a user, a log or a store passes through a
// Redactor that knows the secrets in play — API keys from the environment, bearer tokens and key
// headers of a request, `key=` / `access_token=` query parameters, passwords in URIs and the
// lines of a service-account private key — and masks each occurrence.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace pt {

struct HttpRequest;

// The environment variables whose values are credentials (docs/SECURITY.md).
inline constexpr const char* kSecretEnvVars[] = {"ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY"};

class Redactor {
 public:
  explicit Redactor(std::string mask = "[redacted]") : mask_(std::move(mask)) {}

  // A literal secret value (ignored when empty).
  Redactor& add(std::string_view secret);
  // The value of environment variable `name`, when set.
  Redactor& add_env(const char* name);
  // The values of every variable of kSecretEnvVars that is set.
  Redactor& add_env_keys();
  // The credentials a request carries: authorization / api-key / token headers (the token alone
  // after a "Bearer "-style scheme, so the scheme stays readable) and the `key=`,
  // `access_token=`, `api_key=` parameters of its URL.
  Redactor& add_request(const HttpRequest& request);
  // The password of SCHEME://USER:PASSWORD@HOST/… and of a `password=` query parameter, both as
  // written (percent-encoded) and decoded.
  Redactor& add_uri_password(std::string_view uri);
  // Every base64 line (of 16+ characters: a shorter last line identifies nothing and would mask
  // ordinary text) of a PEM private key, a service account's `private_key`, so no line of it
  // survives even when the key appears JSON-escaped or cut.
  Redactor& add_private_key(std::string_view pem);

  // `text` with every occurrence of every secret (longest first) replaced by the mask.
  std::string redact(std::string text) const;
  bool empty() const { return secrets_.empty(); }

 private:
  std::string mask_;
  std::vector<std::string> secrets_;  // longest first
};

// Every occurrence of `secret` (when non-empty) replaced by "[redacted]".
std::string redact(std::string text, std::string_view secret);

}  // namespace pt
