// The "metric over runs" chart (report/svg_charts trend_chart_svg, report/html/eval_trend_section)
// and the report `eval score --report` writes with it: one <g class="series"> per model with a dot
// and a CI whisker per run it was in, a band where it has consecutive runs, names escaped, the
// reference stated; without a trend the report has no such section.
#include <gtest/gtest.h>

#include <regex>

#include "pipeline/eval/eval_trend.h"
#include "report/html/eval_trend_section.h"
#include "report/html_report.h"
#include "report/svg_charts.h"

namespace pt {
namespace {

size_t count_of(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
  return n;
}

// The text between the n-th (0-based) `<g class="series"` and its `</g>`.
std::string series_block(const std::string& svg, size_t n) {
  size_t at = 0;
  for (size_t i = 0; i <= n; ++i) {
    at = svg.find("<g class=\"series\"", i ? at + 1 : 0);
    if (at == std::string::npos) return "";
  }
  return svg.substr(at, svg.find("</g>", at) - at);
}

MetricTrend sample_trend() {
  MetricTrend t;
  t.metric = kRecall5;
  t.reference = "truth<ref>";
  t.other_reference = 2;
  for (int i = 0; i < 3; ++i)
    t.runs.push_back({"ev-" + std::to_string(i), 1'700'000'000'000'000 + i * 60'000'000LL, 24, i == 2});
  auto v = [](double m) { return std::optional<MeanCI>(MeanCI{m, m - 0.05, m + 0.05, 24, 0}); };
  t.models.push_back({"A", {v(0.5), v(0.6), v(0.7)}});
  t.models.push_back({"<img src=x onerror=alert(1)>", {std::nullopt, v(0.4), std::nullopt}});
  return t;
}

TEST(TrendChart, OneSeriesPerModelWithPointsWhiskersAndBand) {
  std::string html = metric_trend_section(sample_trend());
  EXPECT_EQ(count_of(html, "<svg "), 1u);
  EXPECT_NE(html.find("class=\"chart trend\""), std::string::npos);
  EXPECT_EQ(count_of(html, "<g class=\"series\""), 2u);
  EXPECT_NE(html.find("data-series=\"A\""), std::string::npos);
  EXPECT_NE(html.find("data-series=\"&lt;img src=x onerror=alert(1)&gt;\""), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<ref>"), std::string::npos);
  // A: three points, three whiskers, one band and line; the other model: one point, no band (a single run).
  std::string a = series_block(html, 0), b = series_block(html, 1);
  EXPECT_EQ(count_of(a, "<circle "), 3u);
  EXPECT_EQ(count_of(a, "class=\"ci\""), 3u);
  EXPECT_EQ(count_of(a, "class=\"band\""), 1u);
  EXPECT_EQ(count_of(a, "<polyline "), 1u);
  EXPECT_EQ(count_of(b, "<circle "), 1u);
  EXPECT_EQ(count_of(b, "class=\"band\""), 0u);
  EXPECT_NE(a.find("0.7000 [0.6500, 0.7500], n=24 · ev-2 · 24 traces · IN-SAMPLE"), std::string::npos);
  // Says what is compared, and what was left out.
  EXPECT_NE(html.find("recall@5 over runs"), std::string::npos);
  EXPECT_NE(html.find("reference <b>truth&lt;ref&gt;</b>"), std::string::npos);
  EXPECT_NE(html.find("only runs with the same reference are compared; 2 runs with another reference left out"),
            std::string::npos);
}

TEST(TrendChart, HigherValuesSitHigherAndTheCurrentRunIsNamed) {
  std::string html = metric_trend_section(sample_trend(), "ev-2");
  std::string a = series_block(html, 0);
  std::regex cy(R"re(<circle cx="[0-9.]+" cy="([0-9.]+)")re");
  std::vector<double> ys;
  for (auto it = std::sregex_iterator(a.begin(), a.end(), cy); it != std::sregex_iterator(); ++it)
    ys.push_back(std::stod((*it)[1]));
  ASSERT_EQ(ys.size(), 3u);
  EXPECT_GT(ys[0], ys[1]);  // SVG y grows downwards: 0.5 below 0.6 below 0.7
  EXPECT_GT(ys[1], ys[2]);
  EXPECT_NE(html.find(">this run</text>"), std::string::npos);
}

TEST(TrendChart, ReportHasTheSectionOnlyWhenGivenATrend) {
  EvalSummary s;
  s.reference = "truth<ref>";
  s.models = {"A"};
  s.overall.models.push_back(ModelStats{});
  s.overall.models[0].model = "A";
  std::string plain = render_html_report(s);
  EXPECT_EQ(plain.find("id=\"metric-trend\""), std::string::npos);
  MetricTrend t = sample_trend();
  std::string with = render_html_report(s, &t);
  EXPECT_NE(with.find("id=\"metric-trend\""), std::string::npos);
  EXPECT_EQ(count_of(with, "<svg "), count_of(plain, "<svg ") + 1);
  EXPECT_EQ(with.find("<img"), std::string::npos);
}

}  // namespace
}  // namespace pt
