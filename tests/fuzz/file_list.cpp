// libFuzzer target: answer text -> path list, both the scoring parse (parse_file_list) and the
// production agent's parse (parse_production_output), checking the rules each promises: no empty
// or repeated paths, the production limits (30 paths, no spaces, no ".."), and normalize_path
// being idempotent.
#include <set>
#include <string>

#include "core/file_list.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  std::string_view text = fuzz_input(data, size);

  auto scored = pt::parse_file_list(text);
  std::set<std::string> seen;
  for (const auto& p : scored) {
    FUZZ_CHECK(!p.empty(), "no empty path");
    FUZZ_CHECK(seen.insert(p).second, p.c_str());
    FUZZ_CHECK(p.find('\n') == std::string::npos, "a path is one line");
  }

  auto production = pt::parse_production_output(text);
  FUZZ_CHECK(production.size() <= 30, "at most 30 paths");
  seen.clear();
  for (const auto& p : production) {
    FUZZ_CHECK(!p.empty(), "no empty path");
    FUZZ_CHECK(seen.insert(p).second, p.c_str());
    FUZZ_CHECK(p.find(' ') == std::string::npos, p.c_str());
    FUZZ_CHECK(p.find("..") == std::string::npos, p.c_str());
    // The absolute-path checks run before one leading '/' is stripped, as in production
    // ("//a" -> "/a", "/~a" -> "~a"), so the first character is not checked here.
  }

  std::string once = pt::normalize_path(text.substr(0, 256));
  FUZZ_CHECK(pt::normalize_path(once) == once, once.c_str());
  std::string_view t = pt::trim(text);
  FUZZ_CHECK(t.size() <= text.size(), "trim shrinks");
  return 0;
}
