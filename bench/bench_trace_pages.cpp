// Benchmark for the /traces pages of `picktune serve` (issue 19): one page of 50 traces, newest
// first, from a SQLite store of PT_BENCH_TRACES traces (default 1,000,000), by keyset (the
// store's RowFilter::after, what the page uses) at the top, in the middle and at the end of the
// table, with and without filters, and the whole page (store read + view + HTML). The peer,
// measured in the same run on the same file: the same middle page by LIMIT/OFFSET in plain SQL.
// Target: a page < 100 ms on 1M traces. Run: ./build/bench_trace_pages (PT_BENCH_TRACES=N).
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>

#include "report/html/browser_views.h"
#include "server/pages/page_data.h"
#include "store/trace_page.h"
#include "support/eval_rows.h"

namespace {

namespace fs = std::filesystem;

int64_t g_traces = 1'000'000;
fs::path g_dir;
std::unique_ptr<pt::Store> g_store;

constexpr int64_t kT0 = 1'700'000'000'000'000;

// Trace i: one a second, 20 users, kinds alternating, a small tree and a distinct request.
pt::Row make(int64_t i) {
  static const std::vector<std::string> tree = {"src/app.js", "src/db/users.js", "src/routes/login.js", "README.md"};
  pt::Row r =
      pt::test::make_trace("trace-" + std::to_string(i), "step-" + std::to_string(i / 2), i % 2 ? "Non-Obvious" : "Key",
                           kT0 + i * 1'000'000, tree, "change number " + std::to_string(i));
  r.user_id = "user" + std::to_string(i % 20);
  return r;
}

void fill() {
  g_dir = fs::temp_directory_path() / ("pt-bench-pages-" + std::to_string(getpid()));
  fs::create_directories(g_dir);
  g_store = std::move(pt::open_store(pt::StoreOptions{"sqlite:" + (g_dir / "t.db").string()})).value();
  if (!g_store->init().ok()) std::abort();
  std::vector<pt::Row> batch;
  for (int64_t i = 0; i < g_traces; ++i) {
    batch.push_back(make(i));
    if (batch.size() == 20000 || i + 1 == g_traces) {
      if (!g_store->upsert(pt::Table::traces, batch).ok()) std::abort();
      batch.clear();
    }
  }
}

pt::TracePageQuery at(double fraction) {
  pt::TracePageQuery q;
  if (fraction > 0) {
    int64_t i = static_cast<int64_t>(static_cast<double>(g_traces - 1) * (1 - fraction));
    q.filter.after = pt::RowFilter::Keyset{kT0 + i * 1'000'000, "trace-" + std::to_string(i)};
  }
  return q;
}

void run_page(benchmark::State& state, pt::TracePageQuery q) {
  size_t rows = 0;
  for (auto _ : state) {
    auto page = pt::trace_page(*g_store, q);
    if (!page.ok()) state.SkipWithError(page.error().message.c_str());
    rows = page.ok() ? page->rows.size() : 0;
    benchmark::DoNotOptimize(page);
  }
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["traces"] = static_cast<double>(g_traces);
}

void BM_KeysetPage(benchmark::State& state) { run_page(state, at(static_cast<double>(state.range(0)) / 100)); }
BENCHMARK(BM_KeysetPage)->Arg(0)->Arg(50)->Arg(99)->Unit(benchmark::kMillisecond);

void BM_KeysetPageUserAndKind(benchmark::State& state) {
  pt::TracePageQuery q = at(0.5);
  q.filter.user_id = "user7";
  q.filter.request_kind = pt::RequestKind::non_obvious;
  run_page(state, q);
}
BENCHMARK(BM_KeysetPageUserAndKind)->Unit(benchmark::kMillisecond);

void BM_KeysetPageTimeRange(benchmark::State& state) {
  pt::TracePageQuery q = at(0.5);
  q.filter.since_us = kT0 + g_traces / 4 * 1'000'000;
  q.filter.until_us = kT0 + g_traces / 3 * 1'000'000;
  q.filter.after.reset();
  run_page(state, q);
}
BENCHMARK(BM_KeysetPageTimeRange)->Unit(benchmark::kMillisecond);

// The whole middle page as the server builds it: store read, view, HTML.
void BM_TracesPageHtml(benchmark::State& state) {
  pt::TracePageQuery q = at(0.5);
  pt::server::Params p{{"after", pt::format_cursor(*q.filter.after)}};
  size_t bytes = 0;
  for (auto _ : state) {
    auto v = pt::server::trace_list_view(*g_store, p);
    if (!v.ok()) state.SkipWithError(v.error().message.c_str());
    bytes = v.ok() ? pt::render_trace_list_page(*v).size() : 0;
  }
  state.counters["html_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_TracesPageHtml)->Unit(benchmark::kMillisecond);

// Peer: the middle page by OFFSET (what a naive pager does), same file, same index.
void BM_OffsetPagePeer(benchmark::State& state) {
  sqlite3* db = nullptr;
  sqlite3_open_v2((g_dir / "t.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT id, agent_step_id, user_id, created_at, type, payload FROM traces "
                     "ORDER BY created_at DESC, id DESC LIMIT 51 OFFSET ?1",
                     -1, &s, nullptr);
  int64_t rows = 0;
  for (auto _ : state) {
    sqlite3_bind_int64(s, 1, g_traces / 2);
    rows = 0;
    while (sqlite3_step(s) == SQLITE_ROW) ++rows;
    sqlite3_reset(s);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_OffsetPagePeer)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  if (const char* n = std::getenv("PT_BENCH_TRACES")) g_traces = std::max<int64_t>(1000, std::atoll(n));
  benchmark::Initialize(&argc, argv);
  fill();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  g_store.reset();
  fs::remove_all(g_dir);
  return 0;
}
