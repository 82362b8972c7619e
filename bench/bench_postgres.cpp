// PostgreSQL store benchmark (issue 9): generates N synthetic `get-relevant-files` traces with
// ~3 KB production-shaped payloads into a temp JSONL file, then times (1) `import jsonl` into a
// fresh schema of the server in PICKTUNE_BENCH_PG_URI / PICKTUNE_TEST_PG_URI (target: 1M < 60 s),
// the same import again (all unchanged), and (2) streaming every row back out, newest first: a bare scan() and a full
// JSONL export to /dev/null (target: 1M < 20 s). Issue 22's peer: `psql \copy` of the same rows
// (dumped from the imported table in COPY text format, untimed) into a fresh schema made by the
// store, timed as a whole psql process (target: our import ≥ 0.8× its rows/s).
// Rows: PT_BENCH_ROWS (default 1,000,000). Run:
// PICKTUNE_TEST_PG_URI=$(scripts/pg_test_server.sh start /tmp/pg) ./build/bench_postgres
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "pipeline/export/export_rows.h"
#include "pipeline/import/import_jsonl.h"
#include "store/store.h"

namespace {

std::string g_base_uri, g_schema, g_file;
int64_t g_rows = 1000000;
int64_t g_bytes = 0;

std::string store_uri(const std::string& schema) {
  return g_base_uri + (g_base_uri.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
}
std::string store_uri() { return store_uri(g_schema); }

// Runs psql on `schema` with one meta-command (the URI, a throwaway loopback server's, reaches
// psql through the shell's environment).
bool psql(const std::string& schema, const std::string& command) {
  ::setenv("PT_BENCH_PSQL_URI", store_uri(schema).c_str(), 1);
  std::string quoted = "'";
  for (char c : command) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  quoted += "'";
  int rc =
      std::system(("psql -X -q -v ON_ERROR_STOP=1 -d \"$PT_BENCH_PSQL_URI\" -c " + quoted + " >/dev/null").c_str());
  return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

void admin(const std::string& sql) {
  pqxx::connection c(g_base_uri);
  pqxx::nontransaction n(c);
  n.exec(sql);
}

// One trace line; payload ≈ 3 KB (a file tree of ~70 paths, a request, a 10-file answer).
std::string make_line(std::mt19937_64& rng, int64_t i, const std::vector<std::string>& paths) {
  auto pick = [&] { return paths[rng() % paths.size()]; };
  std::string tree, out;
  for (int k = 0; k < 70; ++k) tree += pick() + "\\n";
  for (int k = 0; k < 10; ++k) out += pick() + "\\n";
  char ts[40];
  std::snprintf(ts, sizeof ts, "2025-%02d-%02dT%02d:%02d:%02d.%06dZ", 1 + static_cast<int>(i % 12),
                1 + static_cast<int>(i % 28), static_cast<int>(i % 24), static_cast<int>(i % 60),
                static_cast<int>((i / 60) % 60), static_cast<int>(rng() % 1000000));
  return "{\"id\":\"" + std::to_string(rng()) + "-" + std::to_string(i) + "\",\"agent_step_id\":\"step-" +
         std::to_string(i / 2) + "\",\"user_id\":\"user-" + std::to_string(rng() % 5000) + "\",\"created_at\":\"" + ts +
         "\",\"type\":\"get-relevant-files\",\"payload\":{\"user_input_id\":\"ui-" + std::to_string(i) +
         "\",\"client_session_id\":\"cs-" + std::to_string(i / 10) + "\",\"fingerprint_id\":\"fp-" +
         std::to_string(rng() % 100000) + "\",\"request_type\":\"" + (i % 2 ? "Non-Obvious" : "Key") +
         "\",\"model\":\"gemini-2.0-flash\",\"repo_name\":\"acme/app\"," +
         "\"system\":[{\"type\":\"text\",\"text\":\"You are a file picker.\\n<project_file_tree>\\n" + tree +
         "</project_file_tree>\\n<system_info>linux</"
         "system_info>\"}],\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\"," +
         "\"text\":\"<user_request>\\nPlease fix the failing login test number " + std::to_string(i) +
         " and make the session refresh work when the token expires; also update the "
         "docs.\\n</user_request>\\nRemember to " +
         "focus on the most important files and limit your selection to 10 files.\"}]}],\"output\":\"" + out + "\"}}\n";
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
    if (buf.size() > (1u << 22) || i + 1 == g_rows) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      g_bytes += static_cast<int64_t>(buf.size());
      buf.clear();
    }
  }
  std::fclose(f);
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void BM_ImportJsonlPostgres(benchmark::State& state) {
  for (auto _ : state) {
    admin("DROP SCHEMA IF EXISTS " + g_schema + " CASCADE; CREATE SCHEMA " + g_schema);
    auto t0 = std::chrono::steady_clock::now();
    auto store = pt::open_store(pt::StoreOptions{store_uri(), "dev"});
    if (!store.ok()) return state.SkipWithError(store.error().message.c_str());
    pt::ImportJsonlOptions o;
    o.files = {g_file};
    auto report = pt::import_jsonl(**store, o);
    double secs = since(t0);
    if (!report.ok()) return state.SkipWithError(report.error().message.c_str());
    state.SetIterationTime(secs);
    state.counters["rows"] = static_cast<double>(report->rows);
    state.counters["rows_per_s"] = static_cast<double>(report->rows) / secs;
    state.counters["MB_per_s"] = static_cast<double>(g_bytes) / 1e6 / secs;
  }
}
BENCHMARK(BM_ImportJsonlPostgres)->Iterations(1)->UseManualTime()->MeasureProcessCPUTime()->Unit(benchmark::kSecond);

// The same file again: every id is stored, every row unchanged (lookups + one UPDATE per batch
// that changes nothing).
void BM_ImportAgainPostgres(benchmark::State& state) {
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    auto store = pt::open_store(pt::StoreOptions{store_uri(), "dev"});
    if (!store.ok()) return state.SkipWithError(store.error().message.c_str());
    pt::ImportJsonlOptions o;
    o.files = {g_file};
    auto report = pt::import_jsonl(**store, o);
    double secs = since(t0);
    if (!report.ok()) return state.SkipWithError(report.error().message.c_str());
    state.SetIterationTime(secs);
    state.counters["unchanged"] = static_cast<double>(report->traces.unchanged);
    state.counters["rows_per_s"] = static_cast<double>(report->rows) / secs;
  }
}
BENCHMARK(BM_ImportAgainPostgres)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

// The peer (issue 22): psql's client-side COPY of the same rows into the same schema.
void BM_PsqlCopyPostgres(benchmark::State& state) {
  const std::string copy_schema = g_schema + "_psql";
  const std::string dump = g_file + ".copy";
  const std::string cols = "id, agent_step_id, user_id, created_at, type, payload_text, request_type";
  if (!psql(g_schema, "\\copy (SELECT " + cols + " FROM traces) TO '" + dump + "'"))
    return state.SkipWithError("psql \\copy TO failed (is BM_ImportJsonlPostgres run first?)");
  for (auto _ : state) {
    admin("DROP SCHEMA IF EXISTS " + copy_schema + " CASCADE; CREATE SCHEMA " + copy_schema);
    {
      auto store = pt::open_store(pt::StoreOptions{store_uri(copy_schema), "dev"});  // the same tables and indexes
      if (!store.ok()) return state.SkipWithError(store.error().message.c_str());
      if (auto r = (*store)->init(); !r.ok()) return state.SkipWithError(r.error().message.c_str());
    }
    auto t0 = std::chrono::steady_clock::now();
    bool ok = psql(copy_schema, "\\copy traces(" + cols + ") FROM '" + dump + "'");
    double secs = since(t0);
    if (!ok) return state.SkipWithError("psql \\copy FROM failed");
    pqxx::connection c(store_uri(copy_schema));
    pqxx::nontransaction n(c);
    double rows = static_cast<double>(n.exec1("SELECT count(*) FROM traces")[0].as<int64_t>());
    state.SetIterationTime(secs);
    state.counters["rows"] = rows;
    state.counters["rows_per_s"] = rows / secs;
  }
  std::remove(dump.c_str());
  admin("DROP SCHEMA IF EXISTS " + copy_schema + " CASCADE");
}
BENCHMARK(BM_PsqlCopyPostgres)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

void BM_ScanPostgres(benchmark::State& state) {
  for (auto _ : state) {
    auto store = pt::open_store(pt::StoreOptions{store_uri(), "dev"});
    if (!store.ok()) return state.SkipWithError(store.error().message.c_str());
    auto t0 = std::chrono::steady_clock::now();
    int64_t rows = 0, bytes = 0;
    auto r = (*store)->scan(pt::Table::traces, {}, [&](pt::Row&& row) {
      ++rows;
      bytes += static_cast<int64_t>(row.payload.size());
      return true;
    });
    double secs = since(t0);
    if (!r.ok()) return state.SkipWithError(r.error().message.c_str());
    state.SetIterationTime(secs);
    state.counters["rows"] = static_cast<double>(rows);
    state.counters["rows_per_s"] = static_cast<double>(rows) / secs;
    state.counters["payload_MB"] = static_cast<double>(bytes) / 1e6;
  }
}
BENCHMARK(BM_ScanPostgres)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

void BM_ExportJsonlPostgres(benchmark::State& state) {
  for (auto _ : state) {
    auto store = pt::open_store(pt::StoreOptions{store_uri(), "dev"});
    if (!store.ok()) return state.SkipWithError(store.error().message.c_str());
    std::FILE* devnull = std::fopen("/dev/null", "wb");
    auto t0 = std::chrono::steady_clock::now();
    pt::ExportOptions o;
    auto n = pt::export_rows(**store, o, devnull);
    double secs = since(t0);
    std::fclose(devnull);
    if (!n.ok()) return state.SkipWithError(n.error().message.c_str());
    state.SetIterationTime(secs);
    state.counters["rows"] = static_cast<double>(*n);
    state.counters["rows_per_s"] = static_cast<double>(*n) / secs;
  }
}
BENCHMARK(BM_ExportJsonlPostgres)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

}  // namespace

