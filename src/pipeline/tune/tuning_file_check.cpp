// Implementation of pipeline/tune/tuning_file_check.h: one JSON parse per line, then a shape
// check of the turns (roles, parts or content, a final model/assistant turn).
#include "pipeline/tune/tuning_file_check.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "util/line_reader.h"

namespace pt {

namespace {

using nlohmann::json;

constexpr const char* kGeminiShape = R"(a Gemini line {"contents":[{"role":"user|model","parts":[{"text":...}]}]})";
constexpr const char* kOpenAiShape =
    R"(an OpenAI chat line {"messages":[{"role":"system|user|assistant","content":...}]})";

std::string gemini_problem(const json& j) {
  if (j.contains("messages"))
    return fmt::format("an OpenAI chat line (\"messages\"); Vertex AI takes {} (collect --format gemini)",
                       kGeminiShape);
  if (!j.contains("contents") || !j["contents"].is_array() || j["contents"].empty())
    return fmt::format("no \"contents\" turns; expected {}", kGeminiShape);
  const json& turns = j["contents"];
  for (size_t i = 0; i < turns.size(); ++i) {
    const json& t = turns[i];
    if (!t.is_object() || !t.contains("role") || !t["role"].is_string() ||
        (t["role"] != "user" && t["role"] != "model"))
      return fmt::format("contents[{}]: role must be \"user\" or \"model\"; expected {}", i, kGeminiShape);
    if (!t.contains("parts") || !t["parts"].is_array() || t["parts"].empty())
      return fmt::format("contents[{}]: no \"parts\"; expected {}", i, kGeminiShape);
  }
  if (turns.back()["role"] != "model") return "the last turn is not a \"model\" turn (the answer to learn)";
  return {};
}

std::string openai_problem(const json& j) {
  if (j.contains("contents"))
    return fmt::format("a Gemini line (\"contents\"); OpenAI takes {} (collect --format openai)", kOpenAiShape);
  if (!j.contains("messages") || !j["messages"].is_array() || j["messages"].empty())
    return fmt::format("no \"messages\"; expected {}", kOpenAiShape);
  const json& turns = j["messages"];
  for (size_t i = 0; i < turns.size(); ++i) {
    const json& t = turns[i];
    if (!t.is_object() || !t.contains("role") || !t["role"].is_string() ||
        (t["role"] != "system" && t["role"] != "user" && t["role"] != "assistant"))
      return fmt::format("messages[{}]: role must be system, user or assistant; expected {}", i, kOpenAiShape);
    if (!t.contains("content")) return fmt::format("messages[{}]: no \"content\"; expected {}", i, kOpenAiShape);
  }
  if (turns.back()["role"] != "assistant") return "the last message is not an \"assistant\" one (the answer to learn)";
  return {};
}

}  // namespace

std::string tuning_line_problem(std::string_view line, std::string_view provider) {
  json j = json::parse(line, nullptr, false);
  const char* shape = provider == "openai" ? kOpenAiShape : kGeminiShape;
  if (j.is_discarded()) return fmt::format("not JSON; expected {}", shape);
  if (!j.is_object()) return fmt::format("not a JSON object; expected {}", shape);
  return provider == "openai" ? openai_problem(j) : gemini_problem(j);
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
