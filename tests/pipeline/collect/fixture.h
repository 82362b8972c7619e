// Test data for collect: Key and Non-Obvious picker traces of several agent steps (string and
// array system prompts, multi-turn histories with assistant turns, tool and image parts) and
// teacher relabels, plus temp-dir and file helpers.
#pragma once
#include <dirent.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/picker_prompt.h"
#include "core/row.h"

namespace pt::testing {

using nlohmann::json;

inline constexpr int64_t kT0 = 1746100800LL * 1000000;  // 2025-05-01T12:00:00Z

inline std::string request_of(int step) { return "REQ-" + std::to_string(step); }
inline std::string key_prompt(int step) { return key_picker_prompt(request_of(step), 12); }
inline std::string non_obvious_prompt(int step) {
  return "List second-order files (configs, tests, types) relevant to " + request_of(step) + ".";
}
inline std::string tree_of(int step) {
  return "<project_file_tree>\nsrc/\n  s" + std::to_string(step) + ".ts\n</project_file_tree>";
}
inline std::string git_of(int step) { return "<git_changes>M src/s" + std::to_string(step) + ".ts</git_changes>"; }

// Even steps: array system prompt [tree, git]; odd steps: one string.
inline json system_of(int step) {
  if (step % 2 == 0)
    return json::array({{{"type", "text"}, {"text", tree_of(step)}}, {{"type", "text"}, {"text", git_of(step)}}});
  return tree_of(step) + "\n" + git_of(step);
}

inline json messages_of(int step, const std::string& prompt) {
  std::string s = std::to_string(step);
  return json::array({
      {{"role", "user"}, {"content", request_of(step) + "-first"}},
      {{"role", "assistant"},
       {"content",
        json::array(
            {{{"type", "text"}, {"text", "Looking at " + s}},
             {{"type", "tool_use"}, {"id", "tu" + s}, {"name", "read_files"}, {"input", {{"paths", {"a"}}}}}})}},
      {{"role", "user"},
       {"content", json::array({{{"type", "tool_result"}, {"tool_use_id", "tu" + s}, {"content", "..."}}})}},
      {{"role", "user"},
       {"content", json::array({{{"type", "image"}, {"source", {{"type", "base64"}, {"data", "AAAA"}}}},
                                {{"type", "text"}, {"text", "screenshot " + s}}})}},
      {{"role", "assistant"}, {"content", "Done " + s}},
      {{"role", "user"}, {"content", prompt}},
  });
}

inline Row trace_row(int step, const std::string& kind, const std::string& user = "u1") {
  Row r;
  r.id = "t" + std::to_string(step) + (kind == "Key" ? "k" : "n");
  r.agent_step_id = "step-" + std::to_string(step);
  r.user_id = user;
  r.created_at_us = kT0 + step * 1000000LL + (kind == "Key" ? 0 : 1);
  r.type = "get-relevant-files";
  json p = {{"request_type", kind},
            {"system", system_of(step)},
            {"messages", messages_of(step, kind == "Key" ? key_prompt(step) : non_obvious_prompt(step))},
            {"output", "prod/answer.ts"},
            {"model", "gemini-2.0-flash-001"},
            {"user_input_id", "ui" + std::to_string(step)},
            {"client_session_id", "cs1"},
            {"fingerprint_id", "fp1"}};
  r.payload = p.dump();
  return r;
}

// The teacher's answer for a step and kind: five paths, distinct per kind, plus noise lines.
inline std::string answer_of(int step, const std::string& kind, bool with_context = true) {
  std::string dir = kind == "Key" ? "key" : "nonobv";
  std::string s = std::to_string(step) + (with_context ? "" : "-noctx");
  return dir + "/a" + s + ".ts\nnot a path\n" + dir + "/b" + s + ".ts\n" + dir + "/c" + s + ".ts\n" + dir + "/d" + s +
         ".ts\n" + dir + "/e" + s + ".ts\n";
}

inline Row relabel_row(int step, const std::string& kind, const std::string& model, std::optional<bool> with_context,
                       bool typed = true) {
  Row r;
  r.id = "r-" + model + "-" + std::to_string(step) + kind + (with_context ? (*with_context ? "-ctx" : "-noctx") : "");
  r.agent_step_id = "step-" + std::to_string(step);
  r.user_id = "u1";
  r.created_at_us = kT0 + 86400000000LL + step;
  r.model = model;
  json p = {{"output", answer_of(step, kind, with_context.value_or(true))},
            {"user_input_id", "ui" + std::to_string(step)},
            {"client_session_id", "cs1"},
            {"fingerprint_id", "fp1"}};
  if (typed) {
    p["request_type"] = kind;
    p["files"] = json::array();
    p["usage"] = {{"input_tokens", 100}, {"output_tokens", 10}, {"cached_input_tokens", 0}};
    p["cost_usd"] = 0.001;
    p["latency_ms"] = 900;
  }
  if (with_context) p["with_context"] = *with_context;
  r.payload = p.dump();
  return r;
}

// Temp dirs made by temp_dir() are removed when the test program exits.
inline int remove_entry(const char* path, const struct stat*, int, struct FTW*) { return ::remove(path); }
inline std::vector<std::string>& temp_dirs() {
  static std::vector<std::string>* dirs = [] {
    auto* d = new std::vector<std::string>();
    std::atexit([] {
      for (const auto& dir : temp_dirs()) ::nftw(dir.c_str(), remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    });
    return d;
  }();
  return *dirs;
}

inline std::string temp_dir() {
  std::string tmpl = (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : std::string("/tmp")) + "/pt-collect-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  char* d = ::mkdtemp(buf.data());
  if (!d) return std::string();
  temp_dirs().push_back(d);
  return d;
}

inline bool file_exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

inline std::vector<std::string> dir_entries(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d))
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") out.push_back(e->d_name);
    ::closedir(d);
  }
  return out;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<json> read_jsonl(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

}  // namespace pt::testing
