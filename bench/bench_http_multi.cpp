// Raw network-layer throughput: HttpMulti with 256 requests in flight against a zero-latency
// `picktune-fake llm` in a separate process (found next to this binary), Anthropic-shaped
// requests (~6 KB bodies) and response parsing by the Anthropic model. Reports calls/s and this
// process's peak RSS; the headroom the relabel engine (bench_relabel) builds on.
// Usage: bench_http_multi  (env BENCH_HTTP_CALLS=N, default 20000).
#include <benchmark/benchmark.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/picker_call.h"
#include "net/http.h"
#include "providers/model.h"

namespace {

namespace fs = std::filesystem;

struct FakeProcess {
  pid_t pid = -1;
  std::string base_url;
  fs::path out = fs::temp_directory_path() / ("bench-http-fake-" + std::to_string(getpid()) + ".out");
  FakeProcess() {
    std::string fake = (fs::read_symlink("/proc/self/exe").parent_path() / "picktune-fake").string();
    pid = fork();
    if (pid == 0) {
      if (!std::freopen(out.c_str(), "w", stdout)) _exit(127);
      execl(fake.c_str(), fake.c_str(), "llm", "--threads", "300", static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 1000 && base_url.empty(); ++i) {
      std::ifstream in(out);
      std::string word;
      int port = 0;
      if (in >> word >> port && word == "PORT")
        base_url = "http://127.0.0.1:" + std::to_string(port);
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  // CPU seconds (user + system) the fake has used so far.
  double cpu_s() const {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string field;
    unsigned long long ut = 0, st = 0;
    for (int i = 1; i <= 15 && in >> field; ++i) {
      if (i == 14) ut = std::stoull(field);
      if (i == 15) st = std::stoull(field);
    }
    return static_cast<double>(ut + st) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  ~FakeProcess() {
    if (pid > 0) kill(pid, SIGKILL), waitpid(pid, nullptr, 0);
    std::error_code ec;
    fs::remove(out, ec);
  }
};

std::string payload() {
  std::string tree = "<project_file_tree>\\n";
  for (int i = 0; i < 200; ++i) tree += "src/module" + std::to_string(i) + "/file" + std::to_string(i) + ".ts\\n";
  tree += "</project_file_tree>";
  return R"({"request_type":"Key","system":[{"type":"text","text":")" + tree +
         R"("}],"messages":[{"role":"user","content":"Fix the bug. Limit your selection to 5 files."}]})";
}

void BM_HttpMulti256(benchmark::State& state) {
  FakeProcess fake;
  if (fake.base_url.empty()) return state.SkipWithError("picktune-fake did not start");
  setenv("ANTHROPIC_API_KEY", "bench-key", 1);
  pt::ModelOptions options;
  options.base_url = fake.base_url;
  auto model = pt::make_remote_model("anthropic:claude-opus-4-20250514", options);
  if (!model.ok()) return state.SkipWithError(model.error().message.c_str());
  auto call = pt::parse_picker_call(payload());
  if (!call.ok()) return state.SkipWithError(call.error().message.c_str());
  const char* env = std::getenv("BENCH_HTTP_CALLS");
  const int64_t calls = env ? std::atoll(env) : 20000;
  for (auto _ : state) {
    pt::HttpMulti multi(256);
    int64_t sent = 0, ok = 0;
    auto start = std::chrono::steady_clock::now();
    std::function<void(pt::HttpResponse &&)> on_done = [&](pt::HttpResponse&& r) {
      if ((*model)->parse_response(r).ok()) ++ok;
      if (sent < calls) ++sent, multi.submit(*(*model)->build_request(pt::TeacherInput{&*call, ""}), on_done);
    };
    for (; sent < std::min<int64_t>(calls, 512); ++sent)
      multi.submit(*(*model)->build_request(pt::TeacherInput{&*call, ""}), on_done);
    while (multi.pending() > 0) multi.run_once(100);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.SetIterationTime(secs);
    state.counters["calls_per_s"] = static_cast<double>(ok) / secs;
    state.counters["failed"] = static_cast<double>(calls - ok);
    state.counters["fake_cpu_s"] = fake.cpu_s();
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  state.counters["client_cpu_s"] = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                                   static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  state.counters["peak_rss_MB"] = static_cast<double>(ru.ru_maxrss) / 1024.0;
}
BENCHMARK(BM_HttpMulti256)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