int main(int argc, char** argv) {
  const char* uri = std::getenv("PICKTUNE_BENCH_PG_URI");
  if (!uri || !*uri) uri = std::getenv("PICKTUNE_TEST_PG_URI");
  if (!uri || !*uri) {
    std::fprintf(
        stderr,
        "bench_postgres: set PICKTUNE_BENCH_PG_URI or PICKTUNE_TEST_PG_URI (scripts/pg_test_server.sh start)\n");
    return 1;
  }
  g_base_uri = uri;
  g_schema = "pt_bench_" + std::to_string(::getpid());
  if (const char* n = std::getenv("PT_BENCH_ROWS")) g_rows = std::atoll(n);
  const char* tmp = std::getenv("TMPDIR");
  g_file = std::string(tmp && *tmp ? tmp : "/tmp") + "/pt_bench_pg_" + std::to_string(::getpid()) + ".jsonl";
  auto t0 = std::chrono::steady_clock::now();
  generate();
  std::fprintf(stderr, "generated %lld rows, %.1f MB in %.1f s\n", static_cast<long long>(g_rows), g_bytes / 1e6,
               since(t0));
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::remove(g_file.c_str());
  try {
    admin("DROP SCHEMA IF EXISTS " + g_schema + " CASCADE");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_postgres: dropping schema %s: %s\n", g_schema.c_str(), e.what());
  }
  return 0;
}
