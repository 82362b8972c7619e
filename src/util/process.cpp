// Implementation of util/process.h: posix_spawnp + poll over stdout/stderr pipes.
#include "util/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

extern char** environ;

namespace pt {
namespace {

// Variables that would point git at another repository than the one we name with -C.
constexpr std::string_view kDroppedEnv[] = {"GIT_DIR=",
                                            "GIT_WORK_TREE=",
                                            "GIT_INDEX_FILE=",
                                            "GIT_OBJECT_DIRECTORY=",
                                            "GIT_ALTERNATE_OBJECT_DIRECTORIES=",
                                            "GIT_COMMON_DIR=",
                                            "GIT_NAMESPACE=",
                                            "GIT_CEILING_DIRECTORIES="};

std::vector<std::string> child_environment(const GitCommand& cmd) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view var(*e);
    bool drop = false;
    for (auto prefix : kDroppedEnv) drop = drop || var.substr(0, prefix.size()) == prefix;
    for (const auto& [k, v] : cmd.env)
      drop = drop || (var.size() > k.size() && var.substr(0, k.size()) == k && var[k.size()] == '=');
    if (!drop) env.emplace_back(var);
  }
  for (const auto& [k, v] : cmd.env) env.push_back(k + "=" + v);
  env.emplace_back("GIT_TERMINAL_PROMPT=0");
  return env;
}

// "git log" for messages: the first argument that is not an option (nor the value of -C / -c).
std::string describe(const GitCommand& cmd) {
  for (size_t i = 0; i < cmd.args.size(); ++i) {
    const std::string& a = cmd.args[i];
    if (a == "-C" || a == "-c")
      ++i;
    else if (!a.empty() && a[0] != '-')
      return "git " + a;
  }
  return "git";
}

std::string first_lines(const std::string& text) {
  std::string out;
  size_t pos = 0;
  for (int n = 0; n < 2 && pos < text.size(); ++n) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    if (line.empty()) continue;
    if (!out.empty()) out += "; ";
    out += line;
  }
  return out;
}

struct Pipes {
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  ~Pipes() {
    for (int fd : {out[0], out[1], err[0], err[1]})
      if (fd >= 0) ::close(fd);
  }
};

Result<pid_t> spawn(const GitCommand& cmd, Pipes& p, const std::string& stdin_path) {
  if (::pipe2(p.out, O_CLOEXEC) != 0 || ::pipe2(p.err, O_CLOEXEC) != 0)
    return runtime_error(fmt::format("cannot create pipe: {}", std::strerror(errno)));
  std::vector<std::string> args{"git"};
  args.insert(args.end(), cmd.args.begin(), cmd.args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = child_environment(cmd);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, p.out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, p.err[1], 2);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, "git", &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return runtime_error(fmt::format("cannot run git: {}", std::strerror(rc)));
  ::close(p.out[1]);
  ::close(p.err[1]);
  p.out[1] = p.err[1] = -1;
  return pid;
}

int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

Result<void> stream_git(const GitCommand& cmd, const std::string& stdin_path,
                        const std::function<Result<void>(std::string_view)>& on_output) {
  Pipes p;
  PT_ASSIGN_OR_RETURN(pid_t pid, spawn(cmd, p, stdin_path));
  std::string err_text;
  std::vector<char> buf(1 << 16);
  Result<void> failure;
  bool out_open = true, err_open = true;
  while ((out_open || err_open) && failure.ok()) {
    pollfd fds[2] = {{out_open ? p.out[0] : -1, POLLIN, 0}, {err_open ? p.err[0] : -1, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      failure = runtime_error(fmt::format("poll failed: {}", std::strerror(errno)));
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        (i == 0 ? out_open : err_open) = false;
      } else if (i == 0) {
        failure = on_output(std::string_view(buf.data(), static_cast<size_t>(n)));
        if (!failure.ok()) break;
      } else if (err_text.size() < (1 << 16)) {
        err_text.append(buf.data(), static_cast<size_t>(n));
      }
    }
  }
  if (!failure.ok()) {
    ::kill(pid, SIGTERM);
    reap(pid);
    return failure;
  }
  int status = reap(pid);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return ok();
  std::string why = first_lines(err_text);
  if (why.empty()) why = WIFEXITED(status) ? fmt::format("exit code {}", WEXITSTATUS(status)) : "killed by a signal";
  return runtime_error(fmt::format("{}: {}", describe(cmd), why));
}

}  // namespace

Result<void> run_git_streaming(const GitCommand& cmd, const std::function<Result<void>(std::string_view)>& on_output) {
  return stream_git(cmd, "/dev/null", on_output);
}

Result<std::string> run_git_with_input(const GitCommand& cmd, const std::string& stdin_path) {
  std::string out;
  PT_TRY(stream_git(cmd, stdin_path, [&](std::string_view chunk) -> Result<void> {
    out.append(chunk);
    return ok();
  }));
  return out;
}

Result<std::string> run_git(const GitCommand& cmd) { return run_git_with_input(cmd, "/dev/null"); }

Result<TempDir> TempDir::create(std::string_view prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string templ = fmt::format("{}/{}XXXXXX", base && *base ? base : "/tmp", prefix);
  if (!::mkdtemp(templ.data()))
    return runtime_error(fmt::format("cannot create a temporary directory {}: {}", templ, std::strerror(errno)));
  return TempDir(std::move(templ));
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace pt
