// Tests for make_model dispatch and the shared teacher prompt (system blocks + folded turns).
#include <gtest/gtest.h>

#include "providers/model.h"
#include "providers/provider_fixture.h"
#include "providers/teacher_prompt.h"

namespace pt {
namespace {

using namespace pt::testing;

TEST(MakeModel, UnknownIdsAreUsageErrors) {
  for (const char* id : {"gpt-4o", ":x", "mistral:large", ""}) {
    auto m = make_model(id, ModelOptions{});
    ASSERT_FALSE(m.ok()) << id;
    EXPECT_EQ(m.error().kind, ErrorKind::usage) << id;
  }
  auto m = make_model("mistral:large", ModelOptions{});
  EXPECT_NE(m.error().message.find("unknown model provider 'mistral'"), std::string::npos);
  auto empty = make_model("anthropic:", ModelOptions{});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().kind, ErrorKind::usage);
}

TEST(MakeModel, DispatchesByPrefix) {
  ScopedEnv env({{"ANTHROPIC_API_KEY", kAnthropicKey}, {"OPENAI_API_KEY", kOpenAiKey}, {"GEMINI_API_KEY", kGeminiKey}});
  for (const char* id : {"anthropic:claude-sonnet-4-20250514", "openai:gpt-4.1", "gemini:gemini-2.5-pro"}) {
    auto m = make_model(id, ModelOptions{});
    ASSERT_TRUE(m.ok()) << id << ": " << m.error().message;
    EXPECT_EQ((*m)->id(), id);
    EXPECT_EQ((*m)->as_local(), nullptr);
    EXPECT_NE((*m)->as_remote(), nullptr);
    EXPECT_FALSE(make_local_model(id).ok());
  }
  auto local = make_model("local:bm25", ModelOptions{});
  ASSERT_TRUE(local.ok()) << local.error().message;
  EXPECT_NE((*local)->as_local(), nullptr);
  EXPECT_EQ((*local)->as_remote(), nullptr);
  EXPECT_FALSE(make_remote_model("local:bm25", ModelOptions{}).ok());
  EXPECT_EQ((*local)->id(), "local:bm25");
}

TEST(TeacherPrompt, AppendsContextAndFoldsRoles) {
  PickerCall call = sample_call();
  auto blocks = teacher_system_blocks(TeacherInput{&call, "CTX"});
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0], call.system_blocks[0]);
  EXPECT_EQ(blocks[1], call.system_blocks[1] + "\n\nCTX");
  PickerCall no_system = call;
  no_system.system_blocks.clear();
  EXPECT_EQ(teacher_system_blocks(TeacherInput{&no_system, "CTX"}), std::vector<std::string>{"CTX"});
  auto turns = teacher_turns(call);
  ASSERT_EQ(turns.size(), 3u);
  EXPECT_EQ(turns[0].role, "user");
  EXPECT_EQ(turns[1].role, "assistant");
  EXPECT_EQ(turns[1].texts, std::vector<std::string>{"Looking at it."});
  EXPECT_EQ(turns[2].role, "user");  // tool + user merged
  ASSERT_EQ(turns[2].texts.size(), 2u);
  EXPECT_EQ(turns[2].texts[0], "tool output");
  std::string all = teacher_prompt_text(TeacherInput{&call, "CTX"});
  EXPECT_NE(all.find("CTX"), std::string::npos);
  EXPECT_NE(all.find("Please fix the router bug."), std::string::npos);
}

}  // namespace
}  // namespace pt
