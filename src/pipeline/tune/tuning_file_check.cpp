// Implementation of pipeline/tune/tuning_file_check.h: one JSON parse per line, then a shape
// check of the turns (roles, parts or content, a final model/assistant turn).
#include "pipeline/tune/tuning_file_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "util/line_reader.h"

namespace pt {

namespace {

using nlohmann::json;

constexpr const char* kGeminiShape = R"(a Gemini line {"contents":[{"role":"user|model","parts":[{"text":...}]}]})";
constexpr const char* kOpenAiShape =
    R"(an OpenAI chat line {"messages":[{"role":"system|user|assistant","content":...}]})";

// What one provider's tuning line looks like: where its turns are, which roles they take, what each
// turn must hold and who speaks last; the messages of the checks below are built from it.
struct LineShape {
  const char* shape;                      // the expected line, quoted by every message
  const char* turns;                      // key of the turns array
  const char* no_turns;                   // the message when it is missing or empty
  const char* other_turns;                // the other provider's key: a line for the wrong provider
  const char* other_line;                 // what such a line is, and who takes what instead
  const char* format;                     // the collect --format that writes this shape
  std::array<std::string_view, 3> roles;  // unused places empty
  const char* role_rule;                  // the roles, in words
  const char* body;                       // what each turn holds
  bool body_is_list;                      // the body must be a non-empty array (else only present)
  const char* last_role;                  // the answer to learn
  const char* last_problem;               // the message when another role speaks last
};

const LineShape kGemini{kGeminiShape,
                        "contents",
                        "no \"contents\" turns",
                        "messages",
                        "an OpenAI chat line (\"messages\"); Vertex AI takes",
                        "gemini",
                        {"user", "model", ""},
                        "role must be \"user\" or \"model\"",
                        "parts",
                        true,
                        "model",
                        "the last turn is not a \"model\" turn (the answer to learn)"};
const LineShape kOpenAi{kOpenAiShape,
                        "messages",
                        "no \"messages\"",
                        "contents",
                        "a Gemini line (\"contents\"); OpenAI takes",
                        "openai",
                        {"system", "user", "assistant"},
                        "role must be system, user or assistant",
                        "content",
                        false,
                        "assistant",
                        "the last message is not an \"assistant\" one (the answer to learn)"};

bool has_role(const json& t, const LineShape& s) {
  if (!t.is_object() || !t.contains("role") || !t["role"].is_string()) return false;
  const std::string& role = t["role"].get_ref<const std::string&>();
  return std::any_of(s.roles.begin(), s.roles.end(), [&](std::string_view r) { return !r.empty() && r == role; });
}

std::string turns_problem(const json& j, const LineShape& s) {
  if (j.contains(s.other_turns)) return fmt::format("{} {} (collect --format {})", s.other_line, s.shape, s.format);
  if (!j.contains(s.turns) || !j[s.turns].is_array() || j[s.turns].empty())
    return fmt::format("{}; expected {}", s.no_turns, s.shape);
  const json& turns = j[s.turns];
  for (size_t i = 0; i < turns.size(); ++i) {
    const json& t = turns[i];
    if (!has_role(t, s)) return fmt::format("{}[{}]: {}; expected {}", s.turns, i, s.role_rule, s.shape);
    bool body_ok = t.contains(s.body) && (!s.body_is_list || (t[s.body].is_array() && !t[s.body].empty()));
    if (!body_ok) return fmt::format("{}[{}]: no \"{}\"; expected {}", s.turns, i, s.body, s.shape);
  }
  if (turns.back()["role"] != s.last_role) return s.last_problem;
  return {};
}

}  // namespace

std::string tuning_line_problem(std::string_view line, std::string_view provider) {
  json j = json::parse(line, nullptr, false);
  const char* shape = provider == "openai" ? kOpenAiShape : kGeminiShape;
  if (j.is_discarded()) return fmt::format("not JSON; expected {}", shape);
  if (!j.is_object()) return fmt::format("not a JSON object; expected {}", shape);
  return turns_problem(j, provider == "openai" ? kOpenAi : kGemini);
}

Result<int64_t> check_tuning_file(const std::string& path, std::string_view provider) {
  PT_ASSIGN_OR_RETURN(auto reader, LineReader::open(path));
  int64_t samples = 0;
  std::string_view line;
  while (true) {
    auto more = reader->next(line);
    if (!more.ok()) return usage_error(fmt::format("{}:{}: {}", path, reader->line_number(), more.error().message));
    if (!*more) break;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;  // blank line
    std::string problem = tuning_line_problem(line, provider);
    if (!problem.empty()) return usage_error(fmt::format("{}:{}: {}", path, reader->line_number(), problem));
    ++samples;
  }
  if (samples == 0)
    return usage_error(fmt::format("{}: 0 samples; nothing to tune on (see collect's summary for why)", path));
  return samples;
}

}  // namespace pt
