// Shared by the tests/server tests: a SQLite store in a fresh directory, a strict loopback fake
// upstream (tests/support/fakes) and an in-process `picktune serve` pointed at it, plus a small
// HTTP client for talking to the server as an agent would.
#pragma once
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "server/server.h"
#include "store/store.h"
#include "support/fakes/fake_llm.h"
#include "support/run_cli.h"

namespace pt_test {

inline std::string fresh_dir(const std::string& prefix) {
  static int n = 0;
  std::string d = ::testing::TempDir() + "/" + prefix + std::to_string(::getpid()) + "-" + std::to_string(n++);
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

// A file-picker call as agents send it: file tree in the system prompt, Key prompt last.
inline const char* kSystem =
    "You pick files.\n<project_file_tree>\nsrc/app.js\nsrc/db/users.js\nsrc/routes/login.js\nREADME.md\n"
    "test/login.test.js\n</project_file_tree>";
inline const char* kPrompt =
    "<user_request>fix the login bug</user_request>\nRemember to focus on the most important files and limit "
    "your selection to 3 files.";

struct ServeFixture {
  std::string dir;
  std::unique_ptr<pt::fake::FakeLlm> fake;
  std::unique_ptr<pt::Store> store;
  std::unique_ptr<pt::server::Server> server;
  std::thread thread;

  explicit ServeFixture(pt::fake::FakeLlmConfig fake_config = {}, pt::server::ServeOptions options = {}) {
    dir = fresh_dir("serve-");
    fake_config.expect_key = "sk-test-secret-key";
    fake_config.threads = 16;
    fake = std::make_unique<pt::fake::FakeLlm>(fake_config);
    store = std::move(pt::open_store(pt::StoreOptions{"sqlite:" + dir + "/t.db"})).value();
    EXPECT_TRUE(store->init().ok());
    options.port = 0;
    options.anthropic_upstream = options.openai_upstream = options.gemini_upstream = fake->base_url();
    options.spool_dir = dir + "/spool";
    options.threads = 16;
    options.access_log = false;
    auto s = pt::server::Server::start(*store, options);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    server = std::move(s).value();
    thread = std::thread([this] { server->run(); });
    httplib::Client c("127.0.0.1", server->port());
    for (int i = 0; i < 200 && !c.Get("/healthz"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~ServeFixture() { stop(); }
  // Stops the server and drains the queue: every captured trace is in the store afterwards.
  void stop() {
    if (server) server->stop();
    if (thread.joinable()) thread.join();
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", server->port());
    c.set_read_timeout(20, 0);
    return c;
  }
  nlohmann::json trace(const std::string& id, pt::Row* row_out = nullptr) {
    auto r = store->get(pt::Table::traces, id);
    EXPECT_TRUE(r.ok());
    if (!r.ok() || !r->has_value()) return nullptr;
    if (row_out) *row_out = **r;
    return nlohmann::json::parse((*r)->payload);
  }
};

}  // namespace pt_test
