// Turning one step of a git history into a production-shaped `get-relevant-files` trace and its
// ground-truth relabel (model `truth`), plus the rules deciding which commits qualify: bots,
// lockfile-only commits, oversized commits, empty truth. Paths that cannot be written as one
// line of valid UTF-8 (invalid bytes, control characters, a name starting with a space) are left
// out of every text, consistently: the tree, the recent changes, the truth and `added`.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/file_tree.h"
#include "core/row.h"
#include "pipeline/import/git_history.h"

namespace pt {

enum class GitSkip { merge, no_parent, before_since, bot, lockfile_only, too_many_files, empty_message, empty_truth };
std::string_view git_skip_name(GitSkip reason);

struct GitTraceOptions {
  std::string repo_name;
  int max_files_changed = 20;       // skip commits changing more paths than this
  int selection_limit = 12;         // N in the Key prompt's "limit your selection to N files."
  std::optional<int64_t> since_us;  // skip commits older than this
};

struct GitTraceRows {
  Row trace;
  Row truth;
  std::vector<std::string> context_candidates;  // import git --with-file-context only (git_file_context.h)
};

// The trace and truth relabel for a step, or why the commit is skipped.
struct GitTraceResult {
  std::optional<GitTraceRows> rows;
  GitSkip skipped = GitSkip::merge;
};
// The rendered file trees of the last few parent trees, by HistoryStep::tree_version (most
// commits only modify files, so consecutive commits usually share one), each also as the body of
// a JSON string (the tree is most of a trace's payload; escaping it once per tree, not per trace,
// halves the cost of building one); and the system prompt's head, the same for a whole import.
class TreeRenderCache {
 public:
  struct Rendered {
    std::string text;
    std::string json_body;  // `text` escaped for a JSON string, without the quotes
  };
  static Rendered render_uncached(const PathSet& tree);
  const Rendered& render(const PathSet& tree, uint64_t version);
  // The head naming `repo_name` (escaped), and the repository's name as a JSON string.
  struct Head {
    std::string repo_name, json_body, repo_json;
  };
  static Head head_uncached(std::string_view repo_name);
  const Head& head(std::string_view repo_name);

 private:
  struct Slot {
    uint64_t version = 0;
    Rendered tree;
  };
  std::array<Slot, 4> slots_;
  size_t next_ = 0;
  std::optional<Head> head_;
};
GitTraceResult build_git_trace(const HistoryStep& step, const GitTraceOptions& options,
                               TreeRenderCache* trees = nullptr);

// How a commit appears in later commits' recent changes: subject plus changed paths (a rename
// as "R old" and "A new"); at most kRecentFilesPerCommit paths, the rest counted in the subject.
inline constexpr size_t kRecentFilesPerCommit = 20;
RecentCommit summarize_commit(const GitCommit& commit);

// The rules, exposed for tests.
bool is_bot_author(std::string_view name, std::string_view email);
bool is_lockfile(std::string_view path);
bool representable_path(std::string_view path);
bool valid_utf8(std::string_view text);
std::string sanitize_utf8(std::string_view text);            // invalid bytes -> U+FFFD
std::string clean_commit_message(std::string_view message);  // UTF-8, LF, no e-mail trailers, trimmed
std::string author_user_id(std::string_view email);          // first 16 hex digits of sha256(lowercased email)
std::string picker_system_prompt(std::string_view repo_name, const PathSet& tree,
                                 const std::vector<RecentCommit>& recent_newest_first);

}  // namespace pt
