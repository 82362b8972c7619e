// Training requests shaped like issues. Commit messages rarely quote what a bug report quotes (an
// identifier, an error message, a traceback), so a student trained on them alone learns to trust
// history over the contents. An issue variant of a training trace asks about one of its target
// files the way an issue would: a title, maybe the commit's own words, a name the file defines or
// a message literal it holds, in a fenced error block or a traceback through a throwaway script;
// never a path of the repository. Built from the target's contents at the tree the trace saw.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ranker/trace_view.h"

namespace pt::ranker {

struct IssueVariant {
  std::string request;
  std::string target;  // the one file the variant is about
};

// The variant of `view` (which must carry its tree's contents) for `targets`, drawn from `key`
// (deterministic); nullopt when no target has contents with a quotable name or message. Targets
// that are not tests are preferred, as an issue is fixed in the code.
std::optional<IssueVariant> make_issue_variant(const TraceView& view, const std::vector<std::string>& targets,
                                               uint64_t key);

}  // namespace pt::ranker
