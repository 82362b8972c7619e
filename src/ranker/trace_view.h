// What a local ranker may see of one file-picker call: the candidate files (the trace's
// <project_file_tree>), the request text and its words, the trace's own <recent_commits>, and
// the paths/file names the request mentions. Built once per call from the parsed payload.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/file_tree.h"
#include "core/picker_call.h"
#include "ranker/issue_request.h"
#include "ranker/tree_contents.h"

namespace pt::ranker {

struct TraceView {
  std::vector<std::string> files;         // candidate paths, as listed in the tree
  std::string request;                    // request text (inside <user_request>, else the last user text)
  std::vector<std::string> words;         // request_words(request), in order, duplicates kept
  std::vector<std::string> unique_words;  // the same, first occurrence only
  std::vector<RecentCommit> recent;       // newest first
  std::vector<std::string> mentions;      // path-like strings of the request ("lib/a.js", "History.md")
  std::vector<std::string> identifiers;   // raw_identifiers(request): names as written, for symbol matches
  std::vector<StackFrame> frames;         // stack frames quoted in the request, innermost first
  int issue_shape = 0;                    // IssueRequest::shape of the request
  std::string commit;                     // the call's user_input_id (a git trace: its commit)
  // Contents of the tree the call saw (ranker/tree_contents.h), when the caller has them; else null.
  std::shared_ptr<const TreeFiles> tree;
};

TraceView make_trace_view(const PickerCall& call);
// Sets the request and everything read from it (words, mentions, identifiers, frames).
void set_request(TraceView& view, std::string_view request);
// The same from the parts (tests and synthetic data).
TraceView make_trace_view(std::string_view system_text, std::string_view request);

// Path-like strings of a text: maximal runs of [A-Za-z0-9._/-] that contain a '.' or '/' between
// two other characters (so "res.sendFile" and "lib/router" count, "e.g" and "end." do not), with
// surrounding dots and slashes trimmed.
std::vector<std::string> path_mentions(std::string_view text);

}  // namespace pt::ranker
