// Capture durability: rows pushed while the store fails stay in the spool and land exactly once
// when a later queue replays it; and end to end, `picktune serve` killed with SIGKILL while its
// store is locked loses no acknowledged trace: the restarted server replays them exactly once.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>

#include "server/capture_queue.h"
#include "server/serve_fixture.h"

namespace {

using nlohmann::json;

// A store whose writes fail while `failing` is set (the store "unavailable").
class FlakyStore : public pt::Store {
 public:
  explicit FlakyStore(pt::Store& inner) : inner_(inner) {}
  std::atomic<bool> failing = false;
  std::vector<std::string> upserted;  // ids in the order they were first written
  std::string describe() const override { return "flaky"; }
  pt::Result<void> init() override { return inner_.init(); }
  pt::Result<pt::UpsertStats> upsert(pt::Table t, std::span<const pt::Row> rows) override {
    if (failing) return pt::runtime_error("store unavailable");
    for (const auto& r : rows)
      if (seen_.insert(r.id).second) upserted.push_back(r.id);
    return inner_.upsert(t, rows);
  }
  pt::Result<void> scan(pt::Table t, const pt::RowFilter& f, const std::function<bool(pt::Row&&)>& v) override {
    return inner_.scan(t, f, v);
  }
  pt::Result<int64_t> count(pt::Table t, const pt::RowFilter& f) override { return inner_.count(t, f); }
  pt::Result<std::optional<pt::Row>> get(pt::Table t, const std::string& id) override { return inner_.get(t, id); }

