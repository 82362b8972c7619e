// Implementation of ranker/trace_view.h.
#include "ranker/trace_view.h"

#include <algorithm>

#include "core/picker_prompt.h"
#include "ranker/path_tokens.h"

namespace pt::ranker {
namespace {

bool path_char(char c) { return is_ascii_alnum(c) || c == '.' || c == '_' || c == '/' || c == '-'; }

}  // namespace

std::vector<std::string> path_mentions(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    if (!path_char(text[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && path_char(text[j])) ++j;
    std::string_view run = text.substr(i, j - i);
    i = j;
    while (!run.empty() && (run.front() == '.' || run.front() == '/')) run.remove_prefix(1);
    while (!run.empty() && (run.back() == '.' || run.back() == '/')) run.remove_suffix(1);
    size_t sep = run.find_first_of("./");
    if (sep == std::string_view::npos || run.size() < 4) continue;
    // "e.g": a one-letter piece before the separator is an abbreviation, not a file.
    if (sep < 2 && run.find('/') == std::string_view::npos) continue;
    if (std::find(out.begin(), out.end(), run) == out.end()) out.emplace_back(run);
  }
  return out;
}

TraceView make_trace_view(std::string_view system, std::string_view request) {
  TraceView v;
  v.files = extract_file_tree(system);
  v.recent = extract_recent_commits(system);
  set_request(v, request);
  return v;
}

void set_request(TraceView& v, std::string_view request) {
  v.request = std::string(request);
  v.words = request_words(request);
  v.unique_words.clear();
  for (const auto& w : v.words)
    if (std::find(v.unique_words.begin(), v.unique_words.end(), w) == v.unique_words.end()) v.unique_words.push_back(w);
  v.mentions = path_mentions(request);
  v.identifiers = raw_identifiers(request);
  IssueRequest issue = parse_issue_request(request);
  v.frames = std::move(issue.frames);
  v.issue_shape = issue.shape;
  for (const auto& f : v.frames)
    if (!f.function.empty() && std::find(v.identifiers.begin(), v.identifiers.end(), f.function) == v.identifiers.end())
      v.identifiers.push_back(f.function);
}

TraceView make_trace_view(const PickerCall& call) {
  std::string user = last_user_text(call);
  TraceView v = make_trace_view(system_text(call), request_from_prompt(user));
  v.commit = call.user_input_id;
  return v;
}

}  // namespace pt::ranker
