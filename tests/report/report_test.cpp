// Tests for the HTML report: trace text (request, paths, model names) is HTML-escaped, the page is
// self-contained (no script, no external URL), every metric has a chart; and — when Chromium is
// installed — the page rendered headless has every chart present with a non-zero size, with a PNG
// screenshot saved under the build directory (report_screenshot.png).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "pipeline/eval/eval_score.h"
#include "report/html_report.h"
#include "report/svg_charts.h"
#include "store/memory/memory_store.h"
#include "support/chromium_cdp.h"
#include "support/ci_env.h"
#include "support/eval_rows.h"

namespace pt {
namespace {

using test::make_relabel;
using test::make_trace;
namespace fs = std::filesystem;

constexpr const char* kChromium = "/usr/bin/chromium";

// Two models on 40 traces of both kinds, one request carrying a <script> tag.
EvalSummary sample_summary(const std::string& other = "imported<b>") {
  MemoryStore st;
  std::vector<std::string> tree = {"lib/a.js", "lib/b.js", "lib/c.js", "test/a.js", "README.md", "docs/<odd>.md"};
  for (int i = 0; i < 40; ++i) {
    std::string id = "t" + std::to_string(i), step = "s" + std::to_string(i / 2), kind = i % 2 ? "Non-Obvious" : "Key";
    std::string request =
        i == 3 ? "<script>alert('x')</script> & fix \"quotes\"" : "change number " + std::to_string(i);
    st.add(Table::traces, {make_trace(id, step, kind, 1000 + i, tree, request)});
    std::string truth = i % 3 ? "lib/a.js\nlib/b.js" : "lib/c.js\ntest/a.js\nREADME.md";
    st.add(Table::relabels, {make_relabel("r" + id, "truth", step, kind, truth, id)});
    std::string good = i % 4 ? "lib/a.js\nlib/b.js\nlib/c.js" : "lib/c.js";
    st.add(Table::relabels, {make_relabel("g" + id, "local:bm25", step, kind, good, id)});
    std::string odd = i == 3 ? "<img src=x onerror=alert(1)>.js\nlib/a.js" : (i % 5 ? "lib/b.js\nghost/file.js" : "");
    st.add(Table::relabels, {make_relabel("o" + id, other, step, kind, odd, id)});
  }
  EvalScoreOptions o;
  o.models = {"local:bm25", other};
  o.reference = "truth";
  o.bootstrap.resamples = 300;
  auto r = run_eval_score(st, o);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : EvalSummary{};
}

size_t count_of(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
  return n;
}

TEST(HtmlEscape, EscapesMarkupCharacters) {
  EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(html_escape("plain/path.js"), "plain/path.js");
}

TEST(HtmlReport, EscapesTraceTextAndIsSelfContained) {
  EvalSummary s = sample_summary();
  ASSERT_EQ(s.scored, 40u);
  std::string html = render_html_report(s);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("imported<b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; fix &quot;quotes&quot;"),
            std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;.js"), std::string::npos);
  EXPECT_NE(html.find("imported&lt;b&gt;"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // only the SVG namespace
  EXPECT_EQ(html.find("https://"), std::string::npos);
  // Issue 20: one recall@k / precision@k chart (a line per model and measure, k = 1..10) and the
  // histogram, not a bar chart per metric.
  EXPECT_EQ(count_of(html, "<svg "), 2u);
  EXPECT_EQ(count_of(html, "<polyline "), 4u);  // 2 models x (recall, precision)
  EXPECT_EQ(count_of(html, "<circle "), 40u);   // 10 points each
  EXPECT_NE(html.find("id=\"verdict\""), std::string::npos);
  EXPECT_LT(html.find("id=\"verdict\""), html.find("id=\"scores\""));  // the verdict comes first
  EXPECT_NE(html.find("Best on <b>jaccard</b>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"/traces/t"), std::string::npos);  // examples link to the trace pages
  EXPECT_EQ(count_of(html, "class=\"trace\""), 20u);
  EXPECT_NE(html.find("id=\"by-kind\""), std::string::npos);
  EXPECT_NE(html.find("id=\"pairs\""), std::string::npos);
  EXPECT_NE(html.find("not in tree"), std::string::npos);  // ghost/file.js is flagged
}

TEST(SvgCharts, BarChartHasBarsAndWhiskers) {
  std::vector<Bar> bars = {{"m1", {0.5, 0.4, 0.6, 10, 0}, "#123456"}, {"m2", {NAN, NAN, NAN, 0, 0}, "#654321"}};
  std::string svg = bar_chart_svg("jaccard", bars, true);
  EXPECT_EQ(count_of(svg, "<rect "), 1u);
  EXPECT_EQ(count_of(svg, "class=\"ci\""), 1u);
  EXPECT_NE(svg.find("n/a"), std::string::npos);
  EXPECT_NE(svg.find("width=\"280\" height=\"210\""), std::string::npos);
}

// Runs a command, returns its stdout.
std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

std::string chromium(const fs::path& profile) {
  return std::string("timeout 120 ") + kChromium +
         " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking"
         " --disable-component-update --disable-sync --disable-dev-shm-usage --hide-scrollbars --user-data-dir=" +
         profile.string();
}

TEST(HtmlReport, RendersInHeadlessChromium) {
  if (!fs::exists(kChromium)) PT_SKIP_UNLESS_CI("chromium not installed (scripts/setup.sh installs it)");
  fs::path dir = fs::temp_directory_path() / ("pt-report-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string html = render_html_report(sample_summary());
  {
    std::ofstream(dir / "report.html") << html;
    // The probe copy: a script appended by the test writes each chart's rendered box into the DOM.
    std::string probe = html;
    probe.insert(probe.rfind("</body>"),
                 "<script>window.addEventListener('load',function(){var b=[];document.querySelectorAll('svg.chart')"
                 ".forEach(function(s){var r=s.getBoundingClientRect();b.push(s.getAttribute('data-metric')+'='+"
                 "Math.round(r.width)+'x'+Math.round(r.height)+'/'+s.querySelectorAll('rect').length)});"
                 "document.body.setAttribute('data-boxes',b.join(';'))});</script>");
    std::ofstream(dir / "probe.html") << probe;
  }
  std::string dom = run(chromium(dir / "p1") + " --virtual-time-budget=3000 --dump-dom file://" +
                        (dir / "probe.html").string() + " 2>/dev/null");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(dom, m, std::regex("data-boxes=\"([^\"]*)\""))) << dom.substr(0, 500);
  std::string boxes = m[1];
  std::regex box("([^=;]+)=(\\d+)x(\\d+)/(\\d+)");
  size_t charts = 0;
  for (auto it = std::sregex_iterator(boxes.begin(), boxes.end(), box); it != std::sregex_iterator(); ++it, ++charts) {
    EXPECT_GT(std::stoi((*it)[2]), 100) << (*it)[0];
    EXPECT_GT(std::stoi((*it)[3]), 100) << (*it)[0];
  }
  EXPECT_EQ(charts, 2u) << boxes;
  EXPECT_NE(boxes.find("recall_precision_at_k="), std::string::npos);
  EXPECT_NE(boxes.find("files_picked_histogram="), std::string::npos);

  fs::path png = fs::read_symlink("/proc/self/exe").parent_path() / "report_screenshot.png";  // the build dir
  fs::remove(png);
  run(chromium(dir / "p2") + " --window-size=1280,2400 --screenshot=" + png.string() + " file://" +
      (dir / "report.html").string() + " >/dev/null 2>&1");
  ASSERT_TRUE(fs::exists(png)) << "no screenshot written";
  std::ifstream f(png, std::ios::binary);
  std::string head(8, '\0');
  f.read(head.data(), 8);
  EXPECT_EQ(head, std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_GT(fs::file_size(png), 20000u);  // a blank page compresses to far less

  // No horizontal page scrolling at 1280 and 390 px, no console error; a screenshot at each width.
  pt_test::Chromium browser(dir / "p3");
  ASSERT_TRUE(browser.ok());
  for (int width : {1280, 390}) {
    SCOPED_TRACE(width);
    ASSERT_TRUE(browser.load("file://" + (dir / "report.html").string(), width));
    EXPECT_EQ(browser.eval("document.documentElement.scrollWidth <= window.innerWidth"), true)
        << browser.eval("document.documentElement.scrollWidth");
    EXPECT_EQ(browser.eval("document.querySelector('#verdict') !== null"), true);
    EXPECT_TRUE(browser.errors().empty()) << ::testing::PrintToString(browser.errors());
    fs::path shot = png.parent_path() / ("report_screenshot_" + std::to_string(width) + ".png");
    ASSERT_TRUE(browser.screenshot(shot));
    EXPECT_GT(fs::file_size(shot), 20000u);
  }
  fs::remove_all(dir);
}

// Model ids can be long (a fine-tune's, a student's model path): their cells wrap, so the scores,
// per-kind and paired tables fit a 1280 px window without scrolling sideways.
TEST(HtmlReport, LongModelIdsWrapSoTheTablesFitAt1280) {
  if (!fs::exists(kChromium)) PT_SKIP_UNLESS_CI("chromium not installed (scripts/setup.sh installs it)");
  fs::path dir = fs::temp_directory_path() / ("pt-report-wide-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string finetune = "openai:ft:gpt-4.1-mini-2025-04-14:our-agent-company:file-picker-v3-2026-12-06:BcD1234x";
  std::ofstream(dir / "report.html") << render_html_report(sample_summary(finetune));
  pt_test::Chromium browser(dir / "p");
  ASSERT_TRUE(browser.ok());
  ASSERT_TRUE(browser.load("file://" + (dir / "report.html").string(), 1280));
  for (const char* table : {"scores", "by-kind", "pairs"}) {
    const std::string box = std::string("document.querySelector('#") + table + "').parentElement";
    EXPECT_EQ(browser.eval(box + ".scrollWidth <= " + box + ".clientWidth"), true)
        << table << ": " << browser.eval(box + ".scrollWidth") << " > " << browser.eval(box + ".clientWidth");
  }
  EXPECT_EQ(browser.eval("document.body.innerText.includes('file-picker-v3-2026-12-06')"), true);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pt
