// Implementation of ranker/path_tokens.h: stemming, the stopword list and path pieces.
#include "ranker/path_tokens.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace pt::ranker {
namespace {

// Small English stopword list, sorted for binary search. Domain words such as "fix", "add", "test"
// or "doc" are deliberately kept: they carry signal about which files change.
constexpr std::array<std::string_view, 82> kStopwords = {
    "about", "after", "all",   "also",   "an",    "and",  "any",  "are",   "as",   "at",   "be",    "been",
    "being", "but",   "by",    "can",    "could", "do",   "doe",  "does",  "for",  "from", "ha",    "had",
    "has",   "have",  "he",    "her",    "his",   "how",  "if",   "in",    "into", "is",   "it",    "its",
    "just",  "may",   "more",  "no",     "not",   "now",  "of",   "on",    "one",  "only", "or",    "other",
    "our",   "out",   "she",   "should", "so",    "some", "such", "than",  "that", "the",  "their", "them",
    "then",  "there", "these", "they",   "thi",   "this", "to",   "wa",    "was",  "we",   "were",  "what",
    "when",  "where", "which", "while",  "who",   "will", "with", "would", "you",  "your",
};
static_assert(std::is_sorted(kStopwords.begin(), kStopwords.end()));
static_assert(std::all_of(kStopwords.begin(), kStopwords.end(), [](std::string_view w) {
  return w.size() >= 2 && w.size() <= 6 && w[0] >= 'a' && w[0] <= 'z';
}));

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

size_t stem_in_place(char* token, size_t len) {
  std::string_view t(token, len);
  if (len > 4 && ends_with(t, "ies")) {
    token[len - 3] = 'y';
    return len - 2;
  }
  if (len > 3 && t.back() == 's') {
    char before = t[len - 2];
    if (before != 's' && before != 'u' && before != 'i') return len - 1;
  }
  return len;
}

bool is_stopword(std::string_view w) {
  // Words are compared after stemming ("this" -> "thi", "was" -> "wa"), so both forms are listed.
  // Called for every token of every path: reject by length and first letter before searching.
  static constexpr size_t kMaxLen = 6;
  struct Index {
    uint32_t lengths = 0;             // bit n: some stopword has length n
    std::array<uint16_t, 27> from{};  // by first letter: range in kStopwords
  };
  static const Index index = [] {
    Index ix;
    for (auto sw : kStopwords) ix.lengths |= 1u << sw.size();
    size_t i = 0;
    for (int c = 0; c < 26; ++c) {
      ix.from[static_cast<size_t>(c)] = static_cast<uint16_t>(i);
      while (i < kStopwords.size() && kStopwords[i][0] == 'a' + c) ++i;
    }
    ix.from[26] = static_cast<uint16_t>(kStopwords.size());
    return ix;
  }();
  if (w.size() < 2 || w.size() > kMaxLen || !(index.lengths & (1u << w.size())) || w[0] < 'a' || w[0] > 'z')
    return false;
  const size_t c = static_cast<size_t>(w[0] - 'a');
  return std::binary_search(kStopwords.begin() + index.from[c], kStopwords.begin() + index.from[c + 1], w);
}

std::vector<std::string> path_tokens(std::string_view path) {
  std::vector<std::string> out;
  for_each_token(path, [&](std::string_view t) { out.emplace_back(t); });
  return out;
}

std::vector<std::string> request_words(std::string_view text) {
  std::vector<std::string> out;
  for_each_token(text, [&](std::string_view t) {
    if (!is_stopword(t)) out.emplace_back(t);
  });
  return out;
}

std::string_view file_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view file_stem(std::string_view path) {
  std::string_view name = file_name(path);
  size_t dot = name.find('.', 1);
  return dot == std::string_view::npos ? name : name.substr(0, dot);
}

std::string_view file_extension(std::string_view path) {
  std::string_view name = file_name(path);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return name.substr(dot + 1);
}

std::string_view parent_dir(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash);
}

int path_depth(std::string_view path) { return static_cast<int>(std::count(path.begin(), path.end(), '/')); }

bool is_test_path(std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    bool last = slash == std::string_view::npos;
    std::string_view seg = path.substr(start, last ? std::string_view::npos : slash - start);
    if (last) {
      return seg.find(".test.") != std::string_view::npos || seg.find(".spec.") != std::string_view::npos ||
             seg.find("_test.") != std::string_view::npos || seg.substr(0, 5) == "test_";
    }
    if (seg == "test" || seg == "tests" || seg == "__tests__" || seg == "spec" || seg == "specs") return true;
    start = slash + 1;
  }
  return false;
}

}  // namespace pt::ranker
