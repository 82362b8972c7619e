// Tests for providers/anthropic_batch against the fake: create -> poll -> stream results, with
// per-item errors, batch pricing, custom_id validation and key redaction.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "providers/anthropic_batch.h"
#include "providers/provider_fixture.h"

namespace pt {
namespace {

using namespace pt::testing;

TEST(AnthropicBatch, CreatePollAndStreamResults) {
  fake::FakeLlmConfig cfg;
  cfg.expect_key = kAnthropicKey;
  cfg.batch_polls_before_end = 2;
  fake::FakeLlm server(cfg);
  ScopedEnv env({{"ANTHROPIC_API_KEY", kAnthropicKey}, {"ANTHROPIC_BASE_URL", server.base_url()}});
  auto client = AnthropicBatchClient::create("anthropic:claude-opus-4-20250514", ModelOptions{});
  ASSERT_TRUE(client.ok()) << client.error().message;
  PickerCall call = sample_call();
  std::vector<BatchItem> items;
  for (int i = 0; i < 25; ++i)
    items.push_back(BatchItem{"t-" + std::to_string(i), TeacherInput{&call, i % 2 ? "CTX" : ""}});
  auto created = (*client)->submit(items);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->processing_status, "in_progress");
  EXPECT_EQ(created->processing, 25);
  int polls = 0;
  auto ended = (*client)->wait(created->id, 1, 5, [&](const BatchStatus&) { return ++polls < 100; });
  ASSERT_TRUE(ended.ok()) << ended.error().message;
  EXPECT_TRUE(ended->ended());
  EXPECT_EQ(polls, 3);
  EXPECT_EQ(ended->succeeded, 25);
  std::map<std::string, Completion> got;
  auto res = (*client)->results(*ended, [&](const std::string& id, Result<Completion> c) {
    ASSERT_TRUE(c.ok()) << c.error().message;
    got[id] = *c;
  });
  ASSERT_TRUE(res.ok()) << res.error().message;
  ASSERT_EQ(got.size(), 25u);
  EXPECT_FALSE(got["t-3"].text.empty());
  EXPECT_GT(got["t-3"].usage.input_tokens, 0);
  // The created batch carried Messages API params with the cached system prompt.
  auto calls = server.calls();
  ASSERT_FALSE(calls.empty());
  auto body = nlohmann::json::parse(calls[0].body);
  EXPECT_EQ(body["requests"].size(), 25u);
  EXPECT_EQ(body["requests"][1]["custom_id"], "t-1");
  EXPECT_EQ(body["requests"][1]["params"]["model"], "claude-opus-4-20250514");
  EXPECT_EQ(body["requests"][1]["params"]["system"][1]["cache_control"]["type"], "ephemeral");
  // Half price.
  Usage u{1000000, 1000000, 0, 0};
  EXPECT_NEAR((*client)->cost_usd(u), 7.5 + 37.5, 1e-9);
}

TEST(AnthropicBatch, ErroredItemsArriveAsErrors) {
  fake::FakeLlmConfig cfg;
  cfg.fail_rate = 0.5;
  cfg.seed = 3;
  cfg.batch_polls_before_end = 0;
  fake::FakeLlm server(cfg);
  ScopedEnv env({{"ANTHROPIC_API_KEY", kAnthropicKey}, {"ANTHROPIC_BASE_URL", server.base_url()}});
  auto client = AnthropicBatchClient::create("anthropic:claude-3-5-sonnet-20241022", ModelOptions{});
  ASSERT_TRUE(client.ok());
  PickerCall call = sample_call();
  std::vector<BatchItem> items;
  for (int i = 0; i < 40; ++i)
    items.push_back(BatchItem{"id_" + std::to_string(i), TeacherInput{&call, std::to_string(i)}});
  auto created = (*client)->submit(items);
  ASSERT_TRUE(created.ok());
  auto ended = (*client)->wait(created->id, 1, 1);
  ASSERT_TRUE(ended.ok());
  int ok = 0, failed = 0;
  ASSERT_TRUE((*client)
                  ->results(*ended,
                            [&](const std::string&, Result<Completion> c) {
                              if (c.ok())
                                ++ok;
                              else {
                                ++failed;
                                EXPECT_EQ(c.error().message, "batch result errored: api_error: fake failure");
                              }
                            })
                  .ok());
  EXPECT_EQ(ok + failed, 40);
  EXPECT_EQ(failed, ended->errored);
  EXPECT_GT(failed, 5);
  EXPECT_GT(ok, 5);
}

// Results lines {"custom_id", "result": {"type": "canceled"}} / {"type": "expired"} (the Message
// Batches results JSONL) arrive with their outcome and no completion; the status counts them.
TEST(AnthropicBatch, CanceledAndExpiredResultsArriveWithTheirOutcome) {
  fake::FakeLlmConfig cfg;
  cfg.batch_polls_before_end = 0;
  cfg.batch_canceled = 4;
  cfg.batch_expired = 3;
  fake::FakeLlm server(cfg);
  ScopedEnv env({{"ANTHROPIC_API_KEY", kAnthropicKey}, {"ANTHROPIC_BASE_URL", server.base_url()}});
  auto client = AnthropicBatchClient::create("anthropic:claude-opus-4-20250514", ModelOptions{});
  ASSERT_TRUE(client.ok());
  PickerCall call = sample_call();
  std::vector<BatchItem> items;
  for (int i = 0; i < 12; ++i) items.push_back(BatchItem{"c" + std::to_string(i), TeacherInput{&call, ""}});
  auto created = (*client)->submit(items);
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto ended = (*client)->wait(created->id, 1, 1);
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(ended->canceled, 4);
  EXPECT_EQ(ended->expired, 3);
  EXPECT_EQ(ended->succeeded, 5);
  using Outcome = AnthropicBatchClient::Outcome;
  std::map<Outcome, int> by;
  ASSERT_TRUE((*client)
                  ->results_with_outcome(*ended,
                                         [&](const std::string&, Outcome o, Result<Completion> c) {
                                           ++by[o];
                                           EXPECT_EQ(c.ok(), o == Outcome::succeeded);
                                           if (o == Outcome::canceled) {
                                             EXPECT_EQ(c.error().message,
                                                       "batch result canceled (not processed, not billed)");
                                           }
                                         })
                  .ok());
  EXPECT_EQ(by[Outcome::canceled], 4);
  EXPECT_EQ(by[Outcome::expired], 3);
  EXPECT_EQ(by[Outcome::succeeded], 5);
}

TEST(AnthropicBatch, RejectsBadInputAndUnendedBatches) {
  ScopedEnv env({{"ANTHROPIC_API_KEY", kAnthropicKey}, {"ANTHROPIC_BASE_URL", "http://127.0.0.1:9"}});
  EXPECT_FALSE(AnthropicBatchClient::create("openai:gpt-4o", ModelOptions{}).ok());
  auto client = AnthropicBatchClient::create("anthropic:claude-opus-4-20250514", ModelOptions{});
  ASSERT_TRUE(client.ok());
  PickerCall call = sample_call();
  auto bad = (*client)->submit({BatchItem{"has space", TeacherInput{&call, ""}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("custom_id 'has space'"), std::string::npos);
  EXPECT_FALSE((*client)->submit({}).ok());
  EXPECT_TRUE(AnthropicBatchClient::valid_custom_id("abc_DEF-123"));
  EXPECT_FALSE(AnthropicBatchClient::valid_custom_id(std::string(65, 'a')));
  BatchStatus running;
  running.id = "b1";
  running.processing_status = "in_progress";
  EXPECT_FALSE((*client)->results(running, [](const std::string&, Result<Completion>) {}).ok());
}

TEST(AnthropicBatch, AuthErrorsDoNotLeakTheKey) {
  fake::FakeLlmConfig cfg;
  cfg.expect_key = "another-key";
  fake::FakeLlm server(cfg);
  ScopedEnv env({{"ANTHROPIC_API_KEY", kAnthropicKey}, {"ANTHROPIC_BASE_URL", server.base_url()}});
  auto client = AnthropicBatchClient::create("anthropic:claude-opus-4-20250514", ModelOptions{});
  ASSERT_TRUE(client.ok());
  PickerCall call = sample_call();
  auto r = (*client)->submit({BatchItem{"a", TeacherInput{&call, ""}}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("HTTP 401"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find(kAnthropicKey), std::string::npos);
}

}  // namespace
}  // namespace pt
