// Implementation of report/html_report.h: sections built as strings, in page order.
#include "report/html_report.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/svg_charts.h"

namespace pt {
namespace {

constexpr std::string_view kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#222;margin:0;background:#fafafa}
main{max-width:1240px;margin:0 auto;padding:20px 28px 60px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:30px 0 10px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555}.warn{background:#fff4e0;border:1px solid #f0c080;padding:8px 14px;border-radius:4px}
table{border-collapse:collapse;background:#fff;margin:6px 0}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right;vertical-align:top}
th{background:#f0f0f0}td.l,th.l{text-align:left}td.l{white-space:nowrap}.ci{color:#777;font-size:11px;display:block;white-space:nowrap}
.swatch{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(290px,1fr));gap:10px}
.charts svg,.wide svg{background:#fff;border:1px solid #e4e4e4;border-radius:4px}
.wide{overflow-x:auto}
.trace{background:#fff;border:1px solid #ddd;border-radius:4px;padding:10px 14px;margin:12px 0}
.trace pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:8px;margin:6px 0;max-height:220px;overflow:auto;font-size:12px}
.cols{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:10px}
.cols ol{margin:4px 0;padding-left:22px;font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
.hit{color:#1a7f37}.miss{color:#a33}.halluc{color:#a33;text-decoration:line-through}
.tag{font:11px system-ui,sans-serif;color:#fff;background:#c77;border-radius:3px;padding:0 4px;margin-left:4px;text-decoration:none;display:inline-block}
.muted{color:#888}
)";

std::string num(double v, int digits = 4) { return std::isnan(v) ? "n/a" : fmt::format("{:.{}f}", v, digits); }

std::string cell(const MeanCI& m, int digits = 4) {
  if (std::isnan(m.mean)) return R"(<td class="muted">n/a</td>)";
  return fmt::format(R"(<td>{}<span class="ci">[{}, {}]</span></td>)", num(m.mean, digits), num(m.lo, digits),
                     num(m.hi, digits));
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

std::string summary_table(const EvalSummary& s) {
  static constexpr Metric cols[] = {kJaccard,     kMrr,       kRecall5,          kPrecision5,        kNdcg5,
                                    kFilesPicked, kEmptyRate, kHallucinatedRate, kLegacyJaccardTop2, kLegacyMrrTop2};
  std::string out =
      R"(<h2>Scores</h2><div class="wide"><table id="scores"><tr><th class="l">model</th><th>n</th><th>missing</th>)";
  for (Metric m : cols) out += "<th>" + html_escape(metric_name(m)) + "</th>";
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

std::string charts(const EvalSummary& s) {
  std::string out = R"(<h2>Metrics per model (bars: mean, whiskers: 95% CI)</h2><p>)";
  for (size_t i = 0; i < s.models.size(); ++i) out += swatch(i) + html_escape(s.models[i]) + " &nbsp; ";
  out += R"(</p><div class="charts">)";
  for (int k = 0; k < kMetricCount; ++k) {
    auto metric = static_cast<Metric>(k);
    std::vector<Bar> bars;
    for (size_t i = 0; i < s.overall.models.size(); ++i)
      bars.push_back({s.overall.models[i].model, s.overall.models[i].metrics[k], std::string(series_color(i))});
    out += bar_chart_svg(metric_name(metric), bars, metric_is_unit(metric));
  }
  return out + "</div>";
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
      R"(<h2>By request kind</h2><table id="by-kind"><tr><th class="l">kind</th><th class="l">model</th><th>n</th>)";
  for (Metric m : cols) out += "<th>" + html_escape(metric_name(m)) + "</th>";
  out += "</tr>";
  for (const GroupStats& g : s.by_kind)
    for (const ModelStats& m : g.models) {
      out += fmt::format(R"(<tr><td class="l">{}</td><td class="l">{}</td><td>{}</td>)", html_escape(g.kind),
                         model_cell(s, m.model), m.n);
      for (Metric c : cols) out += cell(m.metrics[c], c == kFilesPicked ? 2 : 4);
      out += "</tr>";
    }
  return out + "</table>";
}

std::string pair_table(const EvalSummary& s) {
  if (s.pairs.empty()) return "";
  std::string out = fmt::format(
      R"(<h2>Paired comparisons</h2><p>A − B on the {} traces every model answered (paired bootstrap over traces).</p>)"
      R"(<table id="pairs"><tr><th class="l">A</th><th class="l">B</th><th class="l">metric</th><th>A − B</th><th>wins</th><th>ties</th><th>losses</th></tr>)",
      s.paired);
  for (const PairStats& p : s.pairs)
    for (const PairMetric& m : p.metrics)
      out += fmt::format(
          R"(<tr><td class="l">{}</td><td class="l">{}</td><td class="l">{}</td>{}<td>{}</td><td>{}</td><td>{}</td></tr>)",
          model_cell(s, p.a), model_cell(s, p.b), html_escape(metric_name(m.metric)), cell(m.result.diff),
          m.result.wins, m.result.ties, m.result.losses);
  return out + "</table>";
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
        R"(<div class="trace"><b>{}</b> <span class="muted">· {} · step {} · {} · disagreement {:.3f}</span>)",
        html_escape(e.trace_id), html_escape(e.kind.empty() ? "(no kind)" : e.kind), html_escape(e.agent_step_id),
        html_escape(e.created_at), e.disagreement);
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

}  // namespace

std::string render_html_report(const EvalSummary& s) {
  std::string out = R"(<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">)"
                    R"(<meta name="viewport" content="width=device-width, initial-scale=1">)";
  out += "<title>picktune evaluation · reference " + html_escape(s.reference) + "</title><style>";
  out += kStyle;
  out += "</style></head><body><main>";
  out += header(s);
  out += summary_table(s);
  out += charts(s);
  out += histogram(s);
  out += kind_table(s);
  out += pair_table(s);
  out += examples(s);
  out += kNotes;
  out += "</main></body></html>\n";
  return out;
}

}  // namespace pt
