// Tests for net/gcp_auth: a service-account JSON with a freshly generated RSA key, exchanged at
// the fake token endpoint (which verifies the RS256 signature); caching, expiry and errors.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "net/gcp_auth.h"
#include "support/fakes/fake_llm.h"

namespace pt {
namespace {

struct TestKey {
  std::string private_pem, public_pem;
};

TestKey generate_key() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  TestKey out;
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  out.private_pem.assign(data, static_cast<size_t>(n));
  BIO_free(b);
  b = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(b, key);
  n = BIO_get_mem_data(b, &data);
  out.public_pem.assign(data, static_cast<size_t>(n));
  BIO_free(b);
  EVP_PKEY_free(key);
  return out;
}

const TestKey& test_key() {
  static TestKey k = generate_key();
  return k;
}

std::string service_account(const std::string& token_uri, const std::string& pem) {
  return nlohmann::json{{"type", "service_account"},
                        {"project_id", "proj-1"},
                        {"private_key_id", "kid123"},
                        {"private_key", pem},
                        {"client_email", "sa@proj-1.iam.gserviceaccount.com"},
                        {"token_uri", token_uri}}
      .dump();
}

class GcpAuthTest : public ::testing::Test {
 protected:
  GcpAuthTest() : server_(config()) {}
  static fake::FakeLlmConfig config() {
    fake::FakeLlmConfig c;
    c.jwt_public_key_pem = test_key().public_pem;
    return c;
  }
  fake::FakeLlm server_;
};

TEST_F(GcpAuthTest, ExchangesASignedJwtAndCachesTheToken) {
  auto auth = GcpAuth::from_json(service_account(server_.base_url() + "/token", test_key().private_pem), "sa.json");
  ASSERT_TRUE(auth.ok()) << auth.error().message;
  EXPECT_EQ((*auth)->project_id(), "proj-1");
  auto t1 = (*auth)->access_token();
  ASSERT_TRUE(t1.ok()) << t1.error().message;
  EXPECT_EQ(*t1, "ya29.fake-1");
  auto t2 = (*auth)->access_token();
  ASSERT_TRUE(t2.ok());
  EXPECT_EQ(*t2, *t1);
  EXPECT_EQ((*auth)->token_fetches(), 1);
  EXPECT_EQ(server_.tokens_issued(), 1);
  EXPECT_EQ(server_.calls_to("/token"), 1u);
}

TEST_F(GcpAuthTest, RefreshesShortlyBeforeExpiry) {
  auto auth = GcpAuth::from_json(service_account(server_.base_url() + "/token", test_key().private_pem), "sa.json");
  ASSERT_TRUE(auth.ok());
  int64_t now = 1750000000;
  (*auth)->set_clock([&] { return now; });
  ASSERT_TRUE((*auth)->access_token().ok());
  now += 3600 - 301;  // still more than 5 minutes left
  EXPECT_EQ(*(*auth)->access_token(), "ya29.fake-1");
  now += 2;  // inside the 5-minute margin
  EXPECT_EQ(*(*auth)->access_token(), "ya29.fake-2");
  EXPECT_EQ((*auth)->token_fetches(), 2);
}

TEST_F(GcpAuthTest, ConcurrentCallersShareOneFetch) {
  auto auth = GcpAuth::from_json(service_account(server_.base_url() + "/token", test_key().private_pem), "sa.json");
  ASSERT_TRUE(auth.ok());
  std::vector<std::thread> threads;
  std::vector<std::string> got(8);
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      auto t = (*auth)->access_token();
      got[i] = t.ok() ? *t : t.error().message;
    });
  for (auto& t : threads) t.join();
  for (const auto& g : got) EXPECT_EQ(g, "ya29.fake-1");
  EXPECT_EQ(server_.tokens_issued(), 1);
}

TEST_F(GcpAuthTest, JwtHasTheExpectedShape) {
  auto auth = GcpAuth::from_json(service_account("https://oauth2.example/token", test_key().private_pem), "sa.json");
  ASSERT_TRUE(auth.ok());
  auto jwt = (*auth)->make_jwt(1000);
  ASSERT_TRUE(jwt.ok());
  auto d1 = jwt->find('.'), d2 = jwt->find('.', d1 + 1);
  ASSERT_NE(d2, std::string::npos);
  EXPECT_EQ(jwt->find('=', 0), std::string::npos);  // base64url without padding
  EXPECT_EQ(jwt->substr(0, d1), base64url(R"({"alg":"RS256","kid":"kid123","typ":"JWT"})"));
  std::string claims =
      R"({"aud":"https://oauth2.example/token","exp":4600,"iat":1000,"iss":"sa@proj-1.iam.gserviceaccount.com","scope":"https://www.googleapis.com/auth/cloud-platform"})";
  EXPECT_EQ(jwt->substr(d1 + 1, d2 - d1 - 1), base64url(claims));
  EXPECT_EQ(base64url("a"), "YQ");
  EXPECT_EQ(base64url("ab"), "YWI");
  EXPECT_EQ(base64url("\xfb\xff"), "-_8");
}

TEST_F(GcpAuthTest, WrongKeyIsRejectedWithoutLeakingSecrets) {
  TestKey other = generate_key();  // signature will not verify against the fake's public key
  auto auth = GcpAuth::from_json(service_account(server_.base_url() + "/token", other.private_pem), "sa.json");
  ASSERT_TRUE(auth.ok());
  auto t = (*auth)->access_token();
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("HTTP 400"), std::string::npos) << t.error().message;
  EXPECT_NE(t.error().message.find("invalid JWT signature"), std::string::npos);
  EXPECT_EQ(t.error().message.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(t.error().message.find(other.private_pem.substr(40, 40)), std::string::npos);
}

TEST(GcpAuth, BadCredentialsNameTheProblem) {
  auto a = GcpAuth::from_json("{}", "sa.json");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().message, "sa.json: client_email: missing (expected a service-account key JSON)");
  auto b = GcpAuth::from_json(
      service_account("x", "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"), "sa.json");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().message, "sa.json: private_key: not a PEM private key");
  EXPECT_EQ(b.error().message.find("not a key"), std::string::npos);
  auto c = GcpAuth::from_json("nope", "sa.json");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "sa.json: service-account credentials: invalid JSON");
}

TEST(GcpAuth, FromEnvReadsTheFileOrNamesTheVariable) {
  unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
  auto missing = GcpAuth::from_env();
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("GOOGLE_APPLICATION_CREDENTIALS is not set"), std::string::npos);
  std::string path = ::testing::TempDir() + "/sa-" + std::to_string(getpid()) + ".json";
  std::ofstream(path) << service_account("http://127.0.0.1:1/token", test_key().private_pem);
  setenv("GOOGLE_APPLICATION_CREDENTIALS", path.c_str(), 1);
  auto a = GcpAuth::shared_from_env();
  auto b = GcpAuth::shared_from_env();
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->get(), b->get());
  EXPECT_EQ((*a)->client_email(), "sa@proj-1.iam.gserviceaccount.com");
  unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace pt