 private:
  pt::Store& inner_;
  std::set<std::string> seen_;
};

pt::server::SpooledRow trace_row(int i) {
  pt::server::SpooledRow r;
  r.row.id = "t" + std::to_string(i);
  r.row.agent_step_id = "s" + std::to_string(i);
  r.row.user_id = "u";
  r.row.created_at_us = 1700000000000000 + i;
  r.row.type = "get-relevant-files";
  r.row.payload = R"({"output":"a.js\n","n":)" + std::to_string(i) + "}";
  return r;
}

TEST(CaptureQueue, RowsSpooledWhileTheStoreFailsAreReplayedExactlyOnce) {
  auto dir = pt_test::fresh_dir("spool-");
  auto inner = std::move(pt::open_store(pt::StoreOptions{"sqlite:" + dir + "/t.db"})).value();
  ASSERT_TRUE(inner->init().ok());
  FlakyStore store(*inner);
  store.failing = true;
  {
    auto q = std::move(pt::server::CaptureQueue::start(store, {dir + "/spool", 2000, 5, 20})).value();
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(q->push(trace_row(i)).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(q->depth(), 50);
    EXPECT_GT(q->spool_bytes(), 0);
    EXPECT_GT(q->failed_commits(), 0);
    q->drain(50);  // gives up: the rows stay in the spool
    EXPECT_EQ(q->written(), 0);
  }
  EXPECT_EQ(*inner->count(pt::Table::traces, {}), 0);
  store.failing = false;
  {
    auto q = std::move(pt::server::CaptureQueue::start(store, {dir + "/spool", 2000, 5, 20})).value();
    EXPECT_EQ(q->replayed(), 50);
    ASSERT_TRUE(q->push(trace_row(50)).ok());
    q->drain();
    EXPECT_EQ(q->written(), 51);
    EXPECT_EQ(q->spool_bytes(), 0);
  }
  EXPECT_EQ(*inner->count(pt::Table::traces, {}), 51);
  auto t7 = *inner->get(pt::Table::traces, "t7");
  ASSERT_TRUE(t7.has_value());
  EXPECT_EQ(t7->agent_step_id, "s7");
  EXPECT_EQ(t7->created_at_us, 1700000000000007);
  EXPECT_EQ(t7->payload, R"({"output":"a.js\n","n":7})");
  // A third start finds nothing left to replay.
  auto q = std::move(pt::server::CaptureQueue::start(store, {dir + "/spool", 2000, 5, 20})).value();
  EXPECT_EQ(q->replayed(), 0);
  q->drain();
  EXPECT_TRUE(std::filesystem::is_empty(dir + "/spool"));
}

TEST(CaptureQueue, TornLastLineIsSkipped) {
  auto dir = pt_test::fresh_dir("spool-torn-");
  std::filesystem::create_directories(dir + "/spool");
  std::ofstream(dir + "/spool/seg-3.jsonl")
      << pt::server::spool_line(trace_row(1)) << "{\"table\":\"traces\",\"id\":\"t2";
  auto store = std::move(pt::open_store(pt::StoreOptions{"sqlite:" + dir + "/t.db"})).value();
  ASSERT_TRUE(store->init().ok());
  auto q = std::move(pt::server::CaptureQueue::start(*store, {dir + "/spool"})).value();
  EXPECT_EQ(q->replayed(), 1);
  q->drain();
  EXPECT_EQ(*store->count(pt::Table::traces, {}), 1);
}

TEST(CaptureQueue, ABacklogOverTheMemoryCapSpillsToTheSpoolAndLosesNothing) {
  auto dir = pt_test::fresh_dir("spool-cap-");
  auto inner = std::move(pt::open_store(pt::StoreOptions{"sqlite:" + dir + "/t.db"})).value();
  ASSERT_TRUE(inner->init().ok());
  FlakyStore store(*inner);
  store.failing = true;  // the backlog builds up behind a store that cannot be written
  pt::server::CaptureQueueOptions opt{dir + "/spool", 7, 2, 5};
  opt.memory_cap_bytes = 4096;
  const std::string bulk(300, 'x');
  auto row = [&](int i) {
    auto r = trace_row(i);
    r.row.payload = R"({"output":")" + bulk + R"(","n":)" + std::to_string(i) + "}";
    return r;
  };
  const int n = 400;
  {
    auto q = std::move(pt::server::CaptureQueue::start(store, opt)).value();
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(q->push(row(i)).ok());
      EXPECT_LE(q->memory_bytes(), opt.memory_cap_bytes) << "after row " << i;
      if (i % 40 == 39) std::this_thread::sleep_for(std::chrono::milliseconds(10));  // several segments
    }
    EXPECT_EQ(q->depth(), n);
    EXPECT_GT(q->spilled_segments(), 0);
    EXPECT_GT(q->spool_bytes(), static_cast<int64_t>(n * bulk.size()));  // all of it still on disk
    store.failing = false;
    q->drain();
    EXPECT_EQ(q->written(), n);
    EXPECT_EQ(q->depth(), 0);
    EXPECT_EQ(q->memory_bytes(), 0);
    EXPECT_EQ(q->spool_bytes(), 0);
  }
  // Every row, once, in the order pushed, with its payload as pushed.
  ASSERT_EQ(store.upserted.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) EXPECT_EQ(store.upserted[i], "t" + std::to_string(i));
  EXPECT_EQ(*inner->count(pt::Table::traces, {}), n);
  for (int i : {0, 123, n - 1}) {
    auto got = *inner->get(pt::Table::traces, "t" + std::to_string(i));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->payload, row(i).row.payload);
    EXPECT_EQ(got->agent_step_id, "s" + std::to_string(i));
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir + "/spool"));
}

