// Lexical normalisation shared by every local ranker (local:bm25, the student): repository paths
// and request text become the same kind of lowercase tokens, so "lib/router/HTTPServer_utils.js"
// and "fix the http server util" meet on "http", "server", "util".
// Rules: split on every non-alphanumeric byte (path segments, snake_case, kebab-case, the
// extension dot), on camelCase / ACRONYMWord boundaries and on letter<->digit boundaries;
// lowercase; light plural stemming ("routes" -> "route", "libraries" -> "library"); drop
// one-letter tokens (digits are kept). Request words also drop a small English stopword list.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pt::ranker {

inline bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
inline bool is_ascii_upper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_ascii_lower(char c) { return c >= 'a' && c <= 'z'; }
inline bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

// Light plural stemming of a lowercase token, in place: "ies" -> "y" (len > 4), a final "s"
// dropped (len > 3, not after s/u/i). Returns the new length.
size_t stem_in_place(char* token, size_t len);

bool is_stopword(std::string_view lowercase_word);

// Calls fn(std::string_view token) for every normalised token of `text`, in order. No heap
// allocation; a token longer than 128 bytes is truncated to its first 128. The view
// passed to fn is only valid during the call.
template <class F>
void for_each_token(std::string_view text, F&& fn) {
  char buf[128];
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    while (i < n && !is_ascii_alnum(text[i])) ++i;
    if (i >= n) break;
    size_t start = i;
    // One sub-token of the alphanumeric run starting at `start`.
    char first = text[i++];
    if (is_ascii_digit(first)) {
      while (i < n && is_ascii_digit(text[i])) ++i;
    } else if (is_ascii_upper(first)) {
      if (i < n && is_ascii_upper(text[i])) {
        // ACRONYM: take uppercase letters, but leave the last one if a lowercase letter follows it.
        while (i < n && is_ascii_upper(text[i])) ++i;
        if (i < n && is_ascii_lower(text[i])) --i;
      } else {
        while (i < n && is_ascii_lower(text[i])) ++i;
      }
    } else {
      while (i < n && is_ascii_lower(text[i])) ++i;
    }
    size_t len = i - start;
    if (len > sizeof(buf)) len = sizeof(buf);
    for (size_t k = 0; k < len; ++k) {
      char c = text[start + k];
      buf[k] = is_ascii_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
    }
    if (len == 1 && !is_ascii_digit(buf[0])) continue;
    if (!is_ascii_digit(buf[0])) len = stem_in_place(buf, len);
    fn(std::string_view(buf, len));
  }
}

// Tokens of a repository path (every segment, the file name's parts and its extension).
std::vector<std::string> path_tokens(std::string_view path);

// Words of a request (commit message, user prompt): same normalisation, stopwords removed.
std::vector<std::string> request_words(std::string_view text);

// Path pieces: "a/b/c.test.js" -> file_name "c.test.js", stem "c" (up to the first dot of the
// name, a leading dot kept: ".eslintrc" -> ".eslintrc"), extension "js" (after the last dot, ""
// when none), parent_dir "a/b" ("" at the root), depth 2 (number of directories).
std::string_view file_name(std::string_view path);
std::string_view file_stem(std::string_view path);
std::string_view file_extension(std::string_view path);
std::string_view parent_dir(std::string_view path);
int path_depth(std::string_view path);

// True for files that look like tests: a segment named test/tests/__tests__/spec/specs, or a
// name containing ".test." / ".spec." / "_test." / "test_" at its start.
bool is_test_path(std::string_view path);

}  // namespace pt::ranker
