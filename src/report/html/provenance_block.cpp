// Implementation of report/html/provenance_block.h: a definition list, one row per fact, every
// value HTML-escaped (and URI passwords redacted first).
#include "report/html/provenance_block.h"

#include <fmt/format.h>

#include "report/html/escape.h"

namespace pt {
namespace {

std::string row(std::string_view term, const std::string& html_value) {
  return fmt::format("<dt>{}</dt><dd>{}</dd>", term, html_value);
}

std::string text(std::string_view value, std::string_view when_empty = "not recorded") {
  return value.empty() ? fmt::format("<i>{}</i>", when_empty) : html_escape(redact_uri_passwords(value));
}

std::string student_line(const StudentTraining& t) {
  std::string out = fmt::format("<b>{}</b>: trained on {} traces of teacher <b>{}</b>", html_escape(t.model),
                                t.train_traces, html_escape(t.teacher));
  if (!t.store.empty()) out += " from " + text(t.store);
  if (t.holdout_newest > 0)
    out += fmt::format(", holding out the newest {:.0f}%", 100 * t.holdout_newest) +
           (t.cutoff.empty() ? std::string() : " (created at or after " + html_escape(t.cutoff) + ")");
  out += t.in_sample > 0 ? fmt::format("; <b>IN-SAMPLE</b>: {} of the {} selected traces were in its training data",
                                       t.in_sample, t.selected)
                         : fmt::format("; none of the {} selected traces was in its training data", t.selected);
  return out;
}

}  // namespace

std::string redact_uri_passwords(std::string_view in) {
  std::string out(in);
  for (size_t pos = 0; (pos = out.find("://", pos)) != std::string::npos;) {
    size_t start = pos + 3;
    size_t end = out.find_first_of("/ \t\n'\"?#", start);
    if (end == std::string::npos) end = out.size();
    size_t at = out.rfind('@', end);
    size_t colon = out.find(':', start);
    if (at != std::string::npos && at >= start && at < end && colon < at) {
      out.replace(colon + 1, at - colon - 1, "***");
      end = colon + 1 + 3;
    }
    pos = end;
  }
  return out;
}

std::string provenance_block(const EvalSummary& s) {
  const ScoreProvenance& p = s.provenance;
  std::string models;
  for (const auto& m : s.models) models += (models.empty() ? "" : ", ") + html_escape(m);
  std::string out = R"(<section id="provenance"><h2>Provenance</h2><dl class="provenance">)";
  out += row("Data", text(p.store) + " · " + html_escape(s.selection) +
                         fmt::format(" · {} traces selected, {} scored", s.traces, s.scored));
  if (!s.scored_digest.empty())
    out += row("Scored traces", "sha256 of their ids <code>" + html_escape(s.scored_digest.substr(0, 16)) +
                                    "</code> (the same digest means the same traces)");
  out += row("Reference", html_escape(s.reference));
  out += row("Models", models);
  for (const StudentTraining& t : s.students) out += row("Trained on", student_line(t));
  out += row("Scored at", text(p.scored_at));
  out += row("picktune", text(p.picktune_version));
  out += row("Command", "<code>" + text(p.command) + "</code>");
  if (!s.run_id.empty()) out += row("Stored run", "<code>" + html_escape(s.run_id) + "</code> (eval runs)");
  out += "</dl></section>";
  return out;
}

}  // namespace pt
