// Shared helpers of the hardening tests: a scratch directory, a seeded RNG whose seed can be
// replayed (PICKTUNE_TEST_SEED), waiting for a spawned child with its resource usage (peak RSS),
// the fake LLM's per-call log, and reading the relabels a store holds. Builds on
// tests/relabel/spawn.h (spawn/kill) and tests/relabel/trace_fixtures.h (realistic traces).
#pragma once
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/relabel/spawn.h"
#include "store/store.h"

extern char** environ;

namespace pt::hardening {

namespace fs = std::filesystem;

// A fresh directory under the temp dir, removed (recursively) at the end of the test.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag) {
    static int counter = 0;
    path_ = fs::temp_directory_path() /
            ("pt-harden-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }
  std::string str(const std::string& name = "") const {
    return name.empty() ? path_.string() : (path_ / name).string();
  }

 private:
  fs::path path_;
};

inline void write_text(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

// The RNG seed of a randomized test: PICKTUNE_TEST_SEED when set (to replay a failure), else random.
inline uint64_t test_seed() {
  if (const char* s = std::getenv("PICKTUNE_TEST_SEED"); s && *s) return std::strtoull(s, nullptr, 10);
  return std::random_device{}();
}

inline int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Like testing::spawn, but with posix_spawn: safe while the test runs threads (an in-process fake)
// and the child never holds a copy of the test's memory (so its ru_maxrss is its own).
inline testing::Child spawn_clean(const std::vector<std::string>& argv,
                                  const std::vector<std::pair<std::string, std::string>>& env,
                                  const std::string& out_path, const std::string& err_path) {
  testing::Child c{-1, out_path, err_path};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) env_store.emplace_back(*e);
  for (const auto& [k, v] : env) env_store.push_back(k + "=" + v);
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  if (posix_spawn(&c.pid, args[0], &fa, nullptr, args.data(), envp.data()) != 0) c.pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return c;
}

// Waits for a spawned child; exit code (or 128 + signal) and its peak RSS in KiB (ru_maxrss).
struct Exit {
  int code = -1;
  long peak_rss_kib = 0;
};
inline Exit wait_with_usage(testing::Child& c) {
  int status = 0;
  struct rusage ru {};
  ::wait4(c.pid, &status, 0, &ru);
  c.pid = -1;
  Exit e;
  e.code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
  e.peak_rss_kib = ru.ru_maxrss;
  return e;
}

// True (and reaped) when the child has already exited.
inline bool exited(testing::Child& c, int* code) {
  int status = 0;
  if (::waitpid(c.pid, &status, WNOHANG) != c.pid) return false;
  c.pid = -1;
  *code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return true;
}

// One line of the fake LLM's log ("STATUS METHOD PATH TRACE FAULT [RECEIVED_US ANSWERED_US]",
// times with `--log-times 1`).
struct FakeLogLine {
  int status = 0;
  std::string path, trace, fault;
  int64_t received_us = 0, at_us = 0;
  // A completion the client received in full (what a relabel is made of).
  bool answered() const { return status == 200 && fault == "-"; }
};

inline std::vector<FakeLogLine> read_fake_log(const std::string& file) {
  std::vector<FakeLogLine> out;
  std::istringstream in(testing::slurp(file));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    FakeLogLine l;
    std::string method;
    if (ls >> l.status >> method >> l.path >> l.trace >> l.fault) {
      ls >> l.received_us >> l.at_us;
      out.push_back(l);
    }
  }
  return out;
}

// Every relabel row of a store (opened afresh, so it sees what other processes committed).
inline std::vector<Row> stored_relabels(const std::string& uri) {
  std::vector<Row> rows;
  auto s = open_store(StoreOptions{uri, "dev"});
  if (!s.ok()) return rows;
  (void)(*s)->scan(Table::relabels, {}, [&](Row&& r) {
    rows.push_back(std::move(r));
    return true;
  });
  return rows;
}

inline std::string payload_field(const Row& r, const char* key) {
  auto j = nlohmann::json::parse(r.payload, nullptr, false);
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

}  // namespace pt::hardening
