// Tests for the `picktune-fake llm` binary the CLI tests and benchmarks use: prints its port,
// serves the APIs, logs one line per call with the trace id header, flushed as it goes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "net/http.h"
#include "support/fakes/fake_llm.h"

namespace pt {
namespace {

struct FakeProcess {
  pid_t pid = -1;
  int port = 0;
  ~FakeProcess() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

void start(FakeProcess& p, std::vector<std::string> args) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  p.pid = fork();
  if (p.pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    std::vector<char*> argv{const_cast<char*>(PICKTUNE_FAKE_BINARY), const_cast<char*>("llm")};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(PICKTUNE_FAKE_BINARY, argv.data());
    _exit(127);
  }
  close(fds[1]);
  FILE* out = fdopen(fds[0], "r");
  char line[64] = {0};
  ASSERT_NE(fgets(line, sizeof line, out), nullptr);
  fclose(out);
  ASSERT_EQ(sscanf(line, "PORT %d", &p.port), 1) << line;
}

TEST(FakeBinary, ServesAndLogsTraceIds) {
  std::string log = ::testing::TempDir() + "/fake-" + std::to_string(getpid()) + ".log";
  std::remove(log.c_str());
  FakeProcess p;
  start(p, {"--log", log, "--seed", "7", "--expect-key", "k1"});
  ASSERT_GT(p.port, 0);
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(p.port) + "/v1/messages";
  r.headers = {{"x-api-key", "k1"},
               {fake::kTraceHeader, "trace-42"},
               {"content-type", "application/json"},
               {"anthropic-version", "2023-06-01"}};
  r.body =
      R"({"model":"m","max_tokens":10,"system":"<project_file_tree>\na.js\nb.js\n</project_file_tree>","messages":[{"role":"user","content":"x"}]})";
  HttpResponse resp = http_call(r);
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_NE(resp.body.find(".js"), std::string::npos);
  r.headers[0].second = "wrong";
  EXPECT_EQ(http_call(r).status, 401);
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "200 POST /v1/messages trace-42 -\n401 POST /v1/messages trace-42 -\n");
  std::remove(log.c_str());
}

TEST(FakeBinary, UnknownServiceIsAUsageError) {
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    execl(PICKTUNE_FAKE_BINARY, PICKTUNE_FAKE_BINARY, "nope", nullptr);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace pt
