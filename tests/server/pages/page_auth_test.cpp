// Browser sign-in for `picktune serve --auth-token` (server/pages/page_auth.h): over HTTP, pages
// answer 401 without the token, 200 with the header or the cookie, and ?token= answers 303 with an
// HttpOnly SameSite=Strict cookie and the URL without the token; the cookie never authorizes the
// capture routes. In headless Chromium: the sign-in page, then ?token= once and every page opens.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "server/pages/page_auth.h"
#include "server/serve_fixture.h"
#include "support/chromium_cdp.h"
#include "support/ci_env.h"
#include "support/eval_rows.h"

namespace {

namespace fs = std::filesystem;
constexpr const char* kToken = "tok-pages-7f3a";

pt::server::ServeOptions with_token() {
  pt::server::ServeOptions o;
  o.auth_token = kToken;
  return o;
}

// The response head of a GET sent on a plain socket.
std::string raw_get(int port, const std::string& target) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return out.substr(0, out.find("\r\n\r\n") + 2);
}

struct AuthFixture : pt_test::ServeFixture {
  AuthFixture() : ServeFixture({}, with_token()) {
    std::vector<pt::Row> rows = {
        pt::test::make_trace("t1", "s1", "Key", 1'700'000'000'000'000, {"a.js"}, "secret plan")};
    EXPECT_TRUE(store->upsert(pt::Table::traces, rows).ok());
  }
};

TEST(PageAuth, PagesNeedTheTokenAsHeaderOrCookieAndTheUrlTokenSetsTheCookie) {
  AuthFixture f;
  auto c = f.client();
  for (const char* path : {"/", "/traces", "/traces/t1", "/evals", "/finetunes", "/assets/pages.js"}) {
    auto r = c.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
    EXPECT_EQ(r->body.find("secret plan"), std::string::npos) << path;
    EXPECT_NE(r->body.find("id=\"sign-in\""), std::string::npos) << path;
  }
  auto header = c.Get("/traces", {{"X-Picktune-Token", kToken}});
  ASSERT_TRUE(header);
  EXPECT_EQ(header->status, 200);
  EXPECT_NE(header->body.find("secret plan"), std::string::npos);

  auto wrong = c.Get("/traces?token=tok-pages-7f3b");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_TRUE(wrong->get_header_value("Set-Cookie").empty());

  auto sign_in = c.Get(std::string("/traces?type=get-relevant-files&token=") + kToken);
  ASSERT_TRUE(sign_in);
  EXPECT_EQ(sign_in->status, 303);
  EXPECT_EQ(sign_in->get_header_value("Location"), "/traces?type=get-relevant-files");
  std::string cookie = sign_in->get_header_value("Set-Cookie");
  EXPECT_EQ(cookie.rfind(std::string(pt::server::kPageTokenCookie) + "=" + kToken + ";", 0), 0u) << cookie;
  for (const char* attr : {"; HttpOnly", "; SameSite=Strict", "; Path=/"})
    EXPECT_NE(cookie.find(attr), std::string::npos) << attr << " in " << cookie;

  // The path stays percent-encoded in Location (read raw: httplib's client decodes header values).
  std::string raw = raw_get(f.server->port(), std::string("/traces/a%20b%26c%3F?token=") + kToken);
  EXPECT_NE(raw.find("\r\nLocation: /traces/a%20b%26c%3F\r\n"), std::string::npos) << raw;
  auto root = c.Get(std::string("/?token=") + kToken);
  ASSERT_TRUE(root);
  EXPECT_EQ(root->get_header_value("Location"), "/");

  const std::string jar = std::string(pt::server::kPageTokenCookie) + "=" + kToken;
  for (const char* path : {"/", "/traces", "/traces/t1", "/evals", "/finetunes", "/assets/pages.js"}) {
    auto r = c.Get(path, {{"Cookie", "other=1; " + jar}});
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
  }
  auto bad_cookie = c.Get("/traces", {{"Cookie", jar + "x"}});
  ASSERT_TRUE(bad_cookie);
  EXPECT_EQ(bad_cookie->status, 401);

  // The cookie is for the pages only: the capture routes and /metrics still need the header.
  auto api = c.Post("/v1/messages", {{"Cookie", jar}}, R"({"model":"claude-x","max_tokens":5,"messages":[]})",
                    "application/json");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 401);
  auto metrics = c.Get("/metrics", {{"Cookie", jar}});
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 401);
  auto health = c.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST(PageAuth, TokenComparison) {
  EXPECT_TRUE(pt::server::same_token("abc", "abc"));
  EXPECT_FALSE(pt::server::same_token("abd", "abc"));
  EXPECT_FALSE(pt::server::same_token("ab", "abc"));
  EXPECT_FALSE(pt::server::same_token("", ""));  // no token configured never matches
}

TEST(PageAuth, BrowserSignsInOnceWithTheUrlToken) {
  if (!fs::exists(pt_test::kChromiumPath)) PT_SKIP_UNLESS_CI("chromium not installed (scripts/setup.sh installs it)");
  AuthFixture f;
  pt_test::Chromium browser(fs::path(f.dir) / "profile");
  ASSERT_TRUE(browser.ok()) << "chromium did not answer on --remote-debugging-pipe";
  const std::string base = "http://127.0.0.1:" + std::to_string(f.server->port());
  ASSERT_TRUE(browser.load(base + "/traces/t1", 1280));
  EXPECT_EQ(browser.eval("document.getElementById('sign-in') !== null"), true);
  EXPECT_EQ(browser.eval("document.body.innerText.includes('secret plan')"), false);

  ASSERT_TRUE(browser.load(base + "/traces/t1?token=" + kToken, 390));
  EXPECT_EQ(browser.eval("location.pathname + location.search"), "/traces/t1");  // the token left the URL
  EXPECT_EQ(browser.eval("document.body.innerText.includes('secret plan')"), true);
  EXPECT_EQ(browser.eval("document.cookie.includes('picktune_token')"), false);  // HttpOnly
  EXPECT_TRUE(browser.errors().empty()) << ::testing::PrintToString(browser.errors());
  for (const char* path : {"/", "/traces", "/evals", "/finetunes"}) {
    ASSERT_TRUE(browser.load(base + path, 1280)) << path;
    EXPECT_EQ(browser.eval("document.getElementById('sign-in') === null"), true) << path;
    EXPECT_EQ(browser.eval("document.querySelector('nav.top') !== null"), true) << path;
    EXPECT_TRUE(browser.errors().empty()) << path << ::testing::PrintToString(browser.errors());
  }
  // pages.js loaded with the cookie: the keyboard selection works.
  ASSERT_TRUE(browser.load(base + "/traces", 1280));
  browser.eval("document.dispatchEvent(new KeyboardEvent('keydown',{key:'j'}))");
  EXPECT_EQ(browser.eval("document.activeElement.getAttribute('href')"), "/traces/t1");
}

}  // namespace
