// Implementation of core/picker_prompt.h.
#include "core/picker_prompt.h"

#include <fmt/format.h>

#include "core/file_list.h"

namespace pt {
namespace {
constexpr std::string_view kOpen = "<user_request>";
constexpr std::string_view kClose = "</user_request>";
}  // namespace

std::string key_picker_prompt(std::string_view request, int max_files) {
  return fmt::format(
      "{}\n{}\n{}\n\nBased on this request, the file tree and the recent changes above, list the files "
      "that are most important to read before answering. Give one path per line and nothing else.\n"
      "{}{} files.",
      kOpen, request, kClose, kLimitSentencePrefix, max_files);
}

std::string_view request_from_prompt(std::string_view prompt) {
  size_t a = prompt.find(kOpen);
  if (a == std::string_view::npos) return prompt;
  a += kOpen.size();
  size_t b = prompt.find(kClose, a);
  if (b == std::string_view::npos) return prompt.substr(a);
  return trim(prompt.substr(a, b - a));
}

std::optional<int> selection_limit(std::string_view prompt) {
  size_t a = prompt.rfind(kLimitSentencePrefix);
  if (a == std::string_view::npos) return std::nullopt;
  a += kLimitSentencePrefix.size();
  int n = 0;
  size_t i = a;
  while (i < prompt.size() && prompt[i] >= '0' && prompt[i] <= '9') n = n * 10 + (prompt[i++] - '0');
  if (i == a) return std::nullopt;
  return n;
}

std::string rewrite_selection_limit(std::string_view prompt, int k, bool stop_dashes) {
  size_t a = prompt.rfind(kLimitSentencePrefix);
  if (a == std::string_view::npos) return std::string(prompt);
  size_t num = a + kLimitSentencePrefix.size();
  size_t i = num;
  while (i < prompt.size() && prompt[i] >= '0' && prompt[i] <= '9') ++i;
  if (i == num) return std::string(prompt);
  constexpr std::string_view kFiles = " files.";
  size_t end = prompt.substr(i, kFiles.size()) == kFiles ? i + kFiles.size() : i;
  std::string out(prompt.substr(0, num));
  out += std::to_string(k);
  out += prompt.substr(i, end - i);
  if (stop_dashes) {
    out += " Make sure to end your response with three lines of dashes, ie: \"";
    out += kStopDashes;
    out += "\"";
  }
  out += prompt.substr(end);
  return out;
}

}  // namespace pt
