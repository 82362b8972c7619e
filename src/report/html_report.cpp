// Implementation of report/html_report.h: sections built as strings, in page order.
#include "report/html_report.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/html/curve_chart.h"
#include "report/html/eval_trend_section.h"
#include "report/html/provenance_block.h"
#include "report/html/style.h"
#include "report/svg_charts.h"

namespace pt {
namespace {

std::string fixed_digits(double v, int digits = 4) { return std::isnan(v) ? "n/a" : fmt::format("{:.{}f}", v, digits); }

std::string cell(const MeanCI& m, int digits = 4) {
  if (std::isnan(m.mean)) return R"(<td class="muted">n/a</td>)";
  return fmt::format(R"(<td>{}<span class="ci">[{}, {}]</span></td>)", fixed_digits(m.mean, digits),
                     fixed_digits(m.lo, digits), fixed_digits(m.hi, digits));
}

std::string swatch(size_t i) {
  return fmt::format(R"(<span class="swatch" style="background:{}"></span>)", series_color(i));
}

std::string model_cell(const EvalSummary& s, const std::string& model) {
  for (size_t i = 0; i < s.models.size(); ++i)
    if (s.models[i] == model) return swatch(i) + html_escape(model);
  return html_escape(model);
}

std::string header(const EvalSummary& s) {
  std::string out = "<h1>picktune offline evaluation</h1>";
  out += fmt::format(
      R"(<p class="meta">Reference <b>{}</b> · {} of {} selected traces scored ({}) · means with 95% bootstrap CIs ({} resamples, seed {})</p>)",
      html_escape(s.reference), s.scored, s.traces, html_escape(s.selection), s.bootstrap.resamples, s.bootstrap.seed);
  out += fmt::format(
      R"(<p class="meta">Missing reference: {} · unreadable reference: {} · ambiguous reference: {} · unreadable traces: {} · traces with a file tree: {} · answered by every model: {}</p>)",
      s.missing_reference, s.malformed_reference, s.ambiguous_reference, s.unreadable_traces, s.traces_with_tree,
      s.paired);
  if (!s.warnings.empty()) {
    out += R"(<div class="warn"><b>Warnings</b><ul>)";
    for (const auto& w : s.warnings) out += "<li>" + html_escape(w) + "</li>";
    out += "</ul></div>";
  }
  return out;
}

// The answer to "which model should I ship?": the best model on Jaccard, its lead over the
// runner-up, both CIs, and whether the paired difference on the traces both answered excludes 0.
std::string verdict(const EvalSummary& s) {
  const auto& ms = s.overall.models;
  std::vector<size_t> order;
  for (size_t i = 0; i < ms.size(); ++i)
    if (!std::isnan(ms[i].metrics[kJaccard].mean)) order.push_back(i);
  if (order.empty()) return R"(<div class="verdict unsure" id="verdict">No model could be scored.</div>)";
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return ms[a].metrics[kJaccard].mean > ms[b].metrics[kJaccard].mean; });
  const ModelStats& best = ms[order[0]];
  const MeanCI& bj = best.metrics[kJaccard];
  std::string out =
      fmt::format(R"(Best on <b>jaccard</b>: {} with {} [{}, {}] on {} traces)", model_cell(s, best.model),
                  fixed_digits(bj.mean), fixed_digits(bj.lo), fixed_digits(bj.hi), best.n);
  bool sure = false;
  if (order.size() > 1) {
    const ModelStats& next = ms[order[1]];
    out += fmt::format(R"(, ahead of {} ({}) by {})", model_cell(s, next.model),
                       fixed_digits(next.metrics[kJaccard].mean), fixed_digits(bj.mean - next.metrics[kJaccard].mean));
    for (const PairStats& p : s.pairs)
      for (const PairMetric& m : p.metrics) {
        if (m.metric != kJaccard ||
            !((p.a == best.model && p.b == next.model) || (p.a == next.model && p.b == best.model)))
          continue;
        const MeanCI& d = m.result.diff;
        sure = !std::isnan(d.lo) && (d.lo > 0 || d.hi < 0);
        out += fmt::format(R"(. Paired difference {} − {} on the {} traces both answered: {} [{}, {}], {}.)",
                           html_escape(p.a), html_escape(p.b), p.n, fixed_digits(d.mean), fixed_digits(d.lo),
                           fixed_digits(d.hi),
                           sure ? "significant (the 95% CI excludes 0)" : "not significant (the 95% CI includes 0)");
      }
  } else {
    out += ".";
  }
  return fmt::format(R"(<div class="verdict{}" id="verdict">{}</div>)", sure || order.size() == 1 ? "" : " unsure",
                     out);
}

