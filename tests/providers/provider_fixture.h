// Shared fixtures for provider tests: a real-shaped get-relevant-files payload, env-var scoping
// and a fake LLM server whose base URLs are exported for every provider.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>

#include "core/picker_call.h"
#include "support/fakes/fake_llm.h"

namespace pt::testing {

inline constexpr const char* kPayload = R"({
  "request_type": "Key",
  "system": [
    {"type": "text", "text": "You are a file picker.\n<project_file_tree>\nlib/\n  router/\n    index.js\n    route.js\n  application.js\n  express.js\npackage.json\nReadme.md\n</project_file_tree>"},
    {"type": "text", "text": "<recent_commits>\n- Fix routing\n    M lib/router/index.js\n</recent_commits>"}
  ],
  "messages": [
    {"role": "user", "content": "Please fix the router bug."},
    {"role": "assistant", "content": [{"type": "text", "text": "Looking at it."}, {"type": "tool_use", "id": "t1", "name": "x", "input": {}}]},
    {"role": "tool", "content": "tool output"},
    {"role": "user", "content": [{"type": "text", "text": "Pick the files. Remember to focus on the most important files and limit your selection to 5 files."}]}
  ],
  "output": "lib/router/index.js",
  "model": "gemini-2.0-flash-001",
  "user_input_id": "u1"
})";

inline PickerCall sample_call() {
  auto c = parse_picker_call(kPayload);
  EXPECT_TRUE(c.ok()) << c.error().message;
  return c.ok() ? *c : PickerCall{};
}

// Sets env vars for the scope, restoring previous values.
class ScopedEnv {
 public:
  ScopedEnv(std::initializer_list<std::pair<std::string, std::optional<std::string>>> vars) {
    for (auto& [k, v] : vars) {
      const char* old = std::getenv(k.c_str());
      saved_[k] = old ? std::optional<std::string>(old) : std::nullopt;
      if (v)
        setenv(k.c_str(), v->c_str(), 1);
      else
        unsetenv(k.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() {
    for (auto& [k, v] : saved_) {
      if (v)
        setenv(k.c_str(), v->c_str(), 1);
      else
        unsetenv(k.c_str());
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

inline constexpr const char* kAnthropicKey = "sk-ant-test-SECRET-0123456789";
inline constexpr const char* kOpenAiKey = "sk-openai-test-SECRET-0123456789";
inline constexpr const char* kGeminiKey = "AIza-test-SECRET-0123456789";

}  // namespace pt::testing
