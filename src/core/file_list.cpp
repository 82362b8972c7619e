// Implementation of core/file_list.h.
#include "core/file_list.h"

#include <unordered_set>

namespace pt {
namespace {

template <class F>
void for_each_line(std::string_view text, F&& f) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    if (!f(text.substr(pos, nl - pos))) return;
    pos = nl + 1;
  }
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// Drops "- ", "* ", "+ ", "• ", "1. ", "1) " prefixes.
std::string_view strip_list_marker(std::string_view s) {
  if (s.size() >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && is_space(s[1])) return trim(s.substr(2));
  if (s.substr(0, 3) == "\xE2\x80\xA2") return trim(s.substr(3));  // bullet
  size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i > 0 && i + 1 < s.size() && (s[i] == '.' || s[i] == ')') && is_space(s[i + 1])) return trim(s.substr(i + 2));
  return s;
}

std::string_view strip_quotes(std::string_view s) {
  while (s.size() >= 2) {
    char a = s.front(), b = s.back();
    if ((a == '`' || a == '"' || a == '\'') && a == b) {
      s = trim(s.substr(1, s.size() - 2));
    } else if (a == '*' && b == '*') {
      s = trim(s.substr(1, s.size() - 2));  // **bold**
    } else {
      break;
    }
  }
  return s;
}

}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_dashes_line(std::string_view line) {
  if (line.size() < 3) return false;
  for (char c : line)
    if (c != '-') return false;
  return true;
}

std::string normalize_path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = start;
    while (end < path.size() && path[end] != '/' && path[end] != '\\') ++end;
    std::string_view seg = path.substr(start, end - start);
    if (!seg.empty() && seg != ".") {
      if (!out.empty()) out += '/';
      out += seg;
    }
    if (end >= path.size()) break;
    start = end + 1;
  }
  return out;
}

std::vector<std::string> parse_file_list(std::string_view text) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for_each_line(text, [&](std::string_view raw) {
    std::string_view line = trim(raw);
    if (is_dashes_line(line)) return false;
    if (line.empty() || line.substr(0, 3) == "```") return true;
    line = strip_quotes(strip_list_marker(line));
    if (line.empty() || line.back() == ':') return true;  // "Here are the files:"
    if (line.find(": ") != std::string_view::npos) return true;  // prose
    std::string path = normalize_path(line);
    if (path.empty()) return true;
    if (seen.insert(path).second) out.push_back(std::move(path));
    return true;
  });
  return out;
}

std::vector<std::string> parse_production_output(std::string_view text) {
  std::vector<std::string> out;
  std::unordered_set<std::string_view> seen;
  for_each_line(text, [&](std::string_view raw) {
    std::string_view line = trim(raw);
    if (line.empty() || line.find(' ') != std::string_view::npos) return true;
    if (line.find("..") != std::string_view::npos) return true;
    bool drive = line.size() >= 2 && line[1] == ':' &&
                 ((line[0] >= 'A' && line[0] <= 'Z') || (line[0] >= 'a' && line[0] <= 'z'));
    if (drive || line[0] == '~' || line[0] == '\\') return true;
    if (line[0] == '/') line.remove_prefix(1);
    if (line.empty() || !seen.insert(line).second) return true;
    out.emplace_back(line);
    return out.size() < 30;
  });
  return out;
}

}  // namespace pt
