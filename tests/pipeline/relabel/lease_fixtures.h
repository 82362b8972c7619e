// Shared helpers of the relabel lease tests (relabel_leases_test, relabel_batch_leases_test): the
// wall clock in µs, a store opened and initialised by URI, traces written into it, its relabel
// count, a `picktune relabel` process started against a fake teacher and what its summary says.
#pragma once
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/relabel/spawn.h"
#include "pipeline/relabel/trace_fixtures.h"
#include "store/store.h"

namespace pt::testing {

inline int64_t wall_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline std::unique_ptr<Store> open_initialised(const std::string& uri) {
  auto s = open_store(StoreOptions{uri, "dev"});
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  if (!s.ok()) return nullptr;
  EXPECT_TRUE((*s)->init().ok());
  return std::move(s).value();
}

// picker_trace(0 … n-1) into the store.
inline void fill_traces(const std::string& uri, int n) {
  auto s = open_initialised(uri);
  ASSERT_TRUE(s);
  std::vector<Row> rows;
  for (int i = 0; i < n; ++i) rows.push_back(picker_trace(i));
  ASSERT_TRUE(s->upsert(Table::traces, rows).ok());
}

inline int64_t relabels_in(const std::string& uri) {
  auto s = open_initialised(uri);
  auto n = s ? s->count(Table::relabels, {}) : Result<int64_t>(runtime_error("no store"));
  return n.ok() ? *n : -1;
}

// N of the summary's "…, N claimed by another run of this teacher" (0 when absent).
inline int64_t claimed_elsewhere(const std::string& out) {
  auto at = out.find(" claimed by another run");
  if (at == std::string::npos) return 0;
  auto comma = out.rfind(", ", at);
  return std::stoll(out.substr(comma + 2, at - comma - 2));
}

// `picktune relabel --teacher TEACHER --store URI …extra` with the fake's URL and `key`; output in DIR/TAG.out|err.
inline Child relabel_process(const std::string& teacher, const std::string& key, const std::string& uri,
                             const std::string& base_url, const std::string& dir, const std::string& tag,
                             const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv = {PICKTUNE_BINARY, "relabel", "--teacher",  teacher, "--store",   uri,
                                   "--concurrency", "6",       "--progress", "none",  "--timeout", "5"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return spawn(argv, {{"ANTHROPIC_API_KEY", key}, {"ANTHROPIC_BASE_URL", base_url}}, dir + "/" + tag + ".out",
               dir + "/" + tag + ".err");
}

}  // namespace pt::testing
