// Tests for core/tuning_record: role mapping, text-only parts, merging, blobbify, --top-k and
// --stop-dashes rewriting, the exact Gemini and OpenAI JSON lines, fingerprints, token sums.
#include "core/tuning_record.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "core/file_list.h"
#include "core/picker_prompt.h"

namespace pt {
namespace {

using nlohmann::json;

PickerCall call_from(const json& payload) {
  auto r = parse_picker_call(payload.dump());
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : PickerCall{};
}

std::string gemini(const TuningExample& e) {
  std::string out;
  append_record_json(e, TuningFormat::gemini, out);
  return out;
}

const std::string kPrompt = key_picker_prompt("add a flag", 12);

json history_payload() {
  return {{"request_type", "Key"},
          {"system", json::array({{{"type", "text"}, {"text", "TREE"}},
                                  {{"type", "text"}, {"text", ""}},
                                  {{"type", "text"}, {"text", "GIT"}}})},
          {"messages",
           json::array(
               {{{"role", "user"}, {"content", "hello"}},
                {{"role", "assistant"},
                 {"content",
                  json::array({{{"type", "text"}, {"text", "I will look"}},
                               {{"type", "tool_use"}, {"id", "t1"}, {"name", "read"}, {"input", json::object()}}})}},
                {{"role", "tool"}, {"content", json::array({{{"type", "tool_result"}, {"tool_use_id", "t1"}}})}},
                {{"role", "user"},
                 {"content",
                  json::array({{{"type", "image"}, {"source", "x"}}, {{"type", "text"}, {"text", "see this"}}})}},
                {{"role", "system"}, {"content", "be brief"}},
                {{"role", "assistant"}, {"content", "done"}},
                {{"role", "user"}, {"content", kPrompt}}})}};
}

TEST(TuningRecord, MapsRolesKeepsTextMergesAndEndsWithAnswer) {
  BuiltExample b = build_tuning_example(call_from(history_payload()), "src/a.ts\nsrc/b.ts\n", Recipe{});
  ASSERT_EQ(b.drop, ExampleDrop::none);
  EXPECT_EQ(b.example.system, (std::vector<std::string>{"TREE", "GIT"}));
  const auto& c = b.example.contents;
  ASSERT_EQ(c.size(), 6u);
  EXPECT_FALSE(c[0].model);
  EXPECT_EQ(c[0].parts, std::vector<std::string>{"hello"});
  EXPECT_TRUE(c[1].model);
  EXPECT_EQ(c[1].parts, std::vector<std::string>{"I will look"});
  // the tool message had no text (dropped); image dropped; user + system merged into one turn
  EXPECT_FALSE(c[2].model);
  EXPECT_EQ(c[2].parts, (std::vector<std::string>{"see this", "be brief"}));
  EXPECT_TRUE(c[3].model);
  EXPECT_EQ(c[3].parts, std::vector<std::string>{"done"});
  EXPECT_EQ(c[4].parts, std::vector<std::string>{kPrompt});
  EXPECT_TRUE(c[5].model);
  EXPECT_EQ(c[5].parts, std::vector<std::string>{"src/a.ts\nsrc/b.ts"});
  for (size_t i = 1; i < c.size(); ++i) EXPECT_NE(c[i].model, c[i - 1].model) << i;
}

TEST(TuningRecord, BlobbifyWrapsEarlierModelTurnsAndMerges) {
  Recipe r;
  r.blobbify_history = true;
  BuiltExample b = build_tuning_example(call_from(history_payload()), "src/a.ts", r);
  const auto& c = b.example.contents;
  ASSERT_EQ(c.size(), 2u);
  EXPECT_FALSE(c[0].model);
  EXPECT_EQ(c[0].parts, (std::vector<std::string>{
                            "hello", "<previous_assistant_message>I will look</previous_assistant_message>", "see this",
                            "be brief", "<previous_assistant_message>done</previous_assistant_message>", kPrompt}));
  EXPECT_TRUE(c[1].model);
  EXPECT_EQ(c[1].parts, std::vector<std::string>{"src/a.ts"});
}

TEST(TuningRecord, TopKCutsToValidPathsAndRewritesLimit) {
  Recipe r;
  r.top_k = 2;
  std::string answer = "  \nsrc/has space.ts\n../up.ts\n/abs/ok.ts\nC:\\win.ts\nsrc/b.ts\nsrc/c.ts\n";
  BuiltExample b = build_tuning_example(call_from(history_payload()), answer, r);
  const auto& c = b.example.contents;
  EXPECT_EQ(c.back().parts, std::vector<std::string>{"abs/ok.ts\nsrc/b.ts"});
  std::string expected_prompt = key_picker_prompt("add a flag", 2);
  EXPECT_EQ(c[c.size() - 2].parts.back(), expected_prompt);
  EXPECT_EQ(selection_limit(c[c.size() - 2].parts.back()), 2);
}

TEST(TuningRecord, StopDashesEndAnswerAndInstructPrompt) {
  Recipe r;
  r.top_k = 2;
  r.stop_dashes = true;
  BuiltExample b = build_tuning_example(call_from(history_payload()), "a.ts\nb.ts\nc.ts", r);
  const auto& c = b.example.contents;
  EXPECT_EQ(c.back().parts[0], "a.ts\nb.ts\n" + std::string(kStopDashes));
  EXPECT_EQ(c[c.size() - 2].parts.back(), key_picker_prompt("add a flag", 2) +
                                              " Make sure to end your response with three lines of dashes, ie: \"" +
                                              std::string(kStopDashes) + "\"");
}

TEST(TuningRecord, StopDashesWithoutTopKKeepsLimitAndWholeAnswer) {
  Recipe r;
  r.stop_dashes = true;
  // a teacher that already ended with dashes is not doubled
  std::string a = recipe_answer("x.ts\ny.ts\n---\nignored.ts", r);
  EXPECT_EQ(a, "x.ts\ny.ts\n" + std::string(kStopDashes));
  BuiltExample b = build_tuning_example(call_from(history_payload()), "x.ts", r);
  const std::string& prompt = b.example.contents[b.example.contents.size() - 2].parts.back();
  EXPECT_EQ(selection_limit(prompt), 12);
  EXPECT_NE(prompt.find("12 files. Make sure to end your response with three lines of dashes"), std::string::npos);
}

TEST(TuningRecord, StopDashesOnPromptWithoutLimitSentenceAppendsInstruction) {
  json p = {{"request_type", "Non-Obvious"},
            {"system", "S"},
            {"messages", json::array({{{"role", "user"}, {"content", "find second-order files"}}})}};
  Recipe r;
  r.stop_dashes = true;
  BuiltExample b = build_tuning_example(call_from(p), "a.ts", r);
  EXPECT_EQ(b.example.contents[0].parts[0],
            "find second-order files\n\n" + std::string(kStopDashesInstruction) + std::string(kStopDashes) + "\"");
}

TEST(TuningRecord, EmptyAnswersAndInputsAreDrops) {
  PickerCall call = call_from(history_payload());
  EXPECT_EQ(build_tuning_example(call, "  \n\t\n", Recipe{}).drop, ExampleDrop::empty_answer);
  Recipe r;
  r.top_k = 3;
  EXPECT_EQ(build_tuning_example(call, "not a path\n../x", r).drop, ExampleDrop::empty_answer);
  json p = {{"system", "S"},
            {"messages", json::array({{{"role", "assistant"}, {"content", "hi"}},
                                      {{"role", "user"}, {"content", json::array({{{"type", "image"}}})}}})}};
  EXPECT_EQ(build_tuning_example(call_from(p), "a.ts", Recipe{}).drop, ExampleDrop::no_input);
}

TEST(TuningRecord, GeminiLineIsExact) {
  json p = {{"system", "SYS \"q\"\n"},
            {"messages", json::array({{{"role", "user"}, {"content", "tab\there ü \x01"}}})}};
  BuiltExample b = build_tuning_example(call_from(p), "a.ts", Recipe{});
  EXPECT_EQ(
      gemini(b.example),
      R"({"systemInstruction":{"role":"system","parts":[{"text":"SYS \"q\"\n"}]},)"
      R"("contents":[{"role":"user","parts":[{"text":"tab\there ü \u0001"}]},{"role":"model","parts":[{"text":"a.ts"}]}]})");
  json back = json::parse(gemini(b.example));
  EXPECT_EQ(back["contents"][0]["parts"][0]["text"], "tab\there ü \x01");
}

