// Secret-leak grep (issue 10, docs/SECURITY.md): the main commands run with canary credentials in
// ANTHROPIC_API_KEY, OPENAI_API_KEY, GEMINI_API_KEY, a service-account JSON
// (GOOGLE_APPLICATION_CREDENTIALS, tests/support/fakes/test_keys.h) and store URIs with passwords —
// successful runs and failing ones (401s whose bodies echo the key, rejected JWTs, refused
// connections). No canary, no line of the private key and no issued access token may appear in
// stdout, stderr, any file written under the output directory, the report or the store's bytes.
#include <gtest/gtest.h>

#include "hardening/cli_fixture.h"
#include "source_dir.h"
#include "store/postgres/pg_test_db.h"
#include "support/fakes/fake_llm.h"
#include "support/fakes/fake_tuning.h"
#include "support/fakes/test_keys.h"

namespace pt {
namespace {

using hardening::picktune;
namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kAnthropicKey = "sk-ant-CANARY-anthropic-5f1e";
constexpr const char* kOpenAiKey = "sk-CANARY-openai-93ab7c";
constexpr const char* kGeminiKey = "AIzaCANARY-gemini-4d2b19";
constexpr const char* kPgPassword = "pgCANARYpass-8c31";
constexpr const char* kTeacher = "anthropic:claude-opus-4-20250514";

class SecretLeak : public ::testing::Test {
 protected:
  void SetUp() override {
    in_ = dir_.path() / "in";
    out_ = dir_.path() / "out";
    fs::create_directories(in_);
    fs::create_directories(out_);
    hardening::write_text(in_ / "traces.jsonl", hardening::traces_jsonl(40));
    fs::copy_file(fs::path(PICKTUNE_SOURCE_DIR) / "data/finetunes.json", out_ / "finetunes.json");
  }

  // A service-account JSON (the test private key) whose token_uri is `token_base` + /token.
  std::string service_account(const std::string& token_base) {
    json sa = {{"type", "service_account"},
               {"project_id", "canary-project"},
               {"private_key_id", "kid-1"},
               {"private_key", fake::test_private_key_pem()},
               {"client_email", "picker@canary-project.iam.gserviceaccount.com"},
               {"token_uri", token_base + "/token"}};
    std::string path = (in_ / "sa.json").string();
    hardening::write_text(path, sa.dump());
    return path;
  }

  // Environment with every credential set; base URLs point at `llm` (when given).
  std::vector<std::string> env(const std::string& llm_base = "http://127.0.0.1:9") {
    return {std::string("ANTHROPIC_API_KEY=") + kAnthropicKey,
            std::string("OPENAI_API_KEY=") + kOpenAiKey,
            std::string("GEMINI_API_KEY=") + kGeminiKey,
            "GOOGLE_APPLICATION_CREDENTIALS=" + service_account(llm_base),
            "ANTHROPIC_BASE_URL=" + llm_base,
            "OPENAI_BASE_URL=" + llm_base + "/v1",
            "GEMINI_BASE_URL=" + llm_base,
            "VERTEX_BASE_URL=" + llm_base,
            "VERTEX_PROJECT=canary-project",
            "VERTEX_LOCATION=us-central1",
            std::string("PGPASSWORD=") + kPgPassword};
  }

  std::string store() const { return "sqlite:" + (out_ / "store.db").string(); }
  pt_test::CliResult run(std::vector<std::string> args, const std::vector<std::string>& e) {
    args.insert(args.begin(), {"--store", store()});
    return picktune(args, out_.string(), e, &transcript_);
  }

  // A relabel by `teacher` against a fake that wants `expected_key`, echoes keys in its errors
  // and fails 30% of calls; returns the exit code.
  int relabel(const std::string& teacher, const std::string& expected_key, const std::string& jwt_pub = "") {
    fake::FakeLlmConfig cfg;
    cfg.expect_key = expected_key;
    cfg.echo_key_in_errors = true;
    cfg.fail_rate = 0.3;
    cfg.timeout_ms = 600;
    cfg.jwt_public_key_pem = jwt_pub;
    cfg.record_bodies = false;
    fake::FakeLlm fake(cfg);
    auto r = run({"relabel", "--teacher", teacher, "--timeout", "0.3", "--max-retries", "8", "--max-backoff", "0.05",
                  "--price-as", "free", "--progress", "plain", "--progress-interval", "0.05"},
                 env(fake.base_url()));
    return r.exit_code;
  }

  // Greps everything the commands printed and every file under out/ for the secrets.
  void expect_no_secrets(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> secrets = {kAnthropicKey, kOpenAiKey,   kGeminiKey,      kPgPassword,
                                        "CANARY",      "ya29.fake-", "fake-gcp-token"};
    secrets.insert(secrets.end(), extra.begin(), extra.end());
    for (const auto& line : hardening::pem_body_lines(fake::test_private_key_pem())) secrets.push_back(line);
    auto files = hardening::all_files(out_);
    ASSERT_FALSE(files.empty());
    for (const auto& s : secrets) {
      EXPECT_EQ(transcript_.find(s), std::string::npos)
          << "printed: " << s << "\n"
          << transcript_.substr(transcript_.find(s) > 300 ? transcript_.find(s) - 300 : 0, 600);
      for (const auto& [path, bytes] : files)
        EXPECT_EQ(bytes.find(s), std::string::npos) << s << " written to " << path;
    }
  }

