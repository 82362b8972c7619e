// Import benchmark (issue 3): generates N synthetic `get-relevant-files` traces with realistic
// ~3 KB payloads (production shape: ids, request kind, system file tree, messages, output) into a
// temp JSONL file, then times `import jsonl` into a fresh SQLite store (target: 1M rows < 20 s).
// Also measures the JSONL row parser alone. Rows: PT_BENCH_ROWS (default 1,000,000).
// Run: ./build/bench_import_sqlite   (PT_BENCH_ROWS=N for fewer rows; PT_BENCH_KEEP=PATH keeps the file)
#include <benchmark/benchmark.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/jsonl_row.h"
#include "pipeline/import/import_jsonl.h"
#include "store/store.h"

namespace {

std::string g_dir, g_file;
int64_t g_rows = 1000000;
int64_t g_bytes = 0;

// One trace line; payload ≈ 3 KB (a file tree of ~70 paths, a request, a 10-file answer).
std::string make_line(std::mt19937_64& rng, int64_t i, const std::vector<std::string>& paths) {
  auto pick = [&] { return paths[rng() % paths.size()]; };
  std::string tree;
  for (int k = 0; k < 70; ++k) tree += pick() + "\\n";
  std::string out;
  for (int k = 0; k < 10; ++k) out += pick() + "\\n";
  char ts[40];
  std::snprintf(ts, sizeof ts, "2025-%02d-%02dT%02d:%02d:%02d.%06dZ", 1 + static_cast<int>(i % 12),
                1 + static_cast<int>(i % 28), static_cast<int>(i % 24), static_cast<int>(i % 60),
                static_cast<int>((i / 60) % 60), static_cast<int>(rng() % 1000000));
  std::string id = std::to_string(rng()) + "-" + std::to_string(i);
  std::string line =
      "{\"id\":\"" + id + "\",\"agent_step_id\":\"step-" + std::to_string(i / 2) + "\",\"user_id\":\"user-" +
      std::to_string(rng() % 5000) + "\",\"created_at\":\"" + ts + "\",\"type\":\"get-relevant-files\",\"payload\":{" +
      "\"user_input_id\":\"ui-" + std::to_string(i) + "\",\"client_session_id\":\"cs-" + std::to_string(i / 10) +
      "\",\"fingerprint_id\":\"fp-" + std::to_string(rng() % 100000) + "\",\"request_type\":\"" +
      (i % 2 ? "Non-Obvious" : "Key") + "\",\"model\":\"gemini-2.0-flash\",\"repo_name\":\"acme/app\"," +
      "\"system\":[{\"type\":\"text\",\"text\":\"You are a file picker.\\n<project_file_tree>\\n" + tree +
      "</project_file_tree>\\n<system_info>linux</system_info>\"}]," +
      "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"<user_request>\\nPlease fix the " +
      "failing login test number " + std::to_string(i) + " and make the session refresh work when the token " +
      "expires; also update the docs.\\n</user_request>\\nRemember to focus on the most important files and " +
      "limit your selection to 10 files.\"}]}],\"output\":\"" + out + "\"}}\n";
  return line;
}

void generate() {
  std::mt19937_64 rng(42);
  std::vector<std::string> paths;
  const char* dirs[] = {"src/auth", "src/api/routes", "lib/session", "test/unit", "docs", "src/components/forms"};
  for (int k = 0; k < 400; ++k) paths.push_back(std::string(dirs[k % 6]) + "/module_" + std::to_string(k) + ".ts");
  std::FILE* f = std::fopen(g_file.c_str(), "wb");
  std::string buf;
  for (int64_t i = 0; i < g_rows; ++i) {
    buf += make_line(rng, i, paths);
    if (buf.size() > (1u << 22)) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      g_bytes += static_cast<int64_t>(buf.size());
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), f);
  g_bytes += static_cast<int64_t>(buf.size());
  std::fclose(f);
}

void BM_ParseJsonlRow(benchmark::State& state) {
  std::mt19937_64 rng(1);
  std::vector<std::string> paths = {"src/a.ts", "src/bb/c.ts", "lib/session/refresh_token.ts"};
  std::string line = make_line(rng, 7, paths);
  line.pop_back();
  pt::JsonlRowParser parser;
  pt::Row row;
  for (auto _ : state) {
    auto t = parser.parse(line, row);
    benchmark::DoNotOptimize(t);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * line.size()));
}
BENCHMARK(BM_ParseJsonlRow);

void BM_ImportJsonlSqlite(benchmark::State& state) {
  for (auto _ : state) {
    std::string db = g_dir + "/bench.db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db + suffix).c_str());
    auto start = std::chrono::steady_clock::now();
    auto store = pt::open_store(pt::StoreOptions{"sqlite:" + db, "dev"});
    if (!store.ok()) return state.SkipWithError(store.error().message.c_str());
    pt::ImportJsonlOptions o;
    o.files = {g_file};
    auto report = pt::import_jsonl(**store, o);
    store->reset();  // close: includes the final WAL checkpoint
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    struct stat st {};
    if (::stat(db.c_str(), &st) == 0) state.counters["db_MB"] = static_cast<double>(st.st_size) / 1e6;
    if (!report.ok()) return state.SkipWithError(report.error().message.c_str());
    state.SetIterationTime(secs);
    state.counters["rows"] = static_cast<double>(report->rows);
    state.counters["rows_per_s"] = static_cast<double>(report->rows) / secs;
    state.counters["MB_per_s"] = static_cast<double>(g_bytes) / 1e6 / secs;
    state.counters["avg_line_bytes"] = static_cast<double>(g_bytes) / static_cast<double>(g_rows);
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db + suffix).c_str());
  }
}
// cpu_time = the whole process's CPU (the import pipelines parsing and writing on two threads).
BENCHMARK(BM_ImportJsonlSqlite)->Iterations(1)->UseManualTime()->MeasureProcessCPUTime()->Unit(benchmark::kSecond);

}  // namespace

int main(int argc, char** argv) {
  if (const char* n = std::getenv("PT_BENCH_ROWS")) g_rows = std::atoll(n);
  const char* tmp = std::getenv("TMPDIR");
  g_dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/pt_bench_import_" + std::to_string(::getpid());
  std::string mk = "mkdir -p '" + g_dir + "'";
  if (std::system(mk.c_str()) != 0) return 1;
  // PT_BENCH_KEEP=PATH: write the generated file to PATH and keep it (for timing the CLI).
  const char* keep = std::getenv("PT_BENCH_KEEP");
  g_file = keep && *keep ? keep : g_dir + "/traces.jsonl";
  auto t0 = std::chrono::steady_clock::now();
  generate();
  std::fprintf(stderr, "generated %lld rows, %.1f MB in %.1f s\n", static_cast<long long>(g_rows), g_bytes / 1e6,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!(keep && *keep)) std::remove(g_file.c_str());
  std::string rm = "rmdir '" + g_dir + "'";
  return std::system(rm.c_str()) == 0 ? 0 : 1;
}
