// Renderers of report/html/eval_pages.h: the run list and compare form, one run (the evaluation
// report's sections in the pages' document), and the comparison table. Every string escaped.
#include "report/html/eval_pages.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/eval_runs_output.h"
#include "report/html/browser_views.h"
#include "report/html/escape.h"
#include "report/html/eval_trend_section.h"
#include "report/html_report.h"
#include "util/time.h"

namespace pt {
namespace {

std::string mean_ci_cell(const std::optional<MeanCI>& m) {
  if (!m) return R"(<td class="muted">not in run</td>)";
  if (std::isnan(m->mean)) return R"(<td class="muted">n/a</td>)";
  return fmt::format(R"(<td>{:.4f}<span class="ci">[{:.4f}, {:.4f}] n={}</span></td>)", m->mean, m->lo, m->hi, m->n);
}

std::string run_link(const EvalRun& r) {
  return fmt::format(R"(<a href="/evals/{}">{}</a>)", url_encode(r.id), html_escape(r.id));
}

std::string run_time(const EvalRun& r) { return format_rfc3339(r.created_at_us - r.created_at_us % 1000000); }

std::string run_select(const char* name, const char* label, const std::vector<EvalRun>& runs, size_t selected) {
  std::string out = fmt::format(R"(<label>{}<select name="{}" id="compare-{}">)", label, name, name);
  for (size_t i = 0; i < runs.size(); ++i)
    out +=
        fmt::format(R"(<option value="{}"{}>{} · {}</option>)", html_escape(runs[i].id),
                    i == selected ? " selected" : "", html_escape(runs[i].id), html_escape(runs[i].summary.reference));
  return out + "</select></label>";
}

// GET /evals?metric=M&reference=R: the metric (every stored one) and the reference (those of the runs).
std::string trend_form(const std::vector<EvalRun>& runs, const MetricTrend& t) {
  std::string out =
      R"(<form class="filters" method="get" action="/evals" id="trend-form"><label>metric<select name="metric">)";
  for (int k = 0; k < kMetricCount; ++k) {
    std::string name(metric_name(static_cast<Metric>(k)));
    out += fmt::format(R"(<option value="{0}"{1}>{0}</option>)", html_escape(name), k == t.metric ? " selected" : "");
  }
  out += R"(</select></label><label>reference<select name="reference">)";
  std::vector<std::string> refs;
  for (const EvalRun& r : runs)  // newest first
    if (std::find(refs.begin(), refs.end(), r.summary.reference) == refs.end()) refs.push_back(r.summary.reference);
  for (const std::string& r : refs)
    out += fmt::format(R"(<option value="{0}"{1}>{0}</option>)", html_escape(r), r == t.reference ? " selected" : "");
  return out + R"(</select></label><button type="submit">Show</button></form>)";
}

}  // namespace

std::string render_eval_runs_page(const std::vector<EvalRun>& runs, const std::string& store,
                                  const MetricTrend* trend) {
  std::string b = "<h1>Evaluation runs</h1><p class=\"meta\">Every <code>picktune eval score</code> adds a run to " +
                  html_escape(store) + ". Newest first.</p>";
  if (runs.empty())
    return browser_document(
        "Evals", "Evals",
        b + R"(<p class="muted" id="no-runs">No stored evaluation runs yet: run <code>picktune eval score</code>.</p>)");
  if (trend) b += metric_trend_section(*trend) + trend_form(runs, *trend);
  if (runs.size() > 1) {
    b += R"(<form class="filters" method="get" action="/evals/compare" id="compare-form">)";
    b += run_select("a", "before", runs, 1) + run_select("b", "after", runs, 0);
    b += R"(<button type="submit">Compare</button></form>)";
  }
  b +=
      R"(<div class="scroll"><table class="list" id="eval-runs"><tr><th class="l">run</th><th class="l">time (UTC)</th><th class="l">reference</th><th>n</th><th class="l">traces</th><th class="l">models: jaccard [95% CI]</th></tr>)";
  for (const EvalRun& r : runs) {
    std::string models;
    for (const ModelStats& m : r.summary.overall.models) {
      const MeanCI& j = m.metrics[kJaccard];
      models += html_escape(m.model) + ": " +
                (std::isnan(j.mean) ? std::string("n/a") : fmt::format("{:.4f} [{:.4f}, {:.4f}]", j.mean, j.lo, j.hi)) +
                "<br>";
    }
    b += fmt::format(
        R"(<tr><td class="l">{}{}</td><td class="l">{}</td><td class="l">{}</td><td>{}</td><td class="l">{}</td><td class="req">{}</td></tr>)",
        run_link(r), r.summary.in_sample ? R"(<span class="tag">in-sample</span>)" : "", html_escape(run_time(r)),
        html_escape(r.summary.reference), r.summary.scored, html_escape(eval_run_window_text(r)), models);
  }
  b += "</table></div>";
  return browser_document("Evals", "Evals", b);
}

std::string render_eval_run_page(const EvalRun& run, const std::string& previous) {
  std::string b = fmt::format(R"(<p class="meta" id="run-meta">Run <b>{}</b> · {} · traces: {} · picktune {})",
                              html_escape(run.id), html_escape(run_time(run)), html_escape(eval_run_window_text(run)),
                              html_escape(run.picktune_version.empty() ? "?" : run.picktune_version));
  if (!previous.empty())
    b += fmt::format(
        R"( · <a id="compare-previous" href="/evals/compare?a={}&amp;b={}">compare with the run before</a>)",
        url_encode(previous), url_encode(run.id));
  b += "</p>";
  b += eval_report_body(run.summary);
  return browser_document("Eval " + run.id, "Evals", b);
}

std::string render_eval_compare_page(const EvalComparison& c) {
  std::string b = "<h1>Comparison of two evaluation runs</h1>";
  b += fmt::format(R"(<p class="meta">Before {} ({}, reference {}, n={}) · after {} ({}, reference {}, n={})</p>)",
                   run_link(c.before), html_escape(run_time(c.before)), html_escape(c.before.summary.reference),
                   c.before.summary.scored, run_link(c.after), html_escape(run_time(c.after)),
                   html_escape(c.after.summary.reference), c.after.summary.scored);
  if (!c.notes.empty()) {
    b += R"(<div class="warn" id="compare-notes"><b>Not like for like</b><ul>)";
    for (const std::string& n : c.notes) b += "<li>" + html_escape(n) + "</li>";
    b += "</ul></div>";
  }
  b +=
      R"(<div class="scroll"><table id="compare"><tr><th class="l">model</th><th class="l">metric</th><th>before [95% CI]</th><th>after [95% CI]</th><th>delta</th><th class="l"></th></tr>)";
  for (const MetricChange& ch : c.changes) {
    std::string verdict = !ch.before || !ch.after || std::isnan(ch.delta) ? ""
                          : ch.cis_overlap                                ? R"(<span class="muted">CIs overlap</span>)"
                                           : R"(<span class="tag">changed</span> CIs apart)";
    b += fmt::format(R"(<tr><td class="l">{}</td><td class="l">{}</td>{}{}<td>{}</td><td class="l">{}</td></tr>)",
                     html_escape(ch.model), html_escape(std::string(metric_name(ch.metric))), mean_ci_cell(ch.before),
                     mean_ci_cell(ch.after), std::isnan(ch.delta) ? "-" : fmt::format("{:+.4f}", ch.delta), verdict);
  }
  b += "</table></div>";
  return browser_document("Compare evals", "Evals", b);
}

}  // namespace pt
