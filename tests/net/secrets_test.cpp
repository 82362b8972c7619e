// Tests for net/secrets (the one redactor): one test per kind of secret it learns — a literal,
// environment API keys, request headers (bearer tokens, key headers), URL query keys, passwords
// in URIs, a service-account private key — plus the mask and the longest-first rule.
#include "net/secrets.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "net/http.h"
#include "support/fakes/test_keys.h"

namespace pt {
namespace {

TEST(Redactor, LiteralSecretEveryOccurrence) {
  EXPECT_EQ(redact("a s3cret b s3crets3cret", "s3cret"), "a [redacted] b [redacted][redacted]");
  EXPECT_EQ(redact("nothing to hide", ""), "nothing to hide");
  EXPECT_EQ(Redactor("***").add("pw").redact("pw=pw"), "***=***");
}

TEST(Redactor, EnvironmentApiKeys) {
  ::setenv("ANTHROPIC_API_KEY", "sk-ant-ENVKEY-1", 1);
  ::setenv("OPENAI_API_KEY", "sk-ENVKEY-2", 1);
  ::unsetenv("GEMINI_API_KEY");
  std::string out = Redactor().add_env_keys().redact("keys sk-ant-ENVKEY-1 and sk-ENVKEY-2, not GEMINI");
  EXPECT_EQ(out, "keys [redacted] and [redacted], not GEMINI");
  ::unsetenv("ANTHROPIC_API_KEY");
  ::unsetenv("OPENAI_API_KEY");
  EXPECT_TRUE(Redactor().add_env_keys().empty());
}

TEST(Redactor, BearerTokensAndKeyHeadersKeepTheScheme) {
  HttpRequest req;
  req.url = "https://api.example.test/v1/messages";
  req.headers = {{"Authorization", "Bearer ya29.TOKEN-abc"},
                 {"x-api-key", "sk-ant-HEADER-1"},
                 {"x-goog-api-key", "AIza-HEADER-2"},
                 {"content-type", "application/json"}};
  std::string out = Redactor().add_request(req).redact(
      "sent Bearer ya29.TOKEN-abc, sk-ant-HEADER-1, AIza-HEADER-2 as application/json");
  EXPECT_EQ(out, "sent Bearer [redacted], [redacted], [redacted] as application/json");
}

TEST(Redactor, KeyQueryParameters) {
  HttpRequest req;
  req.url = "https://g.example.test/v1beta/models/m:generateContent?alt=json&key=AIzaQUERY%2B1&access_token=tokQ2";
  std::string out = Redactor().add_request(req).redact("url ?key=AIzaQUERY%2B1 decoded AIzaQUERY+1 token tokQ2");
  EXPECT_EQ(out, "url ?key=[redacted] decoded [redacted] token [redacted]");
  HttpRequest no_query;
  no_query.url = "https://g.example.test/v1/x?monkey=banana";
  EXPECT_TRUE(Redactor().add_request(no_query).empty());
}

TEST(Redactor, PasswordsInUris) {
  Redactor r("***");
  r.add_uri_password("postgresql://alice:p%40ss:w@db.example:5432/traces?sslmode=require&password=other%21");
  EXPECT_EQ(r.redact("a p%40ss:w b p@ss:w c other%21 d other! e alice db.example"),
            "a *** b *** c *** d *** e alice db.example");
  EXPECT_TRUE(Redactor().add_uri_password("postgres://bob@h/db").empty());
  EXPECT_TRUE(Redactor().add_uri_password("sqlite:/tmp/x.db").empty());
}

TEST(Redactor, ServiceAccountPrivateKeyLines) {
  const std::string& pem = fake::test_private_key_pem();
  Redactor r;
  r.add_private_key(pem);
  ASSERT_FALSE(r.empty());
  // Neither the PEM as is nor the JSON-escaped form of it (as in the credentials file) survives.
  std::string escaped = nlohmann::json(pem).dump();
  for (const std::string& text : {pem, escaped}) {
    std::string out = r.redact("key: " + text);
    size_t body_lines = 0;
    for (size_t at = 0, nl; at < pem.size(); at = nl + 1) {
      nl = pem.find('\n', at);
      if (nl == std::string::npos) nl = pem.size();
      std::string line = pem.substr(at, nl - at);
      if (line.size() < 16 || line.find("-----") != std::string::npos) continue;  // the contract
      ++body_lines;
      EXPECT_EQ(out.find(line), std::string::npos) << line;
    }
    EXPECT_GT(body_lines, 5u);
    EXPECT_NE(out.find("-----BEGIN"), std::string::npos);  // the armour is not a secret
  }
}

TEST(Redactor, LongestSecretFirst) {
  Redactor r;
  r.add("abcd").add("abcdefgh");
  EXPECT_EQ(r.redact("abcdefgh abcd"), "[redacted] [redacted]");
}

}  // namespace
}  // namespace pt
