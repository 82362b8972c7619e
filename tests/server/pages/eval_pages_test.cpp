// The evaluation pages of `picktune serve` (issue 19) against a SQLite store holding two runs of
// `eval score` (model B half right, then right everywhere): /evals lists them newest first with a
// compare form, /evals/RUN shows the verdict, the metrics with CIs, the recall@k chart and the
// examples linking to /traces/ID, /evals/compare gives what `eval compare A B` gives; over HTTP
// and in headless Chromium at 1280 and 390 px (no console errors, no horizontal scrolling).
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "pipeline/eval/eval_runs.h"
#include "pipeline/eval/eval_score.h"
#include "report/eval_runs_output.h"
#include "server/server.h"
#include "store/store.h"
#include "support/chromium_cdp.h"
#include "support/ci_env.h"
#include "support/eval_rows.h"

namespace {

namespace fs = std::filesystem;
using pt::Row;
using pt::Table;

constexpr int kTraces = 24;
constexpr const char* kXss = "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\"> fix a";

class EvalPages : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("eval-pages-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = std::move(pt::open_store(pt::StoreOptions{"sqlite:" + (dir_ / "t.db").string()})).value();
    ASSERT_TRUE(store_->init().ok());
    fill(kTraces / 2);
    before_ = score();
    fill(kTraces);
    after_ = score();
    pt::server::ServeOptions o;
    o.port = 0;
    o.threads = 8;
    o.access_log = false;
    o.spool_dir = (dir_ / "spool").string();
    o.registry_path = (dir_ / "none.json").string();
    auto s = pt::server::Server::start(*store_, o);
    ASSERT_TRUE(s.ok()) << s.error().message;
    server_ = std::move(s).value();
    thread_ = std::thread([this] { server_->run(); });
    httplib::Client c("127.0.0.1", server_->port());
    for (int i = 0; i < 200 && !c.Get("/healthz"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  // Truth and A answer a.js everywhere; B answers a.js on the first `b_right` traces, c.js after.
  void fill(int b_right) {
    std::vector<Row> traces, relabels;
    for (int i = 0; i < kTraces; ++i) {
      std::string t = "t" + std::to_string(i), s = "s" + std::to_string(i);
      traces.push_back(pt::test::make_trace(t, s, "Key", 1000 + i, {"a.js", "b.js", "c.js"}, i == 13 ? kXss : "fix a"));
      relabels.push_back(pt::test::make_relabel("truth-" + t, "truth", s, "Key", "a.js", t));
      relabels.push_back(pt::test::make_relabel("A-" + t, "A", s, "Key", "a.js", t));
      relabels.push_back(pt::test::make_relabel("B-" + t, "B", s, "Key", i < b_right ? "a.js" : "c.js", t));
    }
    ASSERT_TRUE(store_->upsert(Table::traces, traces).ok());
    ASSERT_TRUE(store_->upsert(Table::relabels, relabels).ok());
  }

  std::string score() {
    pt::EvalScoreOptions o;
    o.models = {"A", "B"};
    o.reference = "truth";
    o.bootstrap.resamples = 200;
    o.picktune_version = "9.9.9";
    o.save_run = true;
    auto s = pt::run_eval_score(*store_, o);
    EXPECT_TRUE(s.ok()) << s.error().message;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // distinct created_at
    return s.ok() ? s->run_id : "";
  }

  httplib::Result get(const std::string& path) {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(20, 0);
    return c.Get(path);
  }

  fs::path dir_;
  std::unique_ptr<pt::Store> store_;
  std::unique_ptr<pt::server::Server> server_;
  std::thread thread_;
  std::string before_, after_;
};

TEST_F(EvalPages, ListRunAndCompareOverHttp) {
  ASSERT_FALSE(before_.empty());
  ASSERT_FALSE(after_.empty());
  auto list = get("/evals");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 200);
  size_t at_after = list->body.find("href=\"/evals/" + after_), at_before = list->body.find("href=\"/evals/" + before_);
  ASSERT_NE(at_after, std::string::npos);
  ASSERT_NE(at_before, std::string::npos);
  EXPECT_LT(at_after, at_before);  // newest first
  EXPECT_NE(list->body.find("id=\"compare-form\""), std::string::npos);
  EXPECT_NE(list->body.find("B: 0.5000"), std::string::npos);  // the first run's B jaccard
  // Above the list: jaccard over the two runs, one series per model, the shared reference said.
  size_t at_chart = list->body.find("id=\"metric-trend\"");
  ASSERT_NE(at_chart, std::string::npos);
  EXPECT_LT(at_chart, list->body.find("id=\"eval-runs\""));
  EXPECT_NE(list->body.find("jaccard over runs"), std::string::npos);
  EXPECT_NE(list->body.find("2 runs with reference <b>truth</b>"), std::string::npos);
  EXPECT_NE(list->body.find("data-series=\"A\""), std::string::npos);
  EXPECT_NE(list->body.find("data-series=\"B\""), std::string::npos);
  EXPECT_NE(list->body.find("B · "), std::string::npos);
  EXPECT_NE(list->body.find(": 0.5000 ["), std::string::npos);  // B's first point
  auto recall = get("/evals?metric=recall%405");
  ASSERT_TRUE(recall);
  EXPECT_EQ(recall->status, 200);
  EXPECT_NE(recall->body.find("recall@5 over runs"), std::string::npos);
  EXPECT_NE(recall->body.find(R"(<option value="recall@5" selected>)"), std::string::npos);
  auto other_ref = get("/evals?reference=nobody");
  ASSERT_TRUE(other_ref);
  EXPECT_EQ(other_ref->status, 200);
  EXPECT_NE(other_ref->body.find("0 runs with reference <b>nobody</b>"), std::string::npos);
  EXPECT_NE(other_ref->body.find("2 runs with another reference left out"), std::string::npos);
  EXPECT_EQ(other_ref->body.find("<g class=\"series\""), std::string::npos);
  auto bad_metric = get("/evals?metric=%3Cb%3Erecall");
  ASSERT_TRUE(bad_metric);
  EXPECT_EQ(bad_metric->status, 400);
  EXPECT_NE(bad_metric->body.find("?metric=&lt;b&gt;recall is not a stored metric"), std::string::npos);

  auto home = get("/");
  ASSERT_TRUE(home);
  EXPECT_NE(home->body.find(after_), std::string::npos);
  EXPECT_NE(home->body.find("all 2 runs"), std::string::npos);

  auto run = get("/evals/" + before_);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, 200);
  for (const char* want : {"id=\"verdict\"", "id=\"scores\"", "Recall and precision at k", "<svg", "[", "a.js"})
    EXPECT_NE(run->body.find(want), std::string::npos) << want;
  // Examples: the traces B got wrong (t12..t23), each linking to its trace page; text escaped.
  std::regex link(R"re(href="/traces/(t[0-9]+)")re");
  std::set<std::string> linked;
  for (auto it = std::sregex_iterator(run->body.begin(), run->body.end(), link); it != std::sregex_iterator(); ++it)
    linked.insert((*it)[1]);
  EXPECT_EQ(linked.size(), pt::kStoredExamples);
  for (const std::string& id : linked) EXPECT_GE(std::stoi(id.substr(1)), kTraces / 2) << id;
  EXPECT_EQ(run->body.find("<script>window"), std::string::npos);
  // "Compare with the run before" only where there is one.
  EXPECT_EQ(run->body.find("id=\"compare-previous\""), std::string::npos);
  auto last = get("/evals/last");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->status, 200);
  EXPECT_NE(last->body.find("Run <b>" + after_), std::string::npos);
  EXPECT_NE(last->body.find("/evals/compare?a=" + before_ + "&amp;b=" + after_), std::string::npos);

