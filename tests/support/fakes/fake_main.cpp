// `picktune-fake`: runs a loopback fake service until killed, for CLI tests, benchmarks and the
// kill -9 test. `picktune-fake llm [--fail-rate F] [--seed S] [--latency-ms N] [--log FILE]
// [--expect-key K] [--retry-after S] [--timeout-ms N] [--threads N] [--log-times 1]` prints "PORT <n>" on stdout,
// then serves. main() dispatches on the first argument so other fakes (e.g. `tuning`) can join.
#ifdef PICKTUNE_FAKE_MAIN
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "support/fakes/fake_llm.h"

namespace {

int usage() {
  std::fprintf(
      stderr,
      "usage: picktune-fake llm [--fail-rate F] [--seed S] [--latency-ms N] [--log FILE] [--expect-key K]\n"
      "                         [--retry-after S] [--timeout-ms N] [--threads N] [--fail-first N] [--log-times 0|1]\n");
  return 2;
}

int run_llm(int argc, char** argv) {
  pt::fake::FakeLlmConfig cfg;
  for (int i = 2; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) return usage();
    const char* v = argv[++i];
    if (flag == "--fail-rate")
      cfg.fail_rate = std::atof(v);
    else if (flag == "--seed")
      cfg.seed = std::strtoull(v, nullptr, 10);
    else if (flag == "--latency-ms")
      cfg.latency_ms = std::atoi(v);
    else if (flag == "--log")
      cfg.log_path = v;
    else if (flag == "--expect-key")
      cfg.expect_key = v;
    else if (flag == "--retry-after")
      cfg.retry_after = v;
    else if (flag == "--timeout-ms")
      cfg.timeout_ms = std::atoi(v);
    else if (flag == "--threads")
      cfg.threads = std::atoi(v);
    else if (flag == "--fail-first")
      cfg.fail_first_n = std::atoi(v);
    else if (flag == "--log-times")
      cfg.log_times = std::atoi(v) != 0;
    else
      return usage();
  }
  cfg.record_calls = false;  // a long-running server keeps counters and the log only
  pt::fake::FakeLlm server(cfg);
  std::printf("PORT %d\n", server.port());
  std::fflush(stdout);
  while (true) std::this_thread::sleep_for(std::chrono::hours(1));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  if (std::strcmp(argv[1], "llm") == 0) return run_llm(argc, argv);
  std::fprintf(stderr, "picktune-fake: unknown service '%s'\n", argv[1]);
  return usage();
}
#endif  // PICKTUNE_FAKE_MAIN
