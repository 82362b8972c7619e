// The proxy driven by the providers' official SDKs under node (tests/server/sdk/drive_sdks.cjs:
// @anthropic-ai/sdk, openai, @google/genai from third_party/node, installed by scripts/setup.sh),
// streamed and not, against the strict loopback fake upstream, with faults the SDKs retry; each
// stored trace is checked field by field against what the SDK sent and got. Under CI=true a
// missing node or SDK fails instead of skipping.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "serve_fixture.h"
#include "source_dir.h"
#include "support/ci_env.h"

namespace {

using nlohmann::json;
using pt_test::ServeFixture;

const std::string kNodeModules = std::string(PICKTUNE_SOURCE_DIR) + "/third_party/node/node_modules";
const std::string kScript = std::string(PICKTUNE_SOURCE_DIR) + "/tests/server/sdk/drive_sdks.cjs";

bool sdks_installed() {
  for (const char* m : {"@anthropic-ai/sdk", "openai", "@google/genai"})
    if (!std::filesystem::exists(kNodeModules + "/" + m + "/package.json")) return false;
  return pt_test::run_cli({"node", "--version"}, "/").exit_code == 0;
}

std::vector<json> drive(ServeFixture& f, int max_retries, std::string only = "") {
  auto r = pt_test::run_cli({"node", kScript}, f.dir, "",
                            {"PT_PROXY=http://127.0.0.1:" + std::to_string(f.server->port()),
                             "PT_NODE_MODULES=" + kNodeModules, "PT_KEY=sk-test-secret-key",
                             std::string("PT_SYSTEM=") + pt_test::kSystem, std::string("PT_PROMPT=") + pt_test::kPrompt,
                             "PT_MAX_RETRIES=" + std::to_string(max_retries), "PT_ONLY=" + only});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<json> calls;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) calls.push_back(json::parse(line));
  return calls;
}

// The trace of one SDK call, field by field: what was sent (system, prompt, model, headers) and
// what the SDK got back (text, usage), and never the key.
void check_trace(ServeFixture& f, const json& call) {
  SCOPED_TRACE(call.dump());
  ASSERT_FALSE(call.contains("error"));
  ASSERT_TRUE(call["trace_id"].is_string());
  pt::Row row;
  json t = f.trace(call["trace_id"], &row);
  ASSERT_FALSE(t.is_null());
  EXPECT_EQ(row.agent_step_id, call["step"]);
  EXPECT_EQ(row.user_id, "sdk-user");
  EXPECT_EQ(row.type, "get-relevant-files");
  EXPECT_EQ(row.payload.find("sk-test-secret-key"), std::string::npos);
  EXPECT_EQ(t["output"], call["text"]);
  EXPECT_FALSE(call["text"].get<std::string>().empty());
  EXPECT_EQ(t["usage"]["input_tokens"], call["input_tokens"]);
  EXPECT_EQ(t["usage"]["output_tokens"], call["output_tokens"]);
  EXPECT_EQ(t["stream"], call["stream"]);
  EXPECT_EQ(t["status"], 200);
  EXPECT_EQ(t["provider"], call["sdk"]);
  EXPECT_EQ(t["request_type"], "Key");
  std::string sdk = call["sdk"];
  EXPECT_EQ(t["model"], sdk == "anthropic" ? "claude-sdk" : sdk == "openai" ? "gpt-sdk" : "gemini-sdk");
  EXPECT_NE(t.dump().find("src/routes/login.js"), std::string::npos);  // the system prompt's tree
  // The prompt, as the last user message's text, whichever shape the SDK sent it in.
  std::string last_user;
  for (const auto& m : t["messages"])
    if (m["role"] == "user")
      last_user =
          m["content"].is_string() ? m["content"].get<std::string>() : m["content"][0]["text"].get<std::string>();
  EXPECT_EQ(last_user, pt_test::kPrompt);
}

TEST(Sdk, AnthropicOpenAiGeminiStreamedAndNotAreCapturedFieldByField) {
  if (!sdks_installed()) PT_SKIP_UNLESS_CI("node or the npm SDKs are missing (run scripts/setup.sh)");
  ServeFixture f;
  auto calls = drive(f, 0);
  ASSERT_EQ(calls.size(), 6u);
  f.stop();
  for (const auto& c : calls) check_trace(f, c);
}

TEST(Sdk, FaultsTheSdkRetriesLeaveTheFailedAttemptAndTheAnswerAsTraces) {
  if (!sdks_installed()) PT_SKIP_UNLESS_CI("node or the npm SDKs are missing (run scripts/setup.sh)");
  pt::fake::FakeLlmConfig fc;
  fc.faults = {pt::fake::Fault::rate_limit, pt::fake::Fault::server_error};
  fc.fail_first_n = 2;  // the first two attempts fail (429 with retry-after 0, then 500)
  fc.retry_after = "0";
  ServeFixture f(fc);
  auto calls = drive(f, 3, "anthropic");
  ASSERT_EQ(calls.size(), 2u);
  f.stop();
  for (const auto& c : calls) check_trace(f, c);
  std::map<int, int> statuses;
  ASSERT_TRUE(f.store
                  ->scan(pt::Table::traces, {},
                         [&](pt::Row&& r) {
                           json t = json::parse(r.payload);
                           ++statuses[t["status"].get<int>()];
                           if (t["status"] != 200) {
                             EXPECT_EQ(t["output"], "");
                             EXPECT_TRUE(t.contains("error"));
                             EXPECT_EQ(r.agent_step_id, "anthropic-whole");  // the failed attempts came first
                           }
                           return true;
                         })
                  .ok());
  EXPECT_EQ(statuses[200], 2);
  EXPECT_EQ(statuses[429] + statuses[500], 2) << "statuses: 429=" << statuses[429] << " 500=" << statuses[500];
}

}  // namespace