// A metric's name as a column header that may break after '_' and before '@' (never inside a
// word), so that the tables fit a 1280 px window.
std::string metric_header(Metric m) {
  std::string out;
  for (char c : html_escape(metric_name(m))) {
    if (c == '@') out += "<wbr>";
    out += c;
    if (c == '_') out += "<wbr>";
  }
  return out;
}

std::string summary_table(const EvalSummary& s) {
  static constexpr Metric cols[] = {kJaccard,     kMrr,       kRecall5,          kPrecision5,        kNdcg5,
                                    kFilesPicked, kEmptyRate, kHallucinatedRate, kLegacyJaccardTop2, kLegacyMrrTop2};
  std::string out =
      R"(<h2>Scores</h2><div class="scroll"><table id="scores"><tr><th class="l">model</th><th>n</th><th>missing</th>)";
  for (Metric m : cols) out += "<th>" + metric_header(m) + "</th>";
  out += "</tr>";
  for (size_t i = 0; i < s.overall.models.size(); ++i) {
    const ModelStats& m = s.overall.models[i];
    size_t missing = i < s.counts.size() ? s.counts[i].missing : 0;
    out += fmt::format(R"(<tr><td class="l">{}</td><td>{}</td><td>{}</td>)", model_cell(s, m.model), m.n, missing);
    for (Metric c : cols) out += cell(m.metrics[c], c == kFilesPicked ? 2 : 4);
    out += "</tr>";
  }
  return out + "</table></div>";
}

// One chart for every model: recall@k and precision@k, k = 1..10 (the scores table has the CIs).
std::string charts(const EvalSummary& s) {
  std::string out = R"(<h2>Recall and precision at k</h2><p>)";
  for (size_t i = 0; i < s.models.size(); ++i) out += swatch(i) + html_escape(s.models[i]) + " &nbsp; ";
  out += R"(</p><div class="wide">)";
  std::vector<CurveSeries> series;
  for (size_t i = 0; i < s.overall.models.size(); ++i) {
    const ModelStats& m = s.overall.models[i];
    series.push_back({m.model,
                      std::string(series_color(i)),
                      {m.recall_curve.begin(), m.recall_curve.end()},
                      {m.precision_curve.begin(), m.precision_curve.end()}});
  }
  return out + recall_precision_svg(series) + "</div>";
}

std::string histogram(const EvalSummary& s) {
  // Bins up to the largest count anyone picked (at least 0..5).
  size_t used = 6;
  auto widen = [&](const auto& h) {
    for (size_t b = 0; b < h.size(); ++b)
      if (h[b]) used = std::max(used, b + 1);
  };
  widen(s.overall.reference_histogram);
  for (const auto& m : s.overall.models) widen(m.files_histogram);
  std::vector<std::string> bins;
  for (size_t b = 0; b < used; ++b)
    bins.push_back(b + 1 == kFilesHistogramBins ? fmt::format("{}+", b) : fmt::format("{}", b));
  std::vector<HistogramSeries> series;
  const auto& ref = s.overall.reference_histogram;
  series.push_back({"reference " + s.reference, "#7f7f7f", {ref.begin(), ref.begin() + used}});
  for (size_t i = 0; i < s.overall.models.size(); ++i) {
    const auto& h = s.overall.models[i].files_histogram;
    series.push_back({s.overall.models[i].model, std::string(series_color(i)), {h.begin(), h.begin() + used}});
  }
  return R"(<h2>Files picked</h2><div class="wide">)" + histogram_svg("Distribution of files picked", bins, series) +
         "</div>";
}

std::string kind_table(const EvalSummary& s) {
  static constexpr Metric cols[] = {kJaccard, kMrr, kRecall5, kPrecision5, kNdcg5, kFilesPicked, kEmptyRate};
  std::string out =
      R"(<h2>By request kind</h2><div class="scroll"><table id="by-kind"><tr><th class="l">kind</th><th class="l">model</th><th>n</th>)";
  for (Metric m : cols) out += "<th>" + metric_header(m) + "</th>";
  out += "</tr>";
  for (const GroupStats& g : s.by_kind)
    for (const ModelStats& m : g.models) {
      out += fmt::format(R"(<tr><td class="l">{}</td><td class="l">{}</td><td>{}</td>)", html_escape(g.kind),
                         model_cell(s, m.model), m.n);
      for (Metric c : cols) out += cell(m.metrics[c], c == kFilesPicked ? 2 : 4);
      out += "</tr>";
    }
  return out + "</table></div>";
}

