// Realistic get-relevant-files traces for relabel tests and benchmarks (no GoogleTest here): a
// file tree with recent commits, Key / Non-Obvious prompts, production ids, and blob-context traces.
#pragma once
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/file_tree.h"
#include "core/picker_prompt.h"
#include "core/row.h"

namespace pt::testing {

inline const std::vector<std::string>& repo_paths() {
  static const std::vector<std::string> paths = {"src/auth/login.ts",
                                                 "src/auth/session.ts",
                                                 "src/auth/password_reset.ts",
                                                 "src/api/users.ts",
                                                 "src/api/billing.ts",
                                                 "src/api/http_client.ts",
                                                 "src/ui/Button.tsx",
                                                 "src/ui/LoginForm.tsx",
                                                 "src/ui/BillingPage.tsx",
                                                 "src/db/migrations/001_init.sql",
                                                 "src/db/userRepository.ts",
                                                 "src/config.ts",
                                                 "tests/auth/login.test.ts",
                                                 "tests/api/billing.test.ts",
                                                 "README.md",
                                                 "package.json"};
  return paths;
}

inline const std::vector<std::string>& requests() {
  static const std::vector<std::string> r = {
      "Fix the login session timeout",     "Add a retry to the billing http client", "Rename the Button component",
      "Users cannot reset their password", "Add a migration for the users table",    "Document the config options"};
  return r;
}

inline std::string system_prompt(int i) {
  std::vector<RecentCommit> commits = {
      {"Tweak login form", {{'M', "src/ui/LoginForm.tsx"}}},
      {"Billing page totals", {{'M', "src/ui/BillingPage.tsx"}, {'A', "src/api/billing.ts"}}}};
  return fmt::format("You are the file picker of a coding agent (step {}).\n{}\n{}{}\n{}\n{}{}\n", i, kTreeOpen,
                     render_file_tree(repo_paths()), kTreeClose, kRecentOpen, render_recent_commits(commits),
                     kRecentClose);
}

// A get-relevant-files payload as production writes it.
inline std::string picker_payload(int i, const std::string& kind) {
  const std::string& request = requests()[static_cast<size_t>(i) % requests().size()];
  std::string prompt =
      kind == "Key" ? key_picker_prompt(fmt::format("{} (#{})", request, i), 5)
                    : fmt::format("<user_request>\n{} (#{})\n</user_request>\nList second-order files.", request, i);
  nlohmann::json p = {
      {"request_type", kind},
      {"system", nlohmann::json::array({{{"type", "text"}, {"text", system_prompt(i)}}})},
      {"messages", nlohmann::json::array({{{"role", "user"}, {"content", "Earlier question"}},
                                          {{"role", "assistant"}, {"content", "Earlier answer"}},
                                          {{"role", "user"}, {"content", {{{"type", "text"}, {"text", prompt}}}}}})},
      {"output", "src/auth/login.ts\nsrc/config.ts"},
      {"model", "gemini-2.0-flash"},
      {"user_input_id", fmt::format("ui-{}", i)},
      {"client_session_id", fmt::format("cs-{}", i % 7)},
      {"fingerprint_id", "fp-1"}};
  return p.dump();
}

inline Row picker_trace(int i, const std::string& kind = "Key") {
  Row r;
  r.id = fmt::format("tr-{:05}-{}", i, kind == "Key" ? "k" : "n");
  r.agent_step_id = fmt::format("step-{:05}", i);
  r.user_id = fmt::format("user-{}", i % 3);
  r.created_at_us = 1746100800LL * 1000000 + static_cast<int64_t>(i) * 1000000;
  r.type = "get-relevant-files";
  r.payload = picker_payload(i, kind);
  return r;
}

inline Row blob_trace(int i) {
  nlohmann::json files = {
      {"src/auth/session.ts",
       {{"content", "export const SESSION_TIMEOUT = 30 * 60;\nexport function refreshSession() {}\n"}, {"tokens", 20}}},
      {"src/auth/login.ts",
       {{"content", "import { refreshSession } from './session';\nexport function login() {}\n"}, {"tokens", 18}}}};
  Row r;
  r.id = fmt::format("blob-{:05}", i);
  r.agent_step_id = fmt::format("step-{:05}", i);
  r.user_id = fmt::format("user-{}", i % 3);
  r.created_at_us = 1746100800LL * 1000000 + static_cast<int64_t>(i) * 1000000 + 10;
  r.type = "get-expanded-file-context-for-training-blobs";
  r.payload = nlohmann::json{{"files", files}, {"user_input_id", fmt::format("ui-{}", i)}}.dump();
  return r;
}

}  // namespace pt::testing