  // The comparison page shows what `eval compare A B` computes (one comparison).
  auto cmp = get("/evals/compare?a=" + before_ + "&b=" + after_);
  ASSERT_TRUE(cmp);
  EXPECT_EQ(cmp->status, 200);
  auto c = pt::compare_stored_eval_runs(*store_, before_, after_);
  ASSERT_TRUE(c.ok());
  int changed = 0;
  for (const pt::MetricChange& ch : c->changes)
    if (ch.before && ch.after && !std::isnan(ch.delta)) {
      EXPECT_NE(cmp->body.find(fmt::format("<td>{:+.4f}</td>", ch.delta)), std::string::npos)
          << ch.model << " " << pt::metric_name(ch.metric);
      changed += !ch.cis_overlap;
    }
  EXPECT_GT(changed, 0);
  std::regex changed_tag(R"re(<span class="tag">changed</span>)re");
  EXPECT_EQ(
      std::distance(std::sregex_iterator(cmp->body.begin(), cmp->body.end(), changed_tag), std::sregex_iterator()),
      changed);
  EXPECT_NE(cmp->body.find("<td>+0.5000</td>"), std::string::npos);      // B's jaccard 0.5 -> 1.0
  EXPECT_EQ(cmp->body.find("id=\"compare-notes\""), std::string::npos);  // same traces, same reference

  auto missing = get("/evals/ev-%3Cb%3Enope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("ev-&lt;b&gt;nope"), std::string::npos);
  auto half = get("/evals/compare?a=" + before_);
  ASSERT_TRUE(half);
  EXPECT_EQ(half->status, 400);
  auto bad = get("/evals/compare?a=" + before_ + "&b=ev-nope");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 404);
}

