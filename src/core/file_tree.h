// The repository file tree and the "recent changes" section as they appear in a picker's system
// prompt. Rendering is used by `import git`; extraction by the local models and by eval (to flag
// hallucinated paths). Format, stable across versions:
//   <project_file_tree>          indented tree, two spaces per level, directories end with "/"
//   </project_file_tree>         (a flat list of full paths is also accepted on extraction)
//   <recent_commits>             newest first: "- SUBJECT" then each changed path indented 4
//   </recent_commits>            spaces, prefixed by its git status letter and a space ("M a/b.js";
//                                a rename is listed as "R old/path" plus "A new/path")
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace pt {

inline constexpr std::string_view kTreeOpen = "<project_file_tree>";
inline constexpr std::string_view kTreeClose = "</project_file_tree>";
inline constexpr std::string_view kRecentOpen = "<recent_commits>";
inline constexpr std::string_view kRecentClose = "</recent_commits>";

// Paths need not be sorted; output lists directories before files at each level, sorted by name.
std::string render_file_tree(std::vector<std::string> paths);
// The same, over views of paths that outlive the call (import git renders every commit's tree).
std::string render_file_tree_views(std::vector<std::string_view> paths);

// Full paths of the tree in the first <project_file_tree> block; empty when there is none.
std::vector<std::string> extract_file_tree(std::string_view system_text);

struct RecentChange {
  char status = 'M';  // git status letter: M, A, D, R (old path), T
  std::string path;
};
struct RecentCommit {
  std::string subject;
  std::vector<RecentChange> files;
};

std::string render_recent_commits(const std::vector<RecentCommit>& newest_first);
// One commit's lines of that section (render_recent_commits is kRecentOpen, '\n', these, kRecentClose).
void append_recent_commit(std::string& out, const RecentCommit& commit);
std::vector<RecentCommit> extract_recent_commits(std::string_view system_text);

}  // namespace pt
