// Relabel orchestration throughput: run_relabel over N stored traces against a zero-latency fake
// Anthropic server in a separate process (`picktune-fake llm`, found next to this binary), with
// 256 requests in flight. Counts calls/s end to end (selection, prompt building, HTTP, parsing,
// pricing, committing rows to SQLite) and this process's peak RSS. Target: >= 2,000 calls/s and
// < 200 MB RSS. Usage: bench_relabel [--benchmark_filter=...]  (env BENCH_RELABEL_TRACES=N).
#include <benchmark/benchmark.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "pipeline/relabel/relabel.h"
#include "pipeline/relabel/trace_fixtures.h"
#include "report/relabel_progress.h"

namespace {

namespace fs = std::filesystem;

// The fake LLM as a child process; returns its base URL.
struct FakeProcess {
  pid_t pid = -1;
  std::string base_url;
  fs::path out;
  FakeProcess() {
    fs::path self = fs::read_symlink("/proc/self/exe");
    std::string fake = (self.parent_path() / "picktune-fake").string();
    out = fs::temp_directory_path() / fmt::format("bench-relabel-fake-{}.out", getpid());
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
      if (in >> word >> port && word == "PORT" && port > 0)
        base_url = fmt::format("http://127.0.0.1:{}", port);
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~FakeProcess() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    std::error_code ec;
    fs::remove(out, ec);
  }
};

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

double process_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void BM_RelabelThroughput(benchmark::State& state) {
  const int n = std::getenv("BENCH_RELABEL_TRACES") ? std::atoi(std::getenv("BENCH_RELABEL_TRACES")) : 20000;
  const int concurrency = static_cast<int>(state.range(0));
  FakeProcess fake;
  if (fake.base_url.empty()) {
    state.SkipWithError("picktune-fake did not start (build the picktune-fake target)");
    return;
  }
  setenv("ANTHROPIC_API_KEY", "sk-ant-bench", 1);
  pt::ModelOptions mo;
  mo.base_url = fake.base_url;
  auto model = pt::make_model("anthropic:claude-sonnet-4", mo);
  if (!model.ok()) {
    state.SkipWithError(model.error().message.c_str());
    return;
  }
  int64_t calls = 0;
  double engine_cpu_s = 0;
  for (auto _ : state) {
    state.PauseTiming();
    fs::path db = fs::temp_directory_path() / fmt::format("bench-relabel-{}.db", getpid());
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
    auto store = pt::open_store({"sqlite:" + db.string(), "dev"});
    if (!store.ok() || !(*store)->init().ok()) {
      state.SkipWithError("cannot open the store");
      return;
    }
    for (int first = 0; first < n; first += 1000) {  // in chunks, so setup does not inflate peak RSS
      std::vector<pt::Row> rows;
      for (int i = first; i < std::min(n, first + 1000); ++i)
        rows.push_back(pt::testing::picker_trace(i, i % 2 ? "Non-Obvious" : "Key"));
      if (!(*store)->upsert(pt::Table::traces, rows).ok()) {
        state.SkipWithError("cannot load traces");
        return;
      }
    }
    pt::RelabelOptions o;
    o.concurrency = concurrency;
    if (std::getenv("BENCH_RELABEL_PROGRESS"))
      o.on_progress = pt::RelabelProgressBar(stderr, 0, 1);  // plain lines every second
    state.ResumeTiming();

    double cpu0 = process_cpu_s();
    auto s = pt::run_relabel(**store, **model, o);
    engine_cpu_s += process_cpu_s() - cpu0;

    state.PauseTiming();
    if (!s.ok() || s->done != n) {
      state.SkipWithError(s.ok() ? "not every trace was stored" : s.error().message.c_str());
      return;
    }
    calls += s->calls;
    store->reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
    state.ResumeTiming();
  }
  state.counters["calls_per_s"] = benchmark::Counter(static_cast<double>(calls), benchmark::Counter::kIsRate);
  // The engine's own cost (this process's CPU: selection, curl, parsing, SQLite commits) per call;
  // on a shared machine the fake server, not the engine, is usually what limits calls_per_s.
  state.counters["engine_cpu_us_per_call"] = calls ? engine_cpu_s * 1e6 / static_cast<double>(calls) : 0;
  state.counters["peak_rss_mb"] = peak_rss_mb();
  state.counters["traces"] = n;
}

BENCHMARK(BM_RelabelThroughput)->Arg(256)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
