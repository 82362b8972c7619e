// The relabel cost on /traces?teacher=MODEL (issue 19): the relabel engine's dry run over the
// traces the page shows (the figures `relabel --dry-run` gives for those traces), traces the
// teacher already answered left out; and `picktune serve --registry FILE --auth-token T` as a
// child process: its pages show that registry and need the token.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "pipeline/relabel/relabel.h"
#include "providers/model.h"
#include "server/pages/page_data.h"
#include "server/serve_fixture.h"
#include "store/memory/memory_store.h"
#include "support/eval_rows.h"

namespace {

constexpr const char* kTeacher = "anthropic:claude-sonnet-4";

void fill(pt::Store& store) {
  std::vector<pt::Row> traces;
  for (int i = 0; i < 6; ++i)
    traces.push_back(pt::test::make_trace("t" + std::to_string(i), "s" + std::to_string(i), "Key",
                                          1'700'000'000'000'000 + i * 1'000'000, {"a.js", "b.js"},
                                          std::string(200 + 100 * i, 'x')));
  traces.push_back(pt::Row{"ft0", "sF", "u1", 1'700'000'100'000'000, "file-trees", "", R"({"filetrees":{}})"});
  ASSERT_TRUE(store.upsert(pt::Table::traces, traces).ok());
  // The teacher already answered t5 (by trace id).
  std::vector<pt::Row> relabels = {pt::test::make_relabel("r5", kTeacher, "s5", "Key", "a.js", "t5")};
  ASSERT_TRUE(store.upsert(pt::Table::relabels, relabels).ok());
}

TEST(RelabelCost, IsTheDryRunOfTheShownTraces) {
  pt::MemoryStore store;
  fill(store);
  auto v = pt::server::trace_list_view(store, {{"teacher", kTeacher}});
  ASSERT_TRUE(v.ok()) << v.error().message;
  ASSERT_TRUE(v->relabel_cost);
  const pt::RelabelCostView& c = *v->relabel_cost;
  EXPECT_TRUE(c.error.empty()) << c.error;
  EXPECT_EQ(c.traces, 6);  // the file-trees trace is not relabelled
  EXPECT_EQ(c.already, 1);
  EXPECT_EQ(c.to_do, 5);
  EXPECT_GT(c.input_tokens, 5 * 50);
  EXPECT_GT(c.cost_usd, 0);
  EXPECT_GT(c.worst_cost_usd, c.cost_usd);

  // `relabel --dry-run --trace ...` over the same traces gives the same figures.
  pt::ModelOptions mo;
  mo.offline = true;
  auto model = pt::make_model(kTeacher, mo);
  ASSERT_TRUE(model.ok()) << model.error().message;
  pt::RelabelOptions ro;
  ro.dry_run = true;
  ro.trace_ids = {"t0", "t1", "t2", "t3", "t4", "t5"};
  auto s = pt::run_relabel(store, **model, ro);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(c.input_tokens, s->estimated_input_tokens);
  EXPECT_DOUBLE_EQ(c.cost_usd, s->estimated_cost_usd);
  EXPECT_DOUBLE_EQ(c.worst_cost_usd, s->estimated_worst_cost_usd);

  // Filtered to two traces: only those are priced.
  auto two = pt::server::trace_list_view(store, {{"teacher", kTeacher}, {"since", "2023-11-14T22:13:23Z"}});
  ASSERT_TRUE(two.ok());
  ASSERT_TRUE(two->relabel_cost);
  EXPECT_EQ(two->rows.size(), 4u);  // t3, t4, t5 and the file-trees trace
  EXPECT_EQ(two->relabel_cost->traces, 3);
  EXPECT_EQ(two->relabel_cost->to_do, 2);
  EXPECT_LT(two->relabel_cost->cost_usd, c.cost_usd);

  // A local model costs nothing (and its path is not opened); an unknown one says why.
  auto local = pt::server::relabel_cost_view(store, "local:student@/etc/passwd", {"t0"}, "");
  EXPECT_NE(local.error.find("cost nothing"), std::string::npos);
  auto unknown = pt::server::relabel_cost_view(store, "anthropic:no-such-model<b>", {"t0"}, "");
  EXPECT_FALSE(unknown.error.empty());
}

TEST(RelabelCost, ShownOnTheTracesPageWithTheTeacherKeptWhilePaging) {
  pt_test::ServeFixture f;
  fill(*f.store);
  auto c = f.client();
  auto r = c.Get(std::string("/traces?teacher=") + kTeacher);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("id=\"relabel-cost\""), std::string::npos);
  EXPECT_NE(r->body.find("1 already answered, 5 to do"), std::string::npos) << r->body;
  auto bad = c.Get("/traces?teacher=anthropic:x%3Cscript%3E");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->body.find("x<script>"), std::string::npos);
  EXPECT_NE(bad->body.find("id=\"relabel-cost\""), std::string::npos);
  auto home = c.Get("/");
  ASSERT_TRUE(home);
  EXPECT_NE(home->body.find("/traces?type=get-relevant-files&amp;teacher=anthropic%3Aclaude-sonnet-4"),
            std::string::npos);
}

// `picktune serve --registry FILE --auth-token T` through the binary.
TEST(ServeFlags, RegistryAndAuthTokenThroughTheBinary) {
  std::string dir = pt_test::fresh_dir("serve-flags-");
  std::ofstream(dir + "/reg.json") << R"({"schema_version": 1, "finetunes": [
    {"id": "ft_flag_042", "endpoint_id": "1", "date": "2025-04-14", "train_file": "a.jsonl",
     "validation_file": null, "train_samples": 10, "validation_samples": null, "tokens": 1000, "epochs": 1,
     "base_model": "gemini-2.0-flash-001", "teacher": "t", "recipe": {"request_kinds": ["Key"]},
     "notes": [], "est_costs_as_written": []}]})";
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  int port = ntohs(a.sin_port);
  ::close(fd);
  std::string log = dir + "/serve.log";
  pid_t pid = fork();
  if (pid == 0) {
    FILE* f = std::freopen(log.c_str(), "a", stderr);
    (void)f;
    std::string listen = "127.0.0.1:" + std::to_string(port), store = "sqlite:" + dir + "/t.db", spool = dir + "/spool",
                reg = dir + "/reg.json";
    execl(PICKTUNE_BINARY, PICKTUNE_BINARY, "serve", "--store", store.c_str(), "--listen", listen.c_str(), "--spool",
          spool.c_str(), "--registry", reg.c_str(), "--auth-token", "tok-9", "--threads", "8", nullptr);
    _exit(127);
  }
  httplib::Client c("127.0.0.1", port);
  bool up = false;
  for (int i = 0; i < 1000 && !up; ++i) {
    if (auto r = c.Get("/healthz"); r && r->status == 200) up = true;
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(up) << pt_test::slurp(log);
  if (up) {
    auto denied = c.Get("/finetunes");
    ASSERT_TRUE(denied);
    EXPECT_EQ(denied->status, 401);
    auto shown = c.Get("/finetunes", {{"X-Picktune-Token", "tok-9"}});
    ASSERT_TRUE(shown);
    EXPECT_EQ(shown->status, 200);
    EXPECT_NE(shown->body.find("ft_flag_042"), std::string::npos);
    EXPECT_NE(shown->body.find(dir + "/reg.json"), std::string::npos);
    auto signed_in = c.Get("/?token=tok-9");
    ASSERT_TRUE(signed_in);
    EXPECT_EQ(signed_in->status, 303);
    EXPECT_NE(signed_in->get_header_value("Set-Cookie").find("HttpOnly"), std::string::npos);
  }
  int status = 0;
  kill(pid, SIGTERM);
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status)) << pt_test::slurp(log);
  std::filesystem::remove_all(dir);
}

}  // namespace
