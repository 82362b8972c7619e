// Tuning records of collect (docs/formats.md#tuning-records): a picker trace's real input plus
// the teacher's answer, shaped by a Recipe (--top-k, --stop-dashes, --blobbify-history), and
// rendered as one Gemini/Vertex supervised-tuning line or one OpenAI chat line. Pure logic.
#pragma once
#include <charconv>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/picker_call.h"
#include "core/recipe.h"
#include "util/result.h"

namespace pt {

enum class TuningFormat { gemini, openai };
Result<TuningFormat> parse_tuning_format(std::string_view text);
std::string_view tuning_format_name(TuningFormat format);

struct TuningTurn {
  bool model = false;              // Gemini role "model" (OpenAI "assistant"); else "user"
  std::vector<std::string> parts;  // non-empty texts
};

struct TuningExample {
  std::vector<std::string> system;   // one part per non-empty system block
  std::vector<TuningTurn> contents;  // roles alternate; the last turn is the teacher's answer
};

// Why no example could be built from a trace + answer (a collect drop reason), or none.
enum class ExampleDrop { none, empty_answer, no_input };

struct BuiltExample {
  TuningExample example;
  ExampleDrop drop = ExampleDrop::none;
};

// The instruction --stop-dashes adds to a prompt without a limit sentence (a Non-Obvious prompt):
// "\n\n" + this sentence is appended to the prompt's last text part.
inline constexpr std::string_view kStopDashesInstruction =
    "Make sure to end your response with three lines of dashes, ie: \"";

// The model turn for a teacher answer under a recipe: with top_k, its first K valid paths
// (production parse, nothing after a dashes line) one per line; else the answer trimmed (and,
// with stop_dashes, cut at its first dashes line). stop_dashes then appends "\n" + kStopDashes.
// Returns "" when nothing is left (an empty answer).
std::string recipe_answer(std::string_view answer, const Recipe& recipe);

// Builds the example: roles assistant→model, others→user; text parts only; messages with no
// text dropped; top_k/stop_dashes rewrite the last user message's limit sentence; the answer is
// the final model turn; blobbify wraps earlier model turns as <previous_assistant_message> user
// turns; consecutive same-role turns are merged so roles alternate.
BuiltExample build_tuning_example(const PickerCall& call, std::string_view answer, const Recipe& recipe);
// The same, taking the call's texts instead of copying them.
BuiltExample build_tuning_example(PickerCall&& call, std::string_view answer, const Recipe& recipe);

// Appends one JSON line (no trailing newline) in the given format to `out`.
// Gemini: {"systemInstruction":{"role":"system","parts":[{"text":…}]},"contents":[{"role":…,"parts":[…]}]}
// (systemInstruction omitted when there is no system text). OpenAI: {"messages":[{"role":
// "system"|"user"|"assistant","content":…}]}, a turn's parts (and the system blocks) joined with "\n".
void append_record_json(const TuningExample& example, TuningFormat format, std::string& out);

// Calls `add` with the pieces of an unambiguous serialization of the example's input (system +
// every turn but the answer): hash them, in order, to deduplicate identical inputs.
template <class Add>
void for_each_fingerprint_piece(const TuningExample& example, Add&& add) {
  char head[24];
  auto part = [&](char tag, std::string_view text) {
    head[0] = tag;
    auto [end, ec] = std::to_chars(head + 1, head + sizeof head - 1, text.size());
    *end++ = ':';
    add(std::string_view(head, static_cast<size_t>(end - head)));
    add(text);
  };
  for (const auto& s : example.system) part('S', s);
  for (size_t t = 0; t + 1 < example.contents.size(); ++t) {
    add(std::string_view(example.contents[t].model ? "M" : "U", 1));
    for (const auto& p : example.contents[t].parts) part('P', p);
  }
}

// All tokens of the example as Vertex bills them: every system part, every turn part and the
// answer, each counted on its own with `count`.
size_t count_example_tokens(const TuningExample& example, const std::function<size_t(std::string_view)>& count);

}  // namespace pt
