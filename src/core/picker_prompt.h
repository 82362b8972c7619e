// The Key picker prompt wording shared by `import git` (which writes it), collect's --top-k /
// --stop-dashes rewriting (which edits it) and any local model (which reads the request from it).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace pt {

inline constexpr std::string_view kLimitSentencePrefix =
    "Remember to focus on the most important files and limit your selection to ";

// A Key picker prompt: request text in <user_request> tags plus the closing limit sentence.
std::string key_picker_prompt(std::string_view request, int max_files);

// The request text of a prompt written by key_picker_prompt (inside <user_request>), or the
// whole text when there are no tags (production prompts carry the request elsewhere).
std::string_view request_from_prompt(std::string_view prompt);

// The N of "...limit your selection to N files.", when the sentence is present.
std::optional<int> selection_limit(std::string_view prompt);

// Rewrites N to k; with stop_dashes also appends the instruction to end with three dash lines.
// Returns the text unchanged when the sentence is absent.
std::string rewrite_selection_limit(std::string_view prompt, int k, bool stop_dashes);

}  // namespace pt