TEST_F(EvalPages, RenderInHeadlessChromiumAtBothWidths) {
  if (!fs::exists(pt_test::kChromiumPath)) PT_SKIP_UNLESS_CI("chromium not installed (scripts/setup.sh installs it)");
  pt_test::Chromium browser(dir_ / "profile");
  ASSERT_TRUE(browser.ok()) << "chromium did not answer on --remote-debugging-pipe";
  fs::path shots = fs::read_symlink("/proc/self/exe").parent_path() / "pages_screenshots";
  fs::create_directories(shots);
  const std::string base = "http://127.0.0.1:" + std::to_string(server_->port());
  struct Case {
    std::string name, path, selector, text;
  };
  const std::vector<Case> cases = {
      {"evals", "/evals", "#eval-runs", after_},
      {"eval-run", "/evals/" + before_, "#verdict", "Best on jaccard"},
      {"eval-compare", "/evals/compare?a=" + before_ + "&b=" + after_, "#compare", "+0.5000"},
  };
  for (int width : {1280, 390})
    for (const Case& c : cases) {
      SCOPED_TRACE(c.name + " at " + std::to_string(width));
      ASSERT_TRUE(browser.load(base + c.path, width)) << ::testing::PrintToString(browser.errors());
      EXPECT_EQ(browser.eval("document.querySelector('" + c.selector + "') !== null"), true);
      EXPECT_EQ(browser.eval("document.body.innerText.includes(" + nlohmann::json(c.text).dump() + ")"), true);
      EXPECT_EQ(browser.eval("document.documentElement.scrollWidth <= window.innerWidth"), true)
          << "scrollWidth " << browser.eval("document.documentElement.scrollWidth");
      EXPECT_EQ(browser.eval("typeof window.__pwned"), "undefined");
      EXPECT_TRUE(browser.errors().empty()) << ::testing::PrintToString(browser.errors());
      fs::path png = shots / (c.name + "-" + std::to_string(width) + ".png");
      ASSERT_TRUE(browser.screenshot(png));
      EXPECT_GT(fs::file_size(png), 5000u);
    }
  // The metric-over-runs chart on /evals: drawn, one series per model, inside the viewport at both
  // widths; the form switches the metric.
  for (int width : {1280, 390}) {
    SCOPED_TRACE("trend at " + std::to_string(width));
    ASSERT_TRUE(browser.load(base + "/evals", width));
    EXPECT_EQ(browser.eval("document.querySelectorAll('#metric-trend svg.trend g.series').length"), 2);
    EXPECT_EQ(browser.eval("document.querySelectorAll('#metric-trend svg.trend circle').length"), 4);
    EXPECT_EQ(browser.eval("(function(){var r=document.querySelector('#metric-trend svg').getBoundingClientRect();"
                           "return r.width > 200 && r.height > 80 && r.left >= 0 && r.right <= window.innerWidth;})()"),
              true)
        << browser.eval("JSON.stringify(document.querySelector('#metric-trend svg').getBoundingClientRect())");
    EXPECT_EQ(browser.eval("document.documentElement.scrollWidth <= window.innerWidth"), true);
  }
  std::string trend_query = browser.eval(
      "(function(){var f=document.getElementById('trend-form');f.metric.value='recall@5';"
      "return new URLSearchParams(new FormData(f)).toString();})()");
  EXPECT_EQ(trend_query, "metric=recall%405&reference=truth");
  ASSERT_TRUE(browser.load(base + "/evals?" + trend_query, 390));
  EXPECT_EQ(browser.eval("document.querySelector('#metric-trend h2').textContent"), "recall@5 over runs");
  // The run page's chart has a line per model; an example's link opens that trace's page.
  ASSERT_TRUE(browser.load(base + "/evals/" + before_, 1280));
  EXPECT_EQ(browser.eval("document.querySelectorAll('svg polyline, svg path').length >= 2"), true);
  std::string href = browser.eval("document.querySelector('.trace a[href^=\"/traces/\"]').getAttribute('href')");
  ASSERT_TRUE(browser.load(base + href, 1280));
  EXPECT_EQ(browser.eval("document.querySelector('#answers') !== null"), true);
  // The compare form sends the chosen runs: before = the older, after = the newer by default.
  ASSERT_TRUE(browser.load(base + "/evals", 390));
  std::string query =
      browser.eval("new URLSearchParams(new FormData(document.getElementById('compare-form'))).toString()");
  EXPECT_EQ(query, "a=" + before_ + "&b=" + after_);
  ASSERT_TRUE(browser.load(base + "/evals/compare?" + query, 390));
  EXPECT_EQ(browser.eval("document.querySelector('#compare tr:nth-child(2) td').textContent"), "A");
  EXPECT_TRUE(browser.errors().empty()) << ::testing::PrintToString(browser.errors());
}

}  // namespace
