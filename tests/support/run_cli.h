// Test helper: run the built `picktune` (or any program) with an argument vector, optional
// stdin text and extra environment, in a given directory; capture stdout, stderr and the exit
// code. posix_spawn, no shell. Copy freely into other test folders.
#pragma once
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace pt_test {

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Runs `argv` (argv[0] is the program path) in `cwd`. `env` entries ("K=V") are added to the
// current environment; `stdin_text` is fed on standard input.
inline CliResult run_cli(const std::vector<std::string>& argv, const std::string& cwd,
                         const std::string& stdin_text = "", const std::vector<std::string>& env = {}) {
  static int counter = 0;
  std::string base = "/tmp/pt_run_cli_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  std::string in_path = base + ".in", out_path = base + ".out", err_path = base + ".err";
  std::ofstream(in_path, std::ios::binary) << stdin_text;

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // Run in `cwd` via a tiny trampoline: posix_spawn has no portable chdir action in glibc 2.36.
  std::vector<std::string> full = {"/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", cwd};
  full.insert(full.end(), argv.begin(), argv.end());
  std::vector<char*> args;
  for (auto& a : full) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) env_store.emplace_back(*e);
  env_store.insert(env_store.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);

  CliResult r;
  pid_t pid;
  if (posix_spawn(&pid, "/bin/sh", &fa, nullptr, args.data(), envp.data()) == 0) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  posix_spawn_file_actions_destroy(&fa);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  std::remove(in_path.c_str());
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return r;
}

}  // namespace pt_test