TEST(CaptureQueue, ALeftoverSegmentIsReplayedInChunksWithinTheMemoryCap) {
  auto dir = pt_test::fresh_dir("spool-chunks-");
  std::filesystem::create_directories(dir + "/spool");
  {
    std::ofstream seg(dir + "/spool/seg-9.jsonl");
    for (int i = 0; i < 100; ++i) seg << pt::server::spool_line(trace_row(i));
  }
  auto inner = std::move(pt::open_store(pt::StoreOptions{"sqlite:" + dir + "/t.db"})).value();
  ASSERT_TRUE(inner->init().ok());
  struct Counting : FlakyStore {
    using FlakyStore::FlakyStore;
    size_t largest = 0;
    pt::Result<pt::UpsertStats> upsert(pt::Table t, std::span<const pt::Row> rows) override {
      largest = std::max(largest, rows.size());
      return FlakyStore::upsert(t, rows);
    }
  } store(*inner);
  pt::server::CaptureQueueOptions opt{dir + "/spool", 2000, 5, 20};
  opt.memory_cap_bytes = 4 * 1024;  // chunks of ~1 KB of lines: a few rows each
  auto q = std::move(pt::server::CaptureQueue::start(store, opt)).value();
  EXPECT_EQ(q->replayed(), 100);
  EXPECT_EQ(q->memory_bytes(), 0);  // counted, not held
  q->drain();
  EXPECT_EQ(q->written(), 100);
  EXPECT_LT(store.largest, 20u);
  ASSERT_EQ(store.upserted.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(store.upserted[i], "t" + std::to_string(i));
  EXPECT_TRUE(std::filesystem::is_empty(dir + "/spool"));
}

// `picktune serve` as a child process.
struct Child {
  pid_t pid = -1;
  int port = 0;
  std::string log;
  void start(const std::string& dir, const std::string& upstream) {
    port = free_port();
    log = dir + "/serve.log";
    pid = fork();
    if (pid == 0) {
      FILE* f = std::freopen(log.c_str(), "a", stderr);
      (void)f;
      std::string listen = "127.0.0.1:" + std::to_string(port), store = "sqlite:" + dir + "/t.db",
                  spool = dir + "/spool";
      execl(PICKTUNE_BINARY, PICKTUNE_BINARY, "serve", "--store", store.c_str(), "--listen", listen.c_str(), "--spool",
            spool.c_str(), "--anthropic-upstream", upstream.c_str(), "--threads", "16", nullptr);
      _exit(127);
    }
    httplib::Client c("127.0.0.1", port);
    for (int i = 0; i < 1000; ++i) {
      if (auto r = c.Get("/healthz"); r && r->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "serve did not come up: " << pt_test::slurp(log);
  }
  int stop(int sig) {
    int status = 0;
    kill(pid, sig);
    waitpid(pid, &status, 0);
    pid = -1;
    return status;
  }
  ~Child() {
    if (pid > 0) stop(SIGKILL);
  }
  static int free_port() {  // bound, read, closed: free for the child (raced only by unrelated processes)
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      port = ntohs(a.sin_port);
    ::close(fd);
    return port;
  }
};

std::string anthropic_body(int i) {
  return json{
      {"model", "claude-x"},
      {"max_tokens", 64},
      {"system", pt_test::kSystem},
      {"messages",
       json::array({{{"role", "user"}, {"content", std::string(pt_test::kPrompt) + " #" + std::to_string(i)}}})}}
      .dump();
}

TEST(ServeCrash, AcknowledgedTracesSurviveKill9ExactlyOnce) {
  pt::fake::FakeLlm fake{pt::fake::FakeLlmConfig{}};
  auto dir = pt_test::fresh_dir("serve-kill-");
  Child child;
  child.start(dir, fake.base_url());
  // Hold the store's write lock: the server acknowledges calls but cannot commit their traces.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir + "/t.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::set<std::string> acked;
  httplib::Client c("127.0.0.1", child.port);
  for (int i = 0; i < 30; ++i) {
    auto r = c.Post("/anthropic/v1/messages", {{"x-api-key", "k"}, {"anthropic-version", "2023-06-01"}},
                    anthropic_body(i), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    acked.insert(r->get_header_value("X-Picktune-Trace-Id"));
  }
  EXPECT_EQ(acked.size(), 30u);
  auto m = c.Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("picktune_traces_written_total 0"), std::string::npos) << m->body;
  int st = child.stop(SIGKILL);
  EXPECT_TRUE(WIFSIGNALED(st));
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);

  child.start(dir, fake.base_url());
  st = child.stop(SIGTERM);  // graceful stop drains the replayed rows
  ASSERT_TRUE(WIFEXITED(st)) << pt_test::slurp(child.log);
  EXPECT_EQ(WEXITSTATUS(st), 0) << pt_test::slurp(child.log);

  auto store = std::move(pt::open_store(pt::StoreOptions{"sqlite:" + dir + "/t.db"})).value();
  EXPECT_EQ(*store->count(pt::Table::traces, {}), 30);
  for (const auto& id : acked) {
    auto row = *store->get(pt::Table::traces, id);
    ASSERT_TRUE(row.has_value()) << id;
    EXPECT_EQ(json::parse(row->payload)["status"], 200);
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir + "/spool"));
  EXPECT_EQ(pt_test::slurp(child.log).find("\"k\""), std::string::npos);  // no key in the log
}

}  // namespace
