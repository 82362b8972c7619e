// Tests for pipeline/tune/tuning_file_check: the exact one-line reason given for each kind of line
// a provider does not take (wrong provider's format, no turns, a bad role, a turn without its body,
// the wrong last speaker), and no reason for a good line of each provider.
#include "pipeline/tune/tuning_file_check.h"

#include <gtest/gtest.h>

namespace pt {
namespace {

const std::string kGemini = R"(a Gemini line {"contents":[{"role":"user|model","parts":[{"text":...}]}]})";
const std::string kOpenAi = R"(an OpenAI chat line {"messages":[{"role":"system|user|assistant","content":...}]})";

TEST(TuningLineProblem, GeminiLines) {
  EXPECT_EQ(
      tuning_line_problem(
          R"({"contents":[{"role":"user","parts":[{"text":"a"}]},{"role":"model","parts":[{"text":"b"}]}]})", "vertex"),
      "");
  EXPECT_EQ(tuning_line_problem("not json", "vertex"), "not JSON; expected " + kGemini);
  EXPECT_EQ(tuning_line_problem("[1]", "vertex"), "not a JSON object; expected " + kGemini);
  EXPECT_EQ(tuning_line_problem(R"({"messages":[]})", "vertex"),
            "an OpenAI chat line (\"messages\"); Vertex AI takes " + kGemini + " (collect --format gemini)");
  EXPECT_EQ(tuning_line_problem(R"({"contents":5})", "vertex"), "no \"contents\" turns; expected " + kGemini);
  EXPECT_EQ(tuning_line_problem(R"({"contents":[{"role":"assistant","parts":[{"text":"a"}]}]})", "vertex"),
            "contents[0]: role must be \"user\" or \"model\"; expected " + kGemini);
  EXPECT_EQ(tuning_line_problem(R"({"contents":[{"role":"","parts":[{"text":"a"}]}]})", "vertex"),
            "contents[0]: role must be \"user\" or \"model\"; expected " + kGemini);
  EXPECT_EQ(tuning_line_problem(R"({"contents":[{"role":"user","parts":[]}]})", "vertex"),
            "contents[0]: no \"parts\"; expected " + kGemini);
  EXPECT_EQ(tuning_line_problem(R"({"contents":[{"role":"user","parts":[{"text":"a"}]}]})", "vertex"),
            "the last turn is not a \"model\" turn (the answer to learn)");
}

TEST(TuningLineProblem, OpenAiLines) {
  EXPECT_EQ(tuning_line_problem(R"({"messages":[{"role":"user","content":"a"},{"role":"assistant","content":null}]})",
                                "openai"),
            "");
  EXPECT_EQ(tuning_line_problem("not json", "openai"), "not JSON; expected " + kOpenAi);
  EXPECT_EQ(tuning_line_problem(R"({"contents":[]})", "openai"),
            "a Gemini line (\"contents\"); OpenAI takes " + kOpenAi + " (collect --format openai)");
  EXPECT_EQ(tuning_line_problem(R"({"messages":5})", "openai"), "no \"messages\"; expected " + kOpenAi);
  EXPECT_EQ(tuning_line_problem(R"({"messages":[{"role":"model","content":"a"}]})", "openai"),
            "messages[0]: role must be system, user or assistant; expected " + kOpenAi);
  EXPECT_EQ(tuning_line_problem(R"({"messages":[{"role":"user"}]})", "openai"),
            "messages[0]: no \"content\"; expected " + kOpenAi);
  EXPECT_EQ(
      tuning_line_problem(R"({"messages":[{"role":"system","content":"s"},{"role":"user","content":"a"}]})", "openai"),
      "the last message is not an \"assistant\" one (the answer to learn)");
}

}  // namespace
}  // namespace pt