TEST(TuningRecord, GeminiOmitsEmptySystemInstruction) {
  json p = {{"system", ""}, {"messages", json::array({{{"role", "user"}, {"content", "q"}}})}};
  BuiltExample b = build_tuning_example(call_from(p), "a.ts", Recipe{});
  EXPECT_EQ(gemini(b.example),
            R"({"contents":[{"role":"user","parts":[{"text":"q"}]},{"role":"model","parts":[{"text":"a.ts"}]}]})");
}

TEST(TuningRecord, OpenAiLineJoinsPartsAndMapsRoles) {
  BuiltExample b = build_tuning_example(call_from(history_payload()), "a.ts", Recipe{});
  std::string out;
  append_record_json(b.example, TuningFormat::openai, out);
  json j = json::parse(out);
  ASSERT_EQ(j.size(), 1u);
  const json& m = j["messages"];
  ASSERT_EQ(m.size(), 7u);
  EXPECT_EQ(m[0], json({{"role", "system"}, {"content", "TREE\nGIT"}}));
  EXPECT_EQ(m[1], json({{"role", "user"}, {"content", "hello"}}));
  EXPECT_EQ(m[2], json({{"role", "assistant"}, {"content", "I will look"}}));
  EXPECT_EQ(m[3], json({{"role", "user"}, {"content", "see this\nbe brief"}}));
  EXPECT_EQ(m[5], json({{"role", "user"}, {"content", kPrompt}}));
  EXPECT_EQ(m[6], json({{"role", "assistant"}, {"content", "a.ts"}}));
}

