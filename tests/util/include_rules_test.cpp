// The include rules of docs/architecture.md, enforced: every #include "FOLDER/..." under src/
// must point to a folder its own folder may use (util -> core -> store/net/tokenizer/providers/
// ranker -> pipeline -> report/server -> cli). Scans the real tree; the rule table is also checked
// against hand-made violations so the scan cannot pass by accident.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "source_dir.h"

namespace pt {
namespace {

namespace fs = std::filesystem;

// folder -> the picktune folders it may include (itself included)
const std::map<std::string, std::set<std::string>>& allowed() {
  static const std::set<std::string> middle = {"util", "core", "store", "net", "tokenizer", "providers", "ranker"};
  static const std::map<std::string, std::set<std::string>> rules = [] {
    std::map<std::string, std::set<std::string>> r;
    r["util"] = {"util"};
    r["core"] = {"util", "core"};
    for (const auto& m : middle)
      if (m != "util" && m != "core") r[m] = middle;
    r["pipeline"] = middle;
    r["pipeline"].insert("pipeline");
    r["report"] = r["pipeline"];
    r["report"].insert("report");
    r["server"] = r["report"];
    r["server"].insert("server");
    r["cli"] = r["server"];
    r["cli"].insert("cli");
    return r;
  }();
  return rules;
}

// "" when `include` (the text between the quotes) is allowed from a file in `folder`.
std::string violation(const std::string& folder, const std::string& include) {
  auto slash = include.find('/');
  if (slash == std::string::npos) return "";  // generated headers (source_dir.h) and same-folder names
  std::string target = include.substr(0, slash);
  const auto& rules = allowed();
  if (!rules.count(target)) return "";  // not a picktune folder (e.g. a library's "fmt/...")
  auto it = rules.find(folder);
  if (it == rules.end()) return "unknown folder src/" + folder + " (add it to docs/architecture.md and this test)";
  if (it->second.count(target)) return "";
  return folder + "/ may not include " + target + "/";
}

std::vector<std::string> scan_tree() {
  std::vector<std::string> found;
  const fs::path src = fs::path(PICKTUNE_SOURCE_DIR) / "src";
  const std::regex include_re(R"re(^\s*#\s*include\s*"([^"]+)")re");
  for (const auto& entry : fs::recursive_directory_iterator(src)) {
    if (!entry.is_regular_file()) continue;
    auto ext = entry.path().extension().string();
    if (ext != ".h" && ext != ".cpp") continue;
    std::string rel = fs::relative(entry.path(), src).string();
    std::string folder = rel.substr(0, rel.find('/'));
    if (folder == rel) {
      found.push_back(rel + ": a source file directly under src/ (it belongs in a folder)");
      continue;
    }
    std::ifstream in(entry.path());
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      std::smatch m;
      if (!std::regex_search(line, m, include_re)) continue;
      std::string why = violation(folder, m[1].str());
      if (!why.empty()) found.push_back(rel + ":" + std::to_string(n) + ": #include \"" + m[1].str() + "\": " + why);
    }
  }
  return found;
}

TEST(IncludeRules, RuleTableRejectsWhatTheArchitectureForbids) {
  EXPECT_NE(violation("util", "core/row.h"), "");
  EXPECT_NE(violation("core", "store/store.h"), "");
  EXPECT_NE(violation("core", "net/http.h"), "");
  EXPECT_NE(violation("store", "pipeline/collect/collect.h"), "");
  EXPECT_NE(violation("providers", "report/eval_output.h"), "");
  EXPECT_NE(violation("pipeline", "report/eval_output.h"), "");
  EXPECT_NE(violation("pipeline", "cli/commands.h"), "");
  EXPECT_NE(violation("pipeline", "server/anything.h"), "");
  EXPECT_NE(violation("report", "cli/commands.h"), "");
  EXPECT_NE(violation("server", "cli/commands.h"), "");
  EXPECT_NE(violation("newfolder", "util/result.h"), "");
}

TEST(IncludeRules, RuleTableAllowsTheLayering) {
  EXPECT_EQ(violation("util", "util/result.h"), "");
  EXPECT_EQ(violation("core", "util/result.h"), "");
  EXPECT_EQ(violation("providers", "net/http.h"), "");
  EXPECT_EQ(violation("store", "net/http.h"), "");
  EXPECT_EQ(violation("pipeline", "providers/model.h"), "");
  EXPECT_EQ(violation("report", "pipeline/eval/eval_summary.h"), "");
  EXPECT_EQ(violation("cli", "report/eval_output.h"), "");
  EXPECT_EQ(violation("cli", "cli/commands.h"), "");
  EXPECT_EQ(violation("pipeline", "source_dir.h"), "");
  EXPECT_EQ(violation("util", "fmt/format.h"), "");
}

TEST(IncludeRules, SourceTreeFollowsThem) {
  std::vector<std::string> found = scan_tree();
  std::string all;
  for (const auto& f : found) all += "\n  " + f;
  EXPECT_TRUE(found.empty()) << found.size() << " include(s) break docs/architecture.md's rules:" << all;
}

}  // namespace
}  // namespace pt
