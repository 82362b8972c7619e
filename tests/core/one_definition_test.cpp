// One definition per type name: scans every header under src/ for namespace-scope definitions
// (struct, class, union, enum, `using X =`) and fails naming any qualified name that two headers
// define. Two different `pt::TraceKey`s in one program is an ODR violation the linker does not
// catch (it had happened: collect's and eval's join keys).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "source_dir.h"

namespace {

namespace fs = std::filesystem;

// The text without comments, string and character literals (their contents become spaces).
std::string strip(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 2, "//") == 0) {
      while (i < s.size() && s[i] != '\n') ++i;
      out += '\n';
    } else if (s.compare(i, 2, "/*") == 0) {
      size_t end = s.find("*/", i + 2);
      i = end == std::string::npos ? s.size() : end + 1;
      out += ' ';
    } else if (s.compare(i, 2, "R\"") == 0) {  // raw string: R"delim( ... )delim"
      size_t open = s.find('(', i);
      std::string close = ")" + s.substr(i + 2, open - i - 2) + "\"";
      size_t end = s.find(close, open);
      i = end == std::string::npos ? s.size() : end + close.size() - 1;
      out += "\"\"";
    } else if (s[i] == '"' || s[i] == '\'') {
      char q = s[i];
      ++i;
      while (i < s.size() && s[i] != q) i += s[i] == '\\' ? 2 : 1;
      out += "\"\"";
    } else {
      out += s[i];
    }
  }
  return out;
}

// Type names defined at namespace scope in `text`, qualified by their namespaces ("pt::TraceKey").
std::set<std::string> namespace_scope_types(const std::string& text) {
  static const std::regex ns_open(R"((?:^|[;{}\s])namespace\s*([\w:]*)\s*$)");
  static const std::regex templ(R"(template\s*<[^<>]*(?:<[^<>]*>[^<>]*)*>)");
  static const std::regex type_def(
      R"((?:^|[;{}\s])(?:struct|class|union|enum(?:\s+class|\s+struct)?)\s+(?:\[\[\w+\]\]\s*)?(\w+)\s*(?:final\s*)?(?::[^;{}()]*)?$)");
  static const std::regex alias(R"((?:^|[;{}\s])using\s+(\w+)\s*=)");
  std::set<std::string> found;
  // One entry per open brace: the namespace it opens ("" for anonymous), or nullopt for a body.
  std::vector<std::optional<std::string>> scopes;
  auto at_namespace_scope = [&] {
    for (const auto& s : scopes)
      if (!s) return false;
    return true;
  };
  auto prefix = [&] {
    std::string p;
    for (const auto& s : scopes)
      if (s && !s->empty()) p += *s + "::";
    return p;
  };
  std::string stmt;  // namespace-scope text since the last ';', '{' or '}'
  for (char c : text) {
    if (c == '{') {
      if (at_namespace_scope()) {
        std::string head = std::regex_replace(stmt, templ, " ");
        std::smatch m;
        if (std::regex_search(head, m, ns_open)) {
          scopes.emplace_back(m[1].str());
          stmt.clear();
          continue;
        }
        if (head.find("extern \"\"") != std::string::npos) {  // extern "C" { ... }
          scopes.emplace_back("");
          stmt.clear();
          continue;
        }
        if (std::regex_search(head, m, type_def)) found.insert(prefix() + m[1].str());
      }
      scopes.emplace_back(std::nullopt);
      stmt.clear();
    } else if (c == '}') {
      if (!scopes.empty()) scopes.pop_back();
      stmt.clear();
    } else if (c == ';') {
      if (at_namespace_scope()) {
        std::smatch m;
        if (std::regex_search(stmt, m, alias)) found.insert(prefix() + m[1].str());
      }
      stmt.clear();
    } else if (at_namespace_scope()) {
      stmt += c;
    }
  }
  return found;
}

// Qualified type name -> headers (relative to `root`) defining it, for names defined more than once.
std::map<std::string, std::vector<std::string>> duplicates(const fs::path& root) {
  std::map<std::string, std::vector<std::string>> where;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.path().extension() != ".h") continue;
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    for (const auto& name : namespace_scope_types(strip(text.str())))
      where[name].push_back(fs::relative(e.path(), root).string());
  }
  std::map<std::string, std::vector<std::string>> dups;
  for (auto& [name, files] : where)
    if (files.size() > 1) dups[name] = files;
  return dups;
}

TEST(OneDefinition, TheScannerFindsDefinitionsAndIgnoresDeclarationsAndBodies) {
  auto types = namespace_scope_types(strip(R"(
    namespace pt {
    struct Fwd;
    struct A { struct Inner {}; int f() { struct Local {}; return 0; } };
    class [[nodiscard]] B final : public A { using Hidden = int; };
    template <class T, class U = std::vector<T>> class C {};
    enum class D : uint8_t { x, y };
    using E = int;  // "struct NotAType {" in a comment
    inline const char* s = "class NotAType {";
    namespace inner { struct F {}; }
    namespace { struct G {}; }
    void g(struct stat* st) { }
    }  // namespace pt
  )"));
  EXPECT_EQ(types, (std::set<std::string>{"pt::A", "pt::B", "pt::C", "pt::D", "pt::E", "pt::inner::F", "pt::G"}));
}

TEST(OneDefinition, NoTwoHeadersUnderSrcDefineTheSameType) {
  auto dups = duplicates(fs::path(PICKTUNE_SOURCE_DIR) / "src");
  std::string report;
  for (const auto& [name, files] : dups) {
    report += name + " is defined in";
    for (const auto& f : files) report += " " + f;
    report += "\n";
  }
  EXPECT_TRUE(dups.empty()) << report;
}

}  // namespace