TEST(TuningRecord, EveryByteRoundTripsThroughTheRenderedJson) {
  // Texts of every ASCII byte (controls, quotes and backslashes at every offset of an 8-byte
  // word, in runs and alone) and UTF-8, rendered then parsed back by another JSON library.
  std::mt19937 rng(11);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    size_t n = rng() % 40;
    for (size_t i = 0; i < n; ++i) {
      unsigned r = rng() % 10;
      text += r < 6 ? static_cast<char>('a' + rng() % 26) : r < 9 ? static_cast<char>(rng() % 0x80) : '\\';
    }
    if (round % 7 == 0) text += "\xc3\xa9\xe2\x96\x81";
    TuningExample e;
    e.system = {text};
    e.contents = {{false, {text + "\"" + text}}, {true, {"a.ts"}}};
    std::string line;
    append_record_json(e, TuningFormat::gemini, line);
    json j = json::parse(line);
    ASSERT_EQ(j["systemInstruction"]["parts"][0]["text"], text) << round;
    ASSERT_EQ(j["contents"][0]["parts"][0]["text"], text + "\"" + text) << round;
  }
}

TEST(TuningRecord, FingerprintCoversInputOnly) {
  PickerCall call = call_from(history_payload());
  auto fp = [](const BuiltExample& b) {
    std::string s;
    for_each_fingerprint_piece(b.example, [&](std::string_view piece) { s += piece; });
    return s;
  };
  EXPECT_EQ(fp(build_tuning_example(call, "a.ts", Recipe{})), fp(build_tuning_example(call, "b.ts", Recipe{})));
  PickerCall other = call;
  other.messages.back().texts[0] += " ";
  EXPECT_NE(fp(build_tuning_example(call, "a.ts", Recipe{})), fp(build_tuning_example(other, "a.ts", Recipe{})));
  // moving text between system and a message changes the fingerprint
  PickerCall moved = call;
  moved.system_blocks = {"TREEGIT"};
  EXPECT_NE(fp(build_tuning_example(call, "a.ts", Recipe{})), fp(build_tuning_example(moved, "a.ts", Recipe{})));
}

TEST(TuningRecord, TokenCountSumsEveryPart) {
  BuiltExample b = build_tuning_example(call_from(history_payload()), "abc", Recipe{});
  size_t bytes = 0, parts = 0;
  for (auto& s : b.example.system) bytes += s.size(), ++parts;
  for (auto& t : b.example.contents)
    for (auto& p : t.parts) bytes += p.size(), ++parts;
  EXPECT_EQ(count_example_tokens(b.example, [](std::string_view t) { return t.size(); }), bytes);
  EXPECT_EQ(count_example_tokens(b.example, [](std::string_view) { return size_t{1}; }), parts);
}

TEST(TuningRecord, ParsesFormats) {
  EXPECT_EQ(*parse_tuning_format("gemini"), TuningFormat::gemini);
  EXPECT_EQ(*parse_tuning_format("openai"), TuningFormat::openai);
  auto bad = parse_tuning_format("vertex");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::usage);
}

}  // namespace
}  // namespace pt
