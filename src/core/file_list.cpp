// Implementation of core/file_list.h.
#include "core/file_list.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <unordered_set>

namespace pt {
namespace {

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

// "`lib/a.js` - the router" / "**lib/a.js**: why": a leading quoted token followed by a description.
std::string_view leading_quoted(std::string_view s) {
  for (std::string_view q : {"**", "`", "\"", "'"}) {
    if (s.size() <= 2 * q.size() || s.substr(0, q.size()) != q) continue;
    size_t close = s.find(q, q.size());
    if (close != std::string_view::npos && close > q.size() && close + q.size() < s.size())
      return trim(s.substr(q.size(), close - q.size()));
  }
  return s;
}

bool has_alnum(std::string_view s) {
  for (char c : s)
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        static_cast<unsigned char>(c) >= 0x80)
      return true;
  return false;
}

// "lib/a.js - the router", "lib/a.js: routing", "lib/a.js (routing)": a path-looking first word
// (no space, has '/' or '.') followed by a description is cut to the path.
std::string_view strip_description(std::string_view s) {
  size_t cut = std::string_view::npos;
  for (std::string_view sep : {": ", " - ", " \xE2\x80\x94 ", " \xE2\x80\x93 ", " ("}) cut = std::min(cut, s.find(sep));
  if (cut == std::string_view::npos || cut == 0) return s;
  std::string_view head = s.substr(0, cut);
  if (head.find(' ') != std::string_view::npos) return s;
  if (head.find('/') == std::string_view::npos && head.find('.') == std::string_view::npos) return s;
  return head;
}

// Sentences and headings, not paths: "# Files", "These are the files.", "Here are the relevant files".
bool is_prose(std::string_view s) {
  if (s.size() >= 2 && s[0] == '#' && (s[1] == ' ' || s[1] == '#')) return true;
  if (s.find(' ') == std::string_view::npos) return false;
  char last = s.back();
  if (last == '.' || last == '!' || last == '?') return true;
  return s.find('/') == std::string_view::npos && s.find('.') == std::string_view::npos;
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

// The paths an answer names, line by line: `pick` gets each line trimmed and returns its path, ""
// for a line that names none, or nullopt for a line that ends the answer. Each path is kept the
// first time only, in order, and at most `most` of them.
template <class Pick>
std::vector<std::string> paths_by_line(std::string_view text, size_t most, Pick pick) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  size_t pos = 0;
  while (pos < text.size() && out.size() < most) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::optional<std::string> path = pick(trim(text.substr(pos, nl - pos)));
    pos = nl + 1;
    if (!path) break;
    if (path->empty()) continue;
    // Short lists (the usual case) are checked by a scan; long ones through a set.
    if (out.size() < 32) {
      if (std::find(out.begin(), out.end(), *path) == out.end()) out.push_back(std::move(*path));
      continue;
    }
    if (seen.empty()) seen.insert(out.begin(), out.end());
    if (seen.insert(*path).second) out.push_back(std::move(*path));
  }
  return out;
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
  return paths_by_line(text, SIZE_MAX, [](std::string_view line) -> std::optional<std::string> {
    if (is_dashes_line(line)) return std::nullopt;
    if (line.empty() || line.substr(0, 3) == "```") return "";
    line = strip_list_marker(line);
    if (!line.empty() && line.back() == ',') line = trim(line.substr(0, line.size() - 1));  // ["a.js",
    line = strip_quotes(strip_description(leading_quoted(line)));
    if (line.empty() || line.back() == ':') return "";         // "Here are the files:"
    if (line.find(": ") != std::string_view::npos) return "";  // prose
    if (!has_alnum(line) || is_prose(line)) return "";
    return normalize_path(line);
  });
}

std::vector<std::string> parse_production_output(std::string_view text) {
  return paths_by_line(text, 30, [](std::string_view line) -> std::optional<std::string> {
    if (line.find(' ') != std::string_view::npos || line.find("..") != std::string_view::npos) return "";
    bool drive = line.size() >= 2 && line[1] == ':' &&
                 ((line[0] >= 'A' && line[0] <= 'Z') || (line[0] >= 'a' && line[0] <= 'z'));
    if (line.empty() || drive || line[0] == '~' || line[0] == '\\') return "";
    if (line[0] == '/') line.remove_prefix(1);
    return std::string(line);
  });
}

}  // namespace pt
