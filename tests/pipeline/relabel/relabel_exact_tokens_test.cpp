// `picktune relabel --dry-run --exact-tokens N` as a process against the fake's strict count
// routes: the corrected total equals the provider's counts (Anthropic, Gemini) when every trace is sampled, each count
// request is the relabel's request minus max_tokens/temperature, a partial sample is scaled by its
// ratio, 429s are retried, and a missing key, an openai: teacher or a missing --dry-run stop it
// before any call.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "net/http.h"
#include "pipeline/relabel/relabel_fixtures.h"
#include "pipeline/relabel/spawn.h"
#include "support/fakes/fake_llm.h"

namespace pt {
namespace {

using testing::Child;
using testing::slurp;
using testing::TempStore;

constexpr const char* kClaude = "anthropic:claude-sonnet-4-20250514";
constexpr const char* kKey = "sk-ant-exact-SECRETKEY-93c1";

struct CliRun {
  int exit_code;
  std::string out, err;
};

CliRun relabel(const TempStore& ts, const std::string& teacher, const std::string& base_url,
               const std::vector<std::string>& extra, const std::vector<std::pair<std::string, std::string>>& env,
               const std::string& tag) {
  std::vector<std::string> argv = {PICKTUNE_BINARY, "relabel",    "--teacher", teacher,        "--store",
                                   ts.uri(),        "--base-url", base_url,    "--no-progress"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto dir = ts.dir().string();
  Child c = testing::spawn(argv, env, dir + "/" + tag + ".out", dir + "/" + tag + ".err");
  int code = testing::wait_child(c);
  return {code, slurp(dir + "/" + tag + ".out"), slurp(dir + "/" + tag + ".err")};
}

// A number printed after `label` in the dry run's output (-1 when absent).
double number_after(const std::string& out, const std::string& label) {
  std::smatch m;
  std::regex re(label + R"(\s*\$?([0-9]+(\.[0-9]+)?))");
  return std::regex_search(out, m, re) ? std::stod(m[1]) : -1;
}

std::vector<fake::FakeCall> calls_to(const fake::FakeLlm& fake, const std::string& path) {
  std::vector<fake::FakeCall> out;
  for (auto& c : fake.calls())
    if (c.path == path) out.push_back(c);
  return out;
}

// The fake's own answer to a recorded count request (asked again, with the key).
int64_t fake_count(const fake::FakeLlm& fake, const fake::FakeCall& call) {
  HttpRequest r;
  r.url = fake.base_url() + call.path;
  const bool anthropic = call.path == "/v1/messages/count_tokens";
  r.headers = {{"content-type", "application/json"}};
  if (anthropic)
    r.headers.insert(r.headers.end(), {{"x-api-key", kKey}, {"anthropic-version", "2023-06-01"}});
  else
    r.headers.emplace_back("x-goog-api-key", kKey);
  r.body = call.body;
  HttpResponse resp = http_call(r);
  EXPECT_EQ(resp.status, 200) << resp.body;
  return nlohmann::json::parse(resp.body).value(anthropic ? "input_tokens" : "totalTokens", int64_t{-1});
}

TEST(RelabelExactTokens, EveryTraceSampledGivesTheProvidersCountForTheRequestsTheRelabelSends) {
  TempStore ts;
  ts.add_traces(12, true);
  ts.close();
  fake::FakeLlmConfig cfg;
  cfg.expect_key = kKey;
  fake::FakeLlm fake(cfg);
  std::vector<std::pair<std::string, std::string>> env = {{"ANTHROPIC_API_KEY", kKey}};
  CliRun dry = relabel(ts, kClaude, fake.base_url(), {"--dry-run", "--exact-tokens", "50"}, env, "dry");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;

  auto counts = calls_to(fake, "/v1/messages/count_tokens");
  ASSERT_EQ(counts.size(), 12u) << "one count per trace, none of them retried";
  EXPECT_EQ(fake.calls().size(), 12u) << "no paid call";
  int64_t provider_total = 0;
  std::set<std::string> count_bodies;
  for (const auto& c : counts) {
    EXPECT_EQ(c.status, 200);
    provider_total += fake_count(fake, c);
    count_bodies.insert(nlohmann::json::parse(c.body).dump());
  }
  EXPECT_EQ(number_after(dry.out, "corrected:"), static_cast<double>(provider_total)) << dry.out;
  EXPECT_NE(dry.out.find("exact count of 12 sampled traces"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("every trace counted exactly"), std::string::npos) << dry.out;
  EXPECT_GT(number_after(dry.out, "input tokens:"), 0) << "the local estimate is shown beside it: " << dry.out;
  EXPECT_EQ(dry.out.find("SECRETKEY"), std::string::npos);

  // The real relabel sends exactly what was counted (plus max_tokens and temperature).
  CliRun real = relabel(ts, kClaude, fake.base_url(), {}, env, "real");
  ASSERT_EQ(real.exit_code, 0) << real.err;
  std::set<std::string> sent;
  for (const auto& c : calls_to(fake, "/v1/messages")) {
    auto body = nlohmann::json::parse(c.body);
    body.erase("max_tokens");
    body.erase("temperature");
    sent.insert(body.dump());
  }
  EXPECT_EQ(sent.size(), 12u);
  EXPECT_EQ(sent, count_bodies);
}

TEST(RelabelExactTokens, AGeminiTeacherIsCountedByCountTokens) {
  TempStore ts;
  ts.add_traces(5);
  ts.close();
  fake::FakeLlmConfig cfg;
  cfg.expect_key = kKey;
  fake::FakeLlm fake(cfg);
  CliRun dry = relabel(ts, "gemini:gemini-2.5-flash", fake.base_url(), {"--dry-run", "--exact-tokens", "10"},
                       {{"GEMINI_API_KEY", kKey}}, "gemini");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  auto counts = calls_to(fake, "/v1beta/models/gemini-2.5-flash:countTokens");
  ASSERT_EQ(counts.size(), 5u);
  EXPECT_EQ(fake.calls().size(), 5u) << "no paid call";
  int64_t provider_total = 0;
  for (const auto& c : counts) provider_total += fake_count(fake, c);
  EXPECT_EQ(number_after(dry.out, "corrected:"), static_cast<double>(provider_total)) << dry.out;
}

TEST(RelabelExactTokens, APartialSampleIsDeterministicAndScalesTheEstimateByItsRatio) {
  TempStore ts;
  ts.add_traces(30);
  ts.close();
  fake::FakeLlmConfig cfg;
  cfg.expect_key = kKey;
  fake::FakeLlm fake(cfg);
  std::vector<std::pair<std::string, std::string>> env = {{"ANTHROPIC_API_KEY", kKey}};
  CliRun a = relabel(ts, kClaude, fake.base_url(), {"--dry-run", "--exact-tokens", "5"}, env, "a");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto first = calls_to(fake, "/v1/messages/count_tokens");
  ASSERT_EQ(first.size(), 5u);
  EXPECT_NE(a.out.find("exact count of 5 sampled traces"), std::string::npos) << a.out;
  double local_total = number_after(a.out, "input tokens:");
  double exact = number_after(a.out, "by the provider:");
  double local_sample = number_after(a.out, "tokens vs");
  double corrected = number_after(a.out, "corrected:");
  ASSERT_GT(local_sample, 0) << a.out;
  EXPECT_NEAR(corrected, local_total * exact / local_sample, 1.0) << a.out;
  EXPECT_NE(corrected, local_total) << "the fake counts differently from the local tokenizer: " << a.out;

  CliRun b = relabel(ts, kClaude, fake.base_url(), {"--dry-run", "--exact-tokens", "5"}, env, "b");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto all = calls_to(fake, "/v1/messages/count_tokens");
  ASSERT_EQ(all.size(), 10u);
  std::multiset<std::string> run1, run2;
  for (size_t i = 0; i < 5; ++i) run1.insert(all[i].body), run2.insert(all[i + 5].body);
  EXPECT_EQ(run1, run2) << "the same traces are sampled again";
  EXPECT_EQ(a.out, b.out);
  int64_t sample_total = 0;
  for (const auto& c : first) sample_total += fake_count(fake, c);
  EXPECT_EQ(exact, static_cast<double>(sample_total));
}

TEST(RelabelExactTokens, RateLimitedCountsAreRetried) {
  TempStore ts;
  ts.add_traces(6);
  ts.close();
  fake::FakeLlmConfig cfg;
  cfg.expect_key = kKey;
  cfg.faults = {fake::Fault::rate_limit};
  cfg.fail_first_n = 3;
  fake::FakeLlm fake(cfg);
  CliRun r = relabel(ts, kClaude, fake.base_url(), {"--dry-run", "--exact-tokens", "6", "--concurrency", "2"},
                     {{"ANTHROPIC_API_KEY", kKey}}, "retry");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto counts = calls_to(fake, "/v1/messages/count_tokens");
  int limited = 0;
  for (const auto& c : counts) limited += c.status == 429;
  EXPECT_EQ(limited, 3);
  EXPECT_EQ(counts.size(), 9u);
  EXPECT_NE(r.out.find("exact count of 6 sampled traces"), std::string::npos) << r.out;
}

TEST(RelabelExactTokens, MissingKeyOpenaiTeacherOrNoDryRunStopBeforeAnyCall) {
  TempStore ts;
  ts.add_traces(4);
  ts.close();
  fake::FakeLlm fake;
  unsetenv("ANTHROPIC_API_KEY");
  unsetenv("OPENAI_API_KEY");
  CliRun no_key = relabel(ts, kClaude, fake.base_url(), {"--dry-run", "--exact-tokens", "3"}, {}, "nokey");
  EXPECT_EQ(no_key.exit_code, 1);
  EXPECT_EQ(no_key.err, "picktune: ANTHROPIC_API_KEY is not set (needed for " + std::string(kClaude) + ")\n");

  CliRun openai = relabel(ts, "openai:gpt-4.1", fake.base_url(), {"--dry-run", "--exact-tokens", "3"},
                          {{"OPENAI_API_KEY", "sk-openai-x"}}, "openai");
  EXPECT_EQ(openai.exit_code, 2);
  EXPECT_EQ(std::count(openai.err.begin(), openai.err.end(), '\n'), 1) << openai.err;
  EXPECT_NE(openai.err.find("--exact-tokens"), std::string::npos) << openai.err;
  EXPECT_NE(openai.err.find("no token-count endpoint"), std::string::npos) << openai.err;

  CliRun no_dry =
      relabel(ts, kClaude, fake.base_url(), {"--exact-tokens", "3"}, {{"ANTHROPIC_API_KEY", kKey}}, "nodry");
  EXPECT_EQ(no_dry.exit_code, 2);
  EXPECT_NE(no_dry.err.find("--exact-tokens needs --dry-run"), std::string::npos) << no_dry.err;
  EXPECT_EQ(fake.calls().size(), 0u);
}

}  // namespace
}  // namespace pt
