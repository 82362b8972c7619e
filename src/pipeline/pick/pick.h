// `picktune pick`: one file-picker call made from a person's request and a repository (HEAD's
// tree and recent commits, as `import git` writes them) or a tree file (one path a line), answered
// by a local model (local:bm25, local:student@NAME|PATH) with each picked file's score. Returns
// data; report/pick_output.h renders it.
#pragma once
#include <string>
#include <vector>

#include "util/result.h"

namespace pt {

struct PickOptions {
  std::string model;      // local:bm25 | local:student@NAME|PATH
  std::string repo;       // a git work tree (HEAD)
  std::string tree_file;  // or: one path per line
  std::string request;
  int top = 0;                 // answer with exactly N files; 0 = the model's own count
  size_t recent_commits = 20;  // as `import git`
};

struct PickedFile {
  std::string path;
  double score = 0;
};

struct PickResult {
  std::string model;              // canonical id
  std::string source;             // "repo PATH at HEAD" / "tree FILE"
  size_t candidates = 0;          // files in the tree
  size_t recent = 0;              // recent commits shown to the model
  std::vector<PickedFile> files;  // best first
  double elapsed_ms = 0;          // the model's answer alone
};

Result<PickResult> run_pick(const PickOptions& options);

}  // namespace pt
