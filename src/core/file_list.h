// Turning a model's answer text into an ordered list of file paths.
// parse_file_list: the scoring parse of docs/formats.md#scoring-parse (bullets, numbering, code fences and quotes
// stripped; paths normalised; duplicates once; nothing after a line of dashes).
// parse_production_output: the production agent's own rules (docs/formats.md#output-parsing).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace pt {

// A line of three or more dashes and nothing else ends the answer (the --stop-dashes marker).
bool is_dashes_line(std::string_view trimmed_line);

// Scoring parse, line by line: trimmed; stops at a dashes line; skips blank lines, code-fence
// lines, headings ("# ..."), lines ending in ':' and prose (a sentence with spaces that ends in
// '.', '!' or '?', or has neither '/' nor '.'); strips list markers ("- ", "* ", "+ ", "• ",
// "1. ", "1) "), a trailing ',', quotes/backticks/bold around the path, and a description after
// a path-looking first word ("`a.js` - why", "a.js: why", "a.js (why)"); normalises the path and
// keeps the first occurrence of each.
std::vector<std::string> parse_file_list(std::string_view text);

// Split on newlines, trim, drop empty lines, lines containing a space, absolute paths
// (a drive letter, `~` or `\\`) and paths containing `..`; strip a leading '/'; keep the first
// occurrence of each; at most 30.
std::vector<std::string> parse_production_output(std::string_view text);

// "./a//b/" -> "a/b"; backslashes become slashes; a leading '/' is dropped.
std::string normalize_path(std::string_view path);

std::string_view trim(std::string_view s);

// The three lines of 32 dashes appended by --stop-dashes.
inline constexpr std::string_view kStopDashes =
    "--------------------------------\n--------------------------------\n--------------------------------";

}  // namespace pt
