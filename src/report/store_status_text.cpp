// Implementation of report/store_status_text.h: aligned sections, counts right-aligned, coverage
// as a share of the get-relevant-files traces.
#include "report/store_status_text.h"

#include <fmt/format.h>

#include <algorithm>

#include "util/time.h"

namespace pt {
namespace {

std::string day(int64_t us) { return format_rfc3339(us).substr(0, 10); }

std::string models_section(const char* title, const std::vector<ModelCoverage>& models, int64_t picker_traces) {
  size_t w = 20;
  for (const auto& m : models) w = std::max(w, m.model.size());
  std::string out =
      fmt::format("{:<{}}  {:>9}  {:>15}  {:>8}\n", title, w + 2, "RELABELS", "TRACES ANSWERED", "COVERAGE");
  for (const auto& m : models)
    out += fmt::format("  {:<{}}  {:>9}  {:>15}  {:>8}\n", m.model, w, m.relabels, m.answered,
                       picker_traces > 0 ? fmt::format("{:.1f}%", 100.0 * static_cast<double>(m.answered) /
                                                                      static_cast<double>(picker_traces))
                                         : "-");
  return out;
}

}  // namespace

std::string human_bytes(int64_t bytes) {
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  double v = static_cast<double>(bytes);
  int u = -1;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  return fmt::format("{:.1f} {}", v, units[u]);
}

std::string render_store_status(const StoreStatus& s) {
  std::string out = fmt::format("store     {}{}\n", s.store,
                                s.bytes ? fmt::format(" ({} on disk)", human_bytes(*s.bytes)) : std::string());
  out += fmt::format("rows      {} traces, {} relabels", s.traces, s.relabels);
  if (s.oldest_us) out += fmt::format(", created {} .. {}", day(*s.oldest_us), day(*s.newest_us));
  out += "\n";
  if (s.traces == 0 && s.relabels == 0)
    return out + "the store is empty: picktune import git REPO or picktune import jsonl FILE fills it\n";

  out += "\nTRACES BY TYPE\n";
  if (s.traces_by_type.empty()) out += "  (none)\n";
  size_t w = 20;
  for (const auto& [type, n] : s.traces_by_type) w = std::max(w, type.size());
  for (const auto& [type, n] : s.traces_by_type) {
    out += fmt::format("  {:<{}}  {:>9}", type, w, n);
    if (type == "get-relevant-files") {
      std::string kinds;
      for (const auto& [kind, k] : s.picker_by_kind)
        kinds += fmt::format("{}{} {}", kinds.empty() ? "" : ", ", kind, k);
      out += "  (" + kinds + ")";
    }
    out += "\n";
  }
  out += "\n";
  if (s.teachers.empty())
    out += "RELABELS BY TEACHER: none yet (picktune relabel --teacher MODEL)\n";
  else
    out += models_section("RELABELS BY TEACHER", s.teachers, s.picker_traces);
  out += "\n";
  if (s.students.empty())
    out += "STUDENTS: none scored yet (picktune student train, then eval relabel --models local:student@FILE)\n";
  else
    out += models_section("STUDENTS", s.students, s.picker_traces);
  return out;
}

std::string render_prune_report(const PruneReport& r) {
  std::string when = format_rfc3339(r.before_us);
  if (r.dry_run)
    return fmt::format(
        "prune (dry run): would delete {} traces and {} relabels created before {} from {}; nothing "
        "deleted\n",
        r.rows.traces, r.rows.relabels, when, r.store);
  return fmt::format("prune: deleted {} traces and {} relabels created before {} from {}\n", r.rows.traces,
                     r.rows.relabels, when, r.store);
}

}  // namespace pt
