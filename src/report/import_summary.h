// The one-paragraph summaries the import commands print: `import jsonl` (rows new, updated,
// unchanged per table; skipped lines) and `import git` (commits walked, traces and truth
// relabels added, what was skipped).
#pragma once
#include <string>

#include "pipeline/import/import_git.h"
#include "pipeline/import/import_jsonl.h"

namespace pt {

// "imported 12 rows into sqlite:x.db: traces 10 new, 0 updated, 0 unchanged; relabels 2 new, ..."
// plus, when lines were skipped, a second line with the count and the first reasons.
std::string import_summary(const ImportJsonlReport& report, const std::string& store_name);

// The summary printed after an import (several lines, ending with a newline).
std::string format_import_git_summary(const ImportGitStats& stats);

}  // namespace pt
