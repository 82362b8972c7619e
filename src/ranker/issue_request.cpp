// Implementation of ranker/issue_request.h: fences split line by line, frames matched per line
// with three patterns (Python, JavaScript, path:line), Python's outermost-first order reversed.
#include "ranker/issue_request.h"

#include <algorithm>
#include <regex>

namespace pt::ranker {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

int to_int(const std::string& s) {
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9' || v > 100'000'000) break;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool error_line(std::string_view text) {
  static constexpr std::string_view kMarks[] = {"Error: ", "Exception: ", "panic: ", "error: ", "error["};
  for (auto m : kMarks)
    if (text.find(m) != std::string_view::npos) return true;
  return false;
}

// A `code` or "text" span of 3+ characters on one line.
bool quoted_span(std::string_view prose) {
  for (char q : {'`', '"'})
    for (size_t a = prose.find(q); a != std::string_view::npos; a = prose.find(q, a + 1)) {
      size_t b = prose.find(q, a + 1);
      if (b == std::string_view::npos) break;
      if (b - a > 3 && prose.substr(a, b - a).find('\n') == std::string_view::npos) return true;
      a = b;
    }
  return false;
}

}  // namespace

IssueRequest parse_issue_request(std::string_view text) {
  static const std::regex python(R"re(File "([^"]+)", line (\d+)(?:, in ([A-Za-z_<>][\w<>.]*))?)re");
  static const std::regex javascript(
      R"re(\bat (?:(?:async )?([\w$.<>\[\] ]+?) \()?(?:file://)?([^\s():]+):(\d+)(?::\d+)?\)?)re");
  static const std::regex located(R"re((?:^|[\s'"(\[])((?:[\w.\-]+/)*[\w\-]+\.[A-Za-z][\w]{0,9}):(\d+)(?::\d+)?)re");
  IssueRequest out;
  std::vector<StackFrame> python_frames, other_frames;
  std::string fence;  // the open fence marker, "" outside code
  std::string block;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    std::string_view t = trim(line);
    if (out.title.empty() && fence.empty() && !t.empty() && t.substr(0, 3) != "```" && t.substr(0, 3) != "~~~")
      out.title = std::string(t.size() > 1 && t[0] == '#' ? trim(t.substr(t.find_first_not_of('#'))) : t);
    if (t.substr(0, 3) == "```" || t.substr(0, 3) == "~~~") {
      if (fence.empty()) {
        fence = std::string(t.substr(0, 3));
        block.clear();
        continue;
      }
      if (t.substr(0, 3) == fence) {
        out.code_blocks.push_back(block);
        fence.clear();
        continue;
      }
    }
    if (fence.empty()) {
      out.prose.append(line).push_back('\n');
    } else {
      block.append(line).push_back('\n');
    }
    std::string s(line);
    std::smatch m;
    if (std::regex_search(s, m, python)) {
      python_frames.push_back({m[1].str(), to_int(m[2].str()), m[3].matched ? m[3].str() : ""});
    } else if (std::regex_search(s, m, javascript)) {
      std::string fn = m[1].matched ? m[1].str() : "";
      fn = fn.substr(0, fn.find(' '));  // "Layer.handle [as handle_request]"
      if (size_t dot = fn.rfind('.'); dot != std::string::npos) fn = fn.substr(dot + 1);
      other_frames.push_back({m[2].str(), to_int(m[3].str()), fn});
    } else {
      for (auto it = std::sregex_iterator(s.begin(), s.end(), located); it != std::sregex_iterator(); ++it)
        other_frames.push_back({(*it)[1].str(), to_int((*it)[2].str()), ""});
    }
    if (eol == text.size()) break;
  }
  if (!fence.empty()) out.code_blocks.push_back(block);  // an unclosed fence runs to the end
  std::reverse(python_frames.begin(), python_frames.end());
  out.shape = (out.code_blocks.empty() ? 0 : 1) + (python_frames.empty() && other_frames.empty() ? 0 : 1) +
              (error_line(text) ? 1 : 0) + (quoted_span(out.prose) ? 1 : 0);
  for (auto* list : {&python_frames, &other_frames})
    for (auto& f : *list) {
      bool dup = std::any_of(out.frames.begin(), out.frames.end(),
                             [&](const StackFrame& g) { return g.path == f.path && g.line == f.line; });
      if (!dup) out.frames.push_back(std::move(f));
    }
  return out;
}

}  // namespace pt::ranker
