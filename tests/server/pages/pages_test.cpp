// The trace and evaluation browser of `picktune serve` (issue 19), against a SQLite store the
// test fills: over HTTP (every page answers with the data, escaped; keyset pages walk every trace
// once; filters and the free-text search), and in headless Chromium at 1280 and 390 px (the page
// shows the data, no console errors, no horizontal scrolling, an injected <script> does not run,
// a screenshot per page and width under the build directory's pages_screenshots/).
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "server/server.h"
#include "store/store.h"
#include "support/chromium_cdp.h"
#include "support/ci_env.h"
#include "support/eval_rows.h"

namespace {

namespace fs = std::filesystem;
using pt::Row;
using pt::Table;

constexpr const char* kXss = "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\"> fix it";

const char* kRegistry = R"json({"schema_version": 1, "note": "test", "finetunes": [
 {"id": "ft_pages_001", "endpoint_id": "1", "date": "2025-04-14", "train_file": "a.jsonl", "validation_file": null,
  "train_samples": 100, "validation_samples": null, "tokens": 1000000, "epochs": 2,
  "base_model": "gemini-2.0-flash-001", "teacher": "claude-<b>x",
  "recipe": {"request_kinds": ["Key"], "with_file_context": false, "top_k": null, "stop_dashes": false,
             "blobbify_history": false, "adapter_size": null},
  "notes": [], "est_costs_as_written": ["~$400 for finetuning ($3.00/1M tokens * 2 epochs * 74.6M tokens)"]}]})json";