  hardening::ScratchDir dir_{"secrets"};
  fs::path in_, out_;
  std::string transcript_;
};

TEST_F(SecretLeak, ImportRelabelEvalCollectExportReportNeverLeakCredentials) {
  ASSERT_EQ(run({"import", "jsonl", (in_ / "traces.jsonl").string()}, env()).exit_code, 0) << transcript_;

  // Successful (with faults whose error bodies echo the key) on every provider.
  EXPECT_EQ(relabel(kTeacher, kAnthropicKey), 0) << transcript_;
  EXPECT_EQ(relabel("openai:gpt-4.1-mini", kOpenAiKey), 0) << transcript_;
  EXPECT_EQ(relabel("gemini:gemini-2.0-flash", kGeminiKey), 0) << transcript_;
  EXPECT_EQ(relabel("vertex:gemini-2.0-flash-001", "", hardening::public_key_pem(fake::test_private_key_pem())), 0)
      << transcript_;
  // Failing: 401s whose bodies carry the rejected key, a token endpoint rejecting the JWT.
  EXPECT_EQ(relabel("anthropic:claude-sonnet-4", "sk-ant-the-right-one"), 1) << transcript_;
  EXPECT_EQ(relabel("openai:gpt-4.1", "sk-the-right-one"), 1) << transcript_;
  EXPECT_EQ(relabel("gemini:gemini-2.5-pro", "AIza-the-right-one"), 1) << transcript_;
  EXPECT_EQ(relabel("vertex:gemini-2.5-flash", "", hardening::unrelated_public_key_pem()), 1) << transcript_;
  EXPECT_NE(transcript_.find("401"), std::string::npos) << "the failing runs did fail on credentials";

  {  // eval relabel: one candidate answers, one is refused.
    fake::FakeLlmConfig cfg;
    cfg.expect_key = kGeminiKey;
    cfg.echo_key_in_errors = true;
    fake::FakeLlm fake(cfg);
    EXPECT_EQ(run({"eval", "relabel", "--models", "gemini:gemini-2.0-flash-lite", "--limit", "12", "--price-as", "free",
                   "--progress", "none"},
                  env(fake.base_url()))
                  .exit_code,
              0)
        << transcript_;
    fake::FakeLlmConfig bad = cfg;
    bad.expect_key = "sk-the-right-one";
    fake::FakeLlm refusing(bad);
    EXPECT_EQ(run({"eval", "relabel", "--models", "openai:gpt-4o", "--limit", "12", "--price-as", "free", "--progress",
                   "none"},
                  env(refusing.base_url()))
                  .exit_code,
              1);
  }
  EXPECT_EQ(run({"eval", "score", "--models", "openai:gpt-4.1-mini,gemini:gemini-2.0-flash,vertex:gemini-2.0-flash-001",
                 "--reference", kTeacher, "--report", (out_ / "report.html").string(), "--bootstrap", "50"},
                env())
                .exit_code,
            0)
      << transcript_;
  EXPECT_EQ(
      run({"collect", "--teacher", kTeacher, "-o", (out_ / "data").string(), "--validation-fraction", "0.25"}, env())
          .exit_code,
      0)
      << transcript_;
  EXPECT_EQ(run({"export", "relabels", "-o", (out_ / "relabels.jsonl").string()}, env()).exit_code, 0) << transcript_;
  EXPECT_EQ(run({"relabels", "--limit", "0"}, env()).exit_code, 0);
  EXPECT_EQ(run({"traces", "--json"}, env()).exit_code, 0);
  EXPECT_EQ(run({"student", "train", "--teacher", kTeacher, "-o", (out_ / "student.model").string()}, env()).exit_code,
            0)
      << transcript_;

  ASSERT_TRUE(fs::exists(out_ / "report.html"));
  ASSERT_TRUE(fs::exists(out_ / "data.jsonl"));
  expect_no_secrets();
}

TEST_F(SecretLeak, TuneSubmitAndStatusNeverLeakCredentials) {
  ASSERT_EQ(run({"import", "jsonl", (in_ / "traces.jsonl").string()}, env()).exit_code, 0) << transcript_;
  ASSERT_EQ(relabel(kTeacher, kAnthropicKey), 0) << transcript_;  // the teacher's answers become the tuning data
  ASSERT_EQ(
      run({"collect", "--teacher", kTeacher, "-o", (out_ / "data").string(), "--validation-fraction", "0.25"}, env())
          .exit_code,
      0)
      << transcript_;
  // OpenAI takes chat lines, Vertex Gemini lines (issue 20: a mismatch is refused before upload).
  ASSERT_EQ(run({"collect", "--teacher", kTeacher, "-o", (out_ / "data-openai").string(), "--format", "openai",
                 "--validation-fraction", "0.25"},
                env())
                .exit_code,
            0)
      << transcript_;
  std::string registry = (out_ / "finetunes.json").string();
  auto submit = [&](const std::string& provider, const std::string& id, const std::vector<std::string>& e) {
    std::string data = (out_ / (provider == "openai" ? "data-openai" : "data")).string();
    return run({"tune", "--registry", registry, "submit", "--provider", provider, "--train", data + ".jsonl",
                "--validation", data + "-validation.jsonl", "--id", id, "--bucket", "canary-bucket"},
               e)
        .exit_code;
  };
  {
    fake::FakeTuning tuning;
    std::vector<std::string> e = env(tuning.base_url());
    e.push_back("GCS_BASE_URL=" + tuning.base_url());
    EXPECT_EQ(submit("vertex", "ft_leak_vertex_001", e), 0) << transcript_;
    EXPECT_EQ(submit("openai", "ft_leak_openai_001", e), 0) << transcript_;
    EXPECT_EQ(run({"tune", "--registry", registry, "status", "ft_leak_openai_001"}, e).exit_code, 0) << transcript_;
  }
  {
    fake::FakeTuningConfig cfg;
    cfg.expect_bearer = "sk-the-right-one";
    cfg.echo_bearer_in_errors = true;  // the 401 bodies quote the key / access token
    fake::FakeTuning refusing(cfg);
    std::vector<std::string> e = env(refusing.base_url());
    e.push_back("GCS_BASE_URL=" + refusing.base_url());
    EXPECT_EQ(submit("openai", "ft_leak_openai_002", e), 1) << transcript_;
    EXPECT_EQ(submit("vertex", "ft_leak_vertex_002", e), 1) << transcript_;
  }
  expect_no_secrets();
}

TEST_F(SecretLeak, PostgresPasswordsNeverLeak) {
  // A server that refuses the connection: the error names the store without its password.
  auto refused =
      picktune({"--store", std::string("postgres://picker:") + kPgPassword + "@127.0.0.1:1/picktune", "traces"},
               out_.string(), env(), &transcript_);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("127.0.0.1"), std::string::npos) << refused.err;
  auto refused_env =
      picktune({"--store", "postgres://picker@127.0.0.1:1/picktune", "relabels"}, out_.string(), env(), &transcript_);
  EXPECT_EQ(refused_env.exit_code, 1);
  auto in_query = picktune(
      {"--store", std::string("postgresql://picker@127.0.0.1:1/picktune?sslmode=disable&password=") + kPgPassword,
       "traces"},
      out_.string(), env(), &transcript_);
  EXPECT_EQ(in_query.exit_code, 1);
  // A libpq keyword string is not a store URI: the usage error must not echo it back.
  auto keywords =
      picktune({"--store", std::string("host=127.0.0.1 port=1 user=picker password=") + kPgPassword, "traces"},
               out_.string(), env(), &transcript_);
  EXPECT_EQ(keywords.exit_code, 2);
  EXPECT_NE(keywords.err.find("unknown store"), std::string::npos) << keywords.err;

