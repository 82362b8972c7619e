// Implementation of report/html/eval_trend_section.h: MetricTrend -> TrendSeries (one per model,
// colours in the section's model order) -> trend_chart_svg, with the notes around it escaped.
#include "report/html/eval_trend_section.h"

#include <cmath>

#include <fmt/format.h>

#include "report/html/escape.h"
#include "report/svg_charts.h"
#include "util/time.h"

namespace pt {

std::string metric_trend_section(const MetricTrend& t, const std::string& current_run) {
  const std::string metric(metric_name(t.metric));
  std::string out =
      fmt::format(R"(<section id="metric-trend"><h2>{} over runs</h2><p class="meta">)", html_escape(metric));
  out += fmt::format("{} run{} with reference <b>{}</b> (only runs with the same reference are compared", t.runs.size(),
                     t.runs.size() == 1 ? "" : "s", html_escape(t.reference));
  if (t.other_reference)
    out +=
        fmt::format("; {} run{} with another reference left out", t.other_reference, t.other_reference == 1 ? "" : "s");
  out += ")";
  if (t.dropped_oldest) out += fmt::format("; the {} oldest not shown", t.dropped_oldest);
  out += ". Each run scored its own traces (n in each point's tooltip); the band and whiskers are the 95% CI.</p>";
  // "MM-DD HH:MM", or "HH:MM:SS" when two runs share a minute.
  std::vector<std::string> when;
  for (const TrendRun& r : t.runs)
    when.push_back(format_rfc3339(r.created_at_us - r.created_at_us % 1000000));  // YYYY-MM-DDTHH:MM:SSZ
  bool same_minute = false;
  for (size_t i = 1; i < when.size(); ++i)
    same_minute = same_minute || when[i].substr(0, 16) == when[i - 1].substr(0, 16);
  std::vector<std::string> x_labels;
  for (size_t i = 0; i < t.runs.size(); ++i)
    x_labels.push_back(!current_run.empty() && t.runs[i].id == current_run ? "this run"
                       : same_minute                                       ? when[i].substr(11, 8)
                                     : when[i].substr(5, 5) + " " + when[i].substr(11, 5));
  std::vector<TrendSeries> series;
  out += "<p>";
  for (size_t i = 0; i < t.models.size(); ++i) {
    const ModelTrend& m = t.models[i];
    TrendSeries s{m.model, std::string(series_color(i)), {}};
    for (size_t k = 0; k < m.values.size(); ++k) {
      const TrendRun& r = t.runs[k];
      MeanCI v = m.values[k].value_or(MeanCI{std::nan(""), 0, 0, 0, 0});
      s.points.push_back({v, fmt::format("{} · {} traces{}", r.id, r.scored, r.in_sample ? " · IN-SAMPLE" : "")});
    }
    series.push_back(std::move(s));
    out += fmt::format(R"(<span class="swatch" style="background:{}"></span>{} &nbsp; )", series_color(i),
                       html_escape(m.model));
  }
  out += R"(</p><div class="wide">)";
  out += trend_chart_svg(metric + " per model over runs · reference " + t.reference, x_labels, series,
                         metric_is_unit(t.metric));
  return out + "</div></section>";
}

}  // namespace pt