class Pages : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("pages-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "finetunes.json") << kRegistry;
    store_ = std::move(pt::open_store(pt::StoreOptions{"sqlite:" + (dir_ / "t.db").string()})).value();
    ASSERT_TRUE(store_->init().ok());
    fill();
    pt::server::ServeOptions o;
    o.port = 0;
    o.threads = 8;
    o.access_log = false;
    o.spool_dir = (dir_ / "spool").string();
    o.registry_path = (dir_ / "finetunes.json").string();
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

  // 120 picker traces over two users and both kinds, 5 file-trees traces, one trace whose request
  // carries markup; truth, teacher and student relabels for trace t7.
  void fill() {
    std::vector<std::string> tree = {"src/app.js", "src/db/users.js", "src/routes/login.js", "README.md"};
    std::vector<Row> traces, relabels;
    for (int i = 0; i < 120; ++i) {
      std::string id = "t" + std::to_string(i);
      Row r = pt::test::make_trace(id, "step" + std::to_string(i / 2), i % 2 ? "Non-Obvious" : "Key",
                                   1'700'000'000'000'000 + int64_t{i} * 60'000'000, tree,
                                   i == 42 ? kXss : "change number " + std::to_string(i));
      r.user_id = i % 3 ? "alice" : "bob";
      traces.push_back(std::move(r));
    }
    for (int i = 0; i < 5; ++i)
      traces.push_back(Row{"ft" + std::to_string(i), "stepF", "carol", 1'600'000'000'000'000 + i, "file-trees", "",
                           R"({"filetrees":{"5000":"a.js"}})"});
    ASSERT_TRUE(store_->upsert(Table::traces, traces).ok());
    relabels.push_back(
        pt::test::make_relabel("r-truth", "truth", "step3", "Non-Obvious", "src/app.js\nREADME.md", "t7"));
    relabels.push_back(pt::test::make_relabel("r-teacher", "claude-teacher", "step3", "Non-Obvious",
                                              "src/app.js\nghost/nowhere.js", "t7"));
    relabels.push_back(pt::test::make_relabel("r-student", "local:student@a.model", "step3", "Non-Obvious",
                                              "src/routes/login.js", "t7"));
    relabels.push_back(pt::test::make_relabel("r-other", "claude-teacher", "step3", "Key", "src/db/users.js", "t6"));
    relabels.push_back(pt::test::make_relabel("r-xss", "claude-teacher", "step21", "Key", kXss, "t42"));
    ASSERT_TRUE(store_->upsert(Table::relabels, relabels).ok());
  }

  httplib::Result get(const std::string& path) {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(20, 0);
    return c.Get(path);
  }

  // Trace ids listed on a /traces page, in order, and its "older" link ("" when none).
  static std::pair<std::vector<std::string>, std::string> listed(const std::string& html) {
    std::vector<std::string> ids;
    std::regex row(R"re(class="row-link" href="/traces/([^"]+)")re");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), row); it != std::sregex_iterator(); ++it)
      ids.push_back((*it)[1]);
    std::smatch m;
    std::string next;
    if (std::regex_search(html, m, std::regex(R"re(id="next" rel="next" href="([^"]+)")re")))
      next = std::regex_replace(m[1].str(), std::regex("&amp;"), "&");
    return {ids, next};
  }

  fs::path dir_;
  std::unique_ptr<pt::Store> store_;
  std::unique_ptr<pt::server::Server> server_;
  std::thread thread_;
};

TEST_F(Pages, EveryPageAnswersHtmlWithItsDataEscaped) {
  auto home = get("/");
  ASSERT_TRUE(home);
  EXPECT_EQ(home->status, 200);
  EXPECT_NE(home->get_header_value("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_NE(home->body.find(">60</td>"), std::string::npos);  // Key picker traces
  EXPECT_NE(home->body.find(">5</td>"), std::string::npos);   // file-trees
  EXPECT_NE(home->body.find("claude-teacher"), std::string::npos);
  EXPECT_NE(home->body.find("t119"), std::string::npos);  // newest trace
  EXPECT_NE(home->body.find("1 entries"), std::string::npos);

  auto t7 = get("/traces/t7");
  ASSERT_TRUE(t7);
  EXPECT_EQ(t7->status, 200);
  for (const char* want : {"change number 7", "claude-teacher", "local:student@a.model", "ghost/nowhere.js",
                           "not in tree", "in truth", "src/routes/login.js", "File tree (4 files)"})
    EXPECT_NE(t7->body.find(want), std::string::npos) << want;
  EXPECT_EQ(t7->body.find("r-other"), std::string::npos);  // r-other answers t6 (Key), not t7
  EXPECT_NE(t7->body.find("r-teacher"), std::string::npos);

  auto x = get("/traces/t42");
  ASSERT_TRUE(x);
  EXPECT_EQ(x->body.find("<script>window"), std::string::npos);
  EXPECT_EQ(x->body.find("<img src=x"), std::string::npos);
  EXPECT_NE(x->body.find("&lt;script&gt;window.__pwned=1&lt;/script&gt;"), std::string::npos);

  auto missing = get("/traces/nope%3Cb%3E");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("nope&lt;b&gt;"), std::string::npos);

  auto ft = get("/finetunes");
  ASSERT_TRUE(ft);
  EXPECT_NE(ft->body.find("ft_pages_001"), std::string::npos);
  EXPECT_NE(ft->body.find("$6.00"), std::string::npos);  // 3.00/1M x 2 epochs x 1M tokens
  EXPECT_NE(ft->body.find("claude-&lt;b&gt;x"), std::string::npos);
  EXPECT_NE(ft->body.find("class=\"tag\""), std::string::npos);  // the cost line disagrees: a finding

  auto js = get("/assets/pages.js");
  ASSERT_TRUE(js);
  EXPECT_NE(js->get_header_value("Content-Type").find("javascript"), std::string::npos);
}

TEST_F(Pages, KeysetPagesWalkEveryTraceNewestFirstWithFilters) {
  std::vector<std::string> all;
  std::string path = "/traces";
  for (int n = 0; n < 10 && !path.empty(); ++n) {
    auto r = get(path);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << path;
    auto [ids, next] = listed(r->body);
    all.insert(all.end(), ids.begin(), ids.end());
    path = next;
  }
  ASSERT_EQ(all.size(), 125u);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 125u);
  EXPECT_EQ(all.front(), "t119");
  EXPECT_EQ(all[119], "t0");

  // Filters: bob's Key traces (i % 3 == 0 and i even -> i % 6 == 0), newest first.
  auto r = get("/traces?type=get-relevant-files&kind=Key&user=bob");
  ASSERT_TRUE(r);
  auto [ids, next] = listed(r->body);
  EXPECT_EQ(ids.size(), 20u);
  EXPECT_EQ(ids.front(), "t114");
  EXPECT_TRUE(next.empty());
  auto step = listed(get("/traces?step=step3")->body).first;
  EXPECT_EQ(step, (std::vector<std::string>{"t7", "t6"}));
  auto text = listed(get("/traces?q=NUMBER%2011")->body).first;  // case-insensitive; 11, 110..119 don't all match
  EXPECT_EQ(
      std::set<std::string>(text.begin(), text.end()),
      (std::set<std::string>{"t11", "t110", "t111", "t112", "t113", "t114", "t115", "t116", "t117", "t118", "t119"}));
  auto range = listed(get("/traces?since=2023-11-14T22:14:00Z&until=2023-11-14T22:16:00Z")->body).first;
  EXPECT_EQ(range, (std::vector<std::string>{"t2", "t1"}));  // t0 is at 22:13:20
  auto bad = get("/traces?since=yesterday");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 200);
  EXPECT_NE(bad->body.find("id=\"filter-error\""), std::string::npos);
}

TEST_F(Pages, RenderInHeadlessChromiumAtBothWidths) {
  if (!fs::exists(pt_test::kChromiumPath)) PT_SKIP_UNLESS_CI("chromium not installed (scripts/setup.sh installs it)");
  pt_test::Chromium browser(dir_ / "profile");
  ASSERT_TRUE(browser.ok()) << "chromium did not answer on --remote-debugging-pipe";
  fs::path shots = fs::read_symlink("/proc/self/exe").parent_path() / "pages_screenshots";  // the build dir
  fs::create_directories(shots);
  const std::string base = "http://127.0.0.1:" + std::to_string(server_->port());
  struct Case {
    std::string name, path, selector, text;
  };
  const std::vector<Case> cases = {
      {"overview", "/", "#trace-counts", "get-relevant-files"},
      {"traces", "/traces", "#traces", "change number 119"},
      {"traces-filtered", "/traces?kind=Non-Obvious&user=alice", "#traces", "change number 119"},
      {"trace", "/traces/t7", "#answers", "ghost/nowhere.js"},
      {"trace-script", "/traces/t42", "#request", "<script>window.__pwned=1</script>"},
      {"finetunes", "/finetunes", "#finetunes", "ft_pages_001"},
  };
  for (int width : {1280, 390})
    for (const Case& c : cases) {
      SCOPED_TRACE(c.name + " at " + std::to_string(width));
      ASSERT_TRUE(browser.load(base + c.path, width)) << ::testing::PrintToString(browser.errors());
      EXPECT_EQ(browser.eval("document.querySelector('" + c.selector + "') !== null"), true);
      EXPECT_EQ(browser.eval("document.body.innerText.includes(" + nlohmann::json(c.text).dump() + ")"), true);
      EXPECT_EQ(browser.eval("document.documentElement.scrollWidth <= window.innerWidth"), true)
          << "scrollWidth " << browser.eval("document.documentElement.scrollWidth") << " > "
          << browser.eval("window.innerWidth");
      EXPECT_EQ(browser.eval("typeof window.__pwned"), "undefined");
      EXPECT_EQ(browser.eval("document.querySelectorAll('main script, main img').length"), 0);
      EXPECT_TRUE(browser.errors().empty()) << ::testing::PrintToString(browser.errors());
      fs::path png = shots / (c.name + "-" + std::to_string(width) + ".png");
      ASSERT_TRUE(browser.screenshot(png));
      EXPECT_GT(fs::file_size(png), 5000u);
    }
  // Keyboard: j selects the first row, Enter follows its link.
  ASSERT_TRUE(browser.load(base + "/traces", 1280));
  browser.eval(
      "document.dispatchEvent(new KeyboardEvent('keydown',{key:'j'})), document.activeElement.getAttribute('href')");
  EXPECT_EQ(browser.eval("document.activeElement.getAttribute('href')"), "/traces/t119");
  EXPECT_EQ(browser.eval("document.querySelector('tr.sel a').textContent.length > 0"), true);
}

}  // namespace