std::string pair_table(const EvalSummary& s) {
  if (s.pairs.empty()) return "";
  std::string out = fmt::format(
      R"(<h2>Paired comparisons</h2><p>A − B on the {} traces every model answered (paired bootstrap over traces).</p>)"
      R"(<div class="scroll"><table id="pairs"><tr><th class="l">A</th><th class="l">B</th><th class="l">metric</th><th>A − B</th><th>wins</th><th>ties</th><th>losses</th></tr>)",
      s.paired);
  for (const PairStats& p : s.pairs)
    for (const PairMetric& m : p.metrics)
      out += fmt::format(
          R"(<tr><td class="l">{}</td><td class="l">{}</td><td class="l">{}</td>{}<td>{}</td><td>{}</td><td>{}</td></tr>)",
          model_cell(s, p.a), model_cell(s, p.b), html_escape(metric_name(m.metric)), cell(m.result.diff),
          m.result.wins, m.result.ties, m.result.losses);
  return out + "</table></div>";
}

std::string path_list(const std::vector<PickedPath>& picks) {
  if (picks.empty()) return R"(<p class="muted">(no files)</p>)";
  std::string out = "<ol>";
  for (const PickedPath& p : picks) {
    const char* cls = p.hallucinated ? "halluc" : p.in_reference ? "hit" : "miss";
    out += fmt::format(R"(<li class="{}">{}{}</li>)", cls, html_escape(p.path),
                       p.hallucinated ? R"(<span class="tag">not in tree</span>)" : "");
  }
  return out + "</ol>";
}

std::string examples(const EvalSummary& s) {
  std::string out = fmt::format(
      R"(<h2>The {} traces the models disagree most with the reference on</h2>)"
      R"(<p>Ordered by 1 − mean Jaccard. <span class="hit">green</span>: in the reference; <span class="miss">red</span>: not in the reference; <span class="halluc">struck</span>: not in the trace's file tree.</p>)",
      s.disagreements.size());
  for (const TraceExample& e : s.disagreements) {
    out += fmt::format(
        R"(<div class="trace"><b><a href="/traces/{}">{}</a></b> <span class="muted">· {} · step {} · {} · disagreement {:.3f}</span>)",
        url_encode(e.trace_id), html_escape(e.trace_id), html_escape(e.kind.empty() ? "(no kind)" : e.kind),
        html_escape(e.agent_step_id), html_escape(e.created_at), e.disagreement);
    out += "<pre>" + html_escape(e.request) + "</pre>";
    out += fmt::format(R"(<div class="cols"><div><b>reference {}</b><ol>)", html_escape(s.reference));
    for (const auto& p : e.reference) out += "<li>" + html_escape(p) + "</li>";
    out += "</ol></div>";
    for (size_t i = 0; i < e.picks.size() && i < s.models.size(); ++i) {
      bool answered = i < e.jaccard.size() && !std::isnan(e.jaccard[i]);
      out += fmt::format(R"(<div><b>{}</b> <span class="muted">{}</span>{}</div>)", model_cell(s, s.models[i]),
                         answered ? fmt::format("Jaccard {:.3f}", e.jaccard[i]) : "no answer",
                         answered ? path_list(e.picks[i]) : "");
    }
    out += "</div></div>";
  }
  return out;
}

constexpr std::string_view kNotes = R"(<h2>How to read this</h2><ul>
<li><b>jaccard</b> = |P∩R| / |P∪R| of the picked list P and the reference R (1 when both are empty). <b>mrr</b>: mean of 1/rank of the first correct pick (0 if none).</li>
<li><b>recall@k</b> = correct picks among the first k / |R|; <b>precision@k</b> = correct picks among the first k / min(k, |P|); <b>ndcg@k</b>: binary-relevance nDCG. When R is empty, each is 1 if P is empty too, else 0.</li>
<li><b>legacy_jaccard_top2</b>, <b>legacy_mrr_top2</b>: the production scorer's figures on its own raw line parse, comparable with the team's earlier numbers. They look only at the first two files, and legacy MRR uses the reference's ranks, so it tops out at 0.75.</li>
<li><b>files_picked</b>: mean list length; <b>empty_rate</b>: share of empty answers; <b>hallucinated_rate</b>: share of picked paths not in the trace's file tree (traces with a tree and a non-empty answer only).</li>
</ul>)";

// The sections; `trend` (when given) after the recall@k chart.
std::string report_body(const EvalSummary& s, const MetricTrend* trend) {
  std::string body = header(s);
  body += verdict(s);
  body += provenance_block(s);
  body += summary_table(s);
  body += charts(s);
  if (trend) body += metric_trend_section(*trend, s.run_id.empty() ? std::string(kUnsavedRunId) : s.run_id);
  body += histogram(s);
  body += kind_table(s);
  body += pair_table(s);
  body += examples(s);
  body += kNotes;
  return body;
}

}  // namespace

std::string render_html_report(const EvalSummary& s, const MetricTrend* trend) {
  return html_document("picktune evaluation · reference " + s.reference, "<main>" + report_body(s, trend) + "</main>");
}

std::string eval_report_body(const EvalSummary& s) { return report_body(s, nullptr); }

}  // namespace pt