  std::vector<std::string> extra;
  std::string uri = pt_test::pg_test_uri();
  if (uri.empty() && pt_test::pg_required()) FAIL() << pt_test::kPgMissing;
  if (!uri.empty()) {
    pt_test::PgTestSchema schema(uri);
    std::string password = pt_test::pg_password(uri);
    ASSERT_FALSE(password.empty()) << "the test server's URI carries a password";
    extra.push_back(password);
    auto pg = [&](std::vector<std::string> args) {
      args.insert(args.begin(), {"--store", schema.uri()});
      return picktune(args, out_.string(), env(), &transcript_);
    };
    EXPECT_EQ(pg({"import", "jsonl", (in_ / "traces.jsonl").string()}).exit_code, 0) << transcript_;
    EXPECT_EQ(pg({"relabel", "--teacher", "local:bm25", "--progress", "none"}).exit_code, 0) << transcript_;
    EXPECT_EQ(pg({"relabels"}).exit_code, 0) << transcript_;
    EXPECT_EQ(pg({"collect", "--teacher", "local:bm25", "-o", (out_ / "pg-data").string()}).exit_code, 0)
        << transcript_;
    // A wrong password: the failure names the server, never either password.
    std::string wrong = uri;
    wrong.replace(wrong.find(password), password.size(), kPgPassword);
    auto denied = picktune({"--store", wrong, "traces"}, out_.string(), env(), &transcript_);
    EXPECT_EQ(denied.exit_code, 1);
  } else {
    hardening::write_text(out_ / "no-pg.txt", "PICKTUNE_TEST_PG_URI not set: only the refused-connection case ran\n");
  }
  expect_no_secrets(extra);
}

}  // namespace
}  // namespace pt
