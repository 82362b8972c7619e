// Spelling suggestions: the candidates closest to a mistyped word by edit distance (plus those
// it is a prefix of), for "unknown command 'X'; did you mean ...?" messages.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace pt {

// Levenshtein distance (insert, delete, substitute; each costs 1).
size_t edit_distance(std::string_view a, std::string_view b);

// The candidates within max(2, |word|/3) edits of `word`, or starting with it, nearest first
// (ties in the candidates' order); at most `max_results`.
std::vector<std::string> nearest_names(std::string_view word, const std::vector<std::string>& candidates,
                                       size_t max_results = 3);

}  // namespace pt
