// Spawning the `picktune` and `picktune-fake` binaries from tests: fork/exec with extra
// environment variables, stdout/stderr captured to files, wait / kill by pid.
#pragma once
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace pt::testing {

struct Child {
  pid_t pid = -1;
  std::string out_path, err_path;
};

// Starts argv[0] with `env` added to the environment; stdout/stderr go to the given files.
inline Child spawn(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env,
                   const std::string& out_path, const std::string& err_path) {
  Child c{-1, out_path, err_path};
  c.pid = fork();
  if (c.pid == 0) {
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    if (!std::freopen(out_path.c_str(), "w", stdout) || !std::freopen(err_path.c_str(), "w", stderr)) _exit(127);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return c;
}

// Exit code, or 128 + signal.
inline int wait_child(Child& c) {
  int status = 0;
  waitpid(c.pid, &status, 0);
  c.pid = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Waits (up to timeout) for the first line "PORT n" of a `picktune-fake` child's stdout.
inline int wait_for_port(const Child& c, int timeout_ms = 10000) {
  for (int waited = 0; waited < timeout_ms; waited += 10) {
    std::string out = slurp(c.out_path);
    auto at = out.find("PORT ");
    if (at != std::string::npos && out.find('\n', at) != std::string::npos) return std::stoi(out.substr(at + 5));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

}  // namespace pt::testing
