// Implementation of report/import_summary.h.
#include "report/import_summary.h"

#include <fmt/format.h>

namespace pt {

std::string import_summary(const ImportJsonlReport& r, const std::string& store_name) {
  auto part = [](const UpsertStats& s) {
    return fmt::format("{} new, {} updated, {} unchanged", s.inserted, s.updated, s.unchanged);
  };
  std::string out = fmt::format("imported {} rows into {}: traces {}; relabels {}", r.rows, store_name, part(r.traces),
                                part(r.relabels));
  if (r.skipped > 0) {
    out += fmt::format("\nskipped {} bad line{}:", r.skipped, r.skipped == 1 ? "" : "s");
    for (const std::string& e : r.skip_examples) out += "\n  " + e;
    if (r.skipped > static_cast<int64_t>(r.skip_examples.size())) out += "\n  ...";
  }
  return out;
}

std::string format_import_git_summary(const ImportGitStats& s) {
  std::string out = fmt::format("imported the git history of {}: {} commits walked, {} became traces, in {:.2f} s\n",
                                s.repo_name, s.commits, s.eligible, s.seconds);
  out += fmt::format("  traces:         {} added, {} updated, {} unchanged\n", s.traces.inserted, s.traces.updated,
                     s.traces.unchanged);
  out += fmt::format("  truth relabels: {} added, {} updated, {} unchanged\n", s.relabels.inserted, s.relabels.updated,
                     s.relabels.unchanged);
  if (s.file_context.traces > 0)
    out += fmt::format(
        "  file context:   {} traces of type get-expanded-file-context-for-training-blobs, {} files, "
        "{:.1f} MB (relabel --with-context reads them)\n",
        s.file_context.traces, s.file_context.files, static_cast<double>(s.file_context.bytes) / 1e6);
  if (!s.skipped.empty()) {
    out += "  skipped:";
    bool first = true;
    for (const auto& [reason, n] : s.skipped) {
      out += fmt::format("{} {} {}", first ? "" : ",", n, reason);
      first = false;
    }
    out += '\n';
  }
  if (s.unrepresentable_paths > 0)
    out += fmt::format("  left out {} path(s) that are not valid UTF-8 or contain control characters\n",
                       s.unrepresentable_paths);
  return out;
}

}  // namespace pt
