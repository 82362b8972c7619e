// Implementation of core/tuning_record.h.
#include "core/tuning_record.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/file_list.h"
#include "core/picker_prompt.h"
#include "util/json_string.h"

namespace pt {
namespace {

constexpr std::string_view kBlobOpen = "<previous_assistant_message>";
constexpr std::string_view kBlobClose = "</previous_assistant_message>";

// The text before the first line that is only dashes.
std::string_view before_dashes(std::string_view text) {
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    if (is_dashes_line(trim(text.substr(pos, end - pos)))) return text.substr(0, pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return text;
}

std::vector<TuningTurn> turns_from_messages(PickerCall& call) {
  std::vector<TuningTurn> turns;
  turns.reserve(call.messages.size() + 1);
  for (auto& m : call.messages) {
    TuningTurn t;
    t.model = m.role == "assistant";
    for (auto& text : m.texts)
      if (!text.empty()) t.parts.push_back(std::move(text));
    if (!t.parts.empty()) turns.push_back(std::move(t));
  }
  return turns;
}

// --top-k / --stop-dashes: edit the limit sentence of the last user turn (the picker prompt).
void rewrite_prompt(std::vector<TuningTurn>& turns, const Recipe& recipe) {
  if (!recipe.top_k && !recipe.stop_dashes) return;
  for (auto t = turns.rbegin(); t != turns.rend(); ++t) {
    if (t->model) continue;
    for (auto p = t->parts.rbegin(); p != t->parts.rend(); ++p) {
      auto limit = selection_limit(*p);
      if (!limit) continue;
      *p = rewrite_selection_limit(*p, recipe.top_k ? *recipe.top_k : *limit, recipe.stop_dashes);
      return;
    }
    if (recipe.stop_dashes) {
      std::string& last = t->parts.back();
      last += "\n\n";
      last += kStopDashesInstruction;
      last += kStopDashes;
      last += '"';
    }
    return;
  }
}

void blobbify(std::vector<TuningTurn>& turns) {
  for (size_t i = 0; i + 1 < turns.size(); ++i) {
    if (!turns[i].model) continue;
    turns[i].model = false;
    for (auto& p : turns[i].parts) p = fmt::format("{}{}{}", kBlobOpen, p, kBlobClose);
  }
}

std::vector<TuningTurn> merge_same_roles(std::vector<TuningTurn> turns) {
  std::vector<TuningTurn> out;
  out.reserve(turns.size());
  for (auto& t : turns) {
    if (!out.empty() && out.back().model == t.model) {
      for (auto& p : t.parts) out.back().parts.push_back(std::move(p));
    } else {
      out.push_back(std::move(t));
    }
  }
  return out;
}

void append_joined(const std::vector<std::string>& parts, std::string& out) {
  std::string joined;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) joined += '\n';
    joined += parts[i];
  }
  append_json_string(out, joined);
}

}  // namespace

Result<TuningFormat> parse_tuning_format(std::string_view text) {
  if (text == "gemini") return TuningFormat::gemini;
  if (text == "openai") return TuningFormat::openai;
  return usage_error(fmt::format("--format: expected gemini or openai, not \"{}\"", text));
}

std::string_view tuning_format_name(TuningFormat format) {
  return format == TuningFormat::gemini ? "gemini" : "openai";
}

std::string recipe_answer(std::string_view answer, const Recipe& recipe) {
  std::string body;
  if (recipe.top_k) {
    auto paths = parse_production_output(before_dashes(answer));
    size_t k = static_cast<size_t>(std::max(0, *recipe.top_k));
    for (size_t i = 0; i < paths.size() && i < k; ++i) {
      if (i) body += '\n';
      body += paths[i];
    }
  } else {
    body.assign(trim(recipe.stop_dashes ? before_dashes(answer) : answer));
  }
  if (body.empty()) return body;
  if (recipe.stop_dashes) {
    body += '\n';
    body += kStopDashes;
  }
  return body;
}

BuiltExample build_tuning_example(const PickerCall& call, std::string_view answer, const Recipe& recipe) {
  return build_tuning_example(PickerCall(call), answer, recipe);
}

BuiltExample build_tuning_example(PickerCall&& call, std::string_view answer, const Recipe& recipe) {
  BuiltExample built;
  std::string model_answer = recipe_answer(answer, recipe);
  if (model_answer.empty()) {
    built.drop = ExampleDrop::empty_answer;
    return built;
  }
  for (auto& block : call.system_blocks)
    if (!block.empty()) built.example.system.push_back(std::move(block));
  std::vector<TuningTurn> turns = turns_from_messages(call);
  bool has_user = false;
  for (const auto& t : turns) has_user |= !t.model;
  if (!has_user) {
    built.drop = ExampleDrop::no_input;
    return built;
  }
  rewrite_prompt(turns, recipe);
  turns.push_back(TuningTurn{true, {std::move(model_answer)}});
  if (recipe.blobbify_history) blobbify(turns);
  built.example.contents = merge_same_roles(std::move(turns));
  return built;
}

void append_record_json(const TuningExample& example, TuningFormat format, std::string& out) {
  if (format == TuningFormat::gemini) {
    out += '{';
    if (!example.system.empty()) {
      out += R"("systemInstruction":{"role":"system","parts":[)";
      for (size_t i = 0; i < example.system.size(); ++i) {
        out += i ? R"(,{"text":)" : R"({"text":)";
        append_json_string(out, example.system[i]);
        out += '}';
      }
      out += "]},";
    }
    out += R"("contents":[)";
    for (size_t t = 0; t < example.contents.size(); ++t) {
      const auto& turn = example.contents[t];
      if (t) out += ',';
      out += turn.model ? R"({"role":"model","parts":[)" : R"({"role":"user","parts":[)";
      for (size_t i = 0; i < turn.parts.size(); ++i) {
        out += i ? R"(,{"text":)" : R"({"text":)";
        append_json_string(out, turn.parts[i]);
        out += '}';
      }
      out += "]}";
    }
    out += "]}";
    return;
  }
  out += R"({"messages":[)";
  bool first = true;
  if (!example.system.empty()) {
    out += R"({"role":"system","content":)";
    append_joined(example.system, out);
    out += '}';
    first = false;
  }
  for (const auto& turn : example.contents) {
    if (!first) out += ',';
    first = false;
    out += turn.model ? R"({"role":"assistant","content":)" : R"({"role":"user","content":)";
    append_joined(turn.parts, out);
    out += '}';
  }
  out += "]}";
}

size_t count_example_tokens(const TuningExample& example, const std::function<size_t(std::string_view)>& count) {
  size_t n = 0;
  for (const auto& s : example.system) n += count(s);
  for (const auto& t : example.contents)
    for (const auto& p : t.parts) n += count(p);
  return n;
}

}  // namespace pt
