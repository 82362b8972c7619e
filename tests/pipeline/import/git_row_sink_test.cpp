// Tests for GitRowSink: a long run of batches keeps only about three batches of rows in memory
// (each freed once written), every row reaches the store in batch order with the store used by one
// thread at a time, a failed write fails the batches after it without writing them, and with a
// store that groups upserts, batches share a transaction of kCommitRows traces (counted only once
// committed; a failure or an unflushed sink rolls the open one back).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "pipeline/import/git_row_sink.h"
#include "store/memory/memory_store.h"

namespace pt {
namespace {

// Passes upserts to a MemoryStore; slows each down a little (so batches pile up if the sink let
// them), records the order of trace batches and whether two upserts ever overlapped, and fails
// the traces upsert of batch number `fail_batch` (1-based; 0 = never).
class WatchedStore final : public Store {
 public:
  explicit WatchedStore(int fail_batch = 0) : fail_batch_(fail_batch) {}
  std::string describe() const override { return "watched"; }
  Result<void> init() override { return inner_.init(); }
  Result<UpsertStats> upsert(Table t, std::span<const Row> rows) override {
    if (busy_.exchange(true)) overlapped_ = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    Result<UpsertStats> r = ok_or_fail(t, rows);
    busy_ = false;
    return r;
  }
  Result<void> scan(Table t, const RowFilter& f, const std::function<bool(Row&&)>& visit) override {
    return inner_.scan(t, f, visit);
  }
  Result<int64_t> count(Table t, const RowFilter& f) override { return inner_.count(t, f); }
  Result<std::optional<Row>> get(Table t, const std::string& id) override { return inner_.get(t, id); }

  std::vector<std::string> first_ids;  // the first trace id of each traces upsert, in call order
  bool overlapped() const { return overlapped_; }

 private:
  Result<UpsertStats> ok_or_fail(Table t, std::span<const Row> rows) {
    if (t == Table::traces) {
      first_ids.push_back(rows.empty() ? "" : rows.front().id);
      if (static_cast<int>(first_ids.size()) == fail_batch_) return runtime_error("disk full");
    }
    return inner_.upsert(t, rows);
  }
  MemoryStore inner_;
  int fail_batch_;
  std::atomic<bool> busy_{false}, overlapped_{false};
};

std::string id_of(int i) { return "git:" + std::to_string(100000 + i) + ":key"; }

GitTraceRows rows_for(int i, size_t payload = 4000) {
  GitTraceRows r;
  r.trace = Row{id_of(i),
                "git:" + std::to_string(100000 + i),
                "u",
                i,
                "get-relevant-files",
                "",
                R"({"request_type":"Key","system":")" + std::string(payload, 'x') + R"("})"};
  r.truth = Row{"truth:" + std::to_string(i), r.trace.agent_step_id, "u", i, "", "truth", R"({"files":["a"]})"};
  return r;
}

TEST(GitRowSink, FreesEachBatchOnceWrittenSoMemoryStaysAtAboutThreeBatches) {
  constexpr size_t kBatch = 20;
  WatchedStore store;
  GitRowSink sink(store, kBatch, nullptr);
  size_t most = 0;
  for (int i = 0; i < 600; ++i) {
    ASSERT_TRUE(sink.add(rows_for(i)).ok());
    most = std::max(most, sink.rows_held());
  }
  // The batch being filled plus at most two in flight.
  EXPECT_LE(most, 3 * kBatch);
  EXPECT_GE(most, kBatch);
  ASSERT_TRUE(sink.flush().ok());
  EXPECT_EQ(sink.rows_held(), 0u);
  EXPECT_EQ(sink.traces.inserted, 600);
  EXPECT_EQ(sink.relabels.inserted, 600);
  EXPECT_EQ(*store.count(Table::traces, RowFilter{}), 600);
  EXPECT_EQ(*store.count(Table::relabels, RowFilter{}), 600);
  EXPECT_FALSE(store.overlapped());
  ASSERT_EQ(store.first_ids.size(), 30u);
  for (size_t b = 0; b < store.first_ids.size(); ++b)
    EXPECT_EQ(store.first_ids[b], id_of(static_cast<int>(b * kBatch)));
}

TEST(GitRowSink, AFailedWriteFailsTheBatchesAfterItWithoutWritingThem) {
  constexpr size_t kBatch = 10;
  WatchedStore store(/*fail_batch=*/3);
  Result<void> failed = ok();
  {
    GitRowSink sink(store, kBatch, nullptr);
    for (int i = 0; i < 200 && failed.ok(); ++i) failed = sink.add(rows_for(i));
    if (failed.ok()) failed = sink.flush();
    EXPECT_EQ(sink.traces.inserted, 20);  // batches 1 and 2
  }
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("disk full"), std::string::npos) << failed.error().message;
  EXPECT_EQ(*store.count(Table::traces, RowFilter{}), 20);
  EXPECT_EQ(*store.count(Table::relabels, RowFilter{}), 20);
  EXPECT_EQ(store.first_ids.size(), 3u);  // nothing tried after the failure
}

// A store that groups upserts the way SQLite does: a group's upserts reach the inner store on
// commit_group() or not at all; a failed upsert rolls the group back. Fails the traces upsert of
// the `fail_upsert`-th traces upsert (1-based; 0 = never).
class GroupingStore final : public Store {
 public:
  explicit GroupingStore(int fail_upsert = 0) : fail_upsert_(fail_upsert) {}
  std::string describe() const override { return "grouping"; }
  Result<void> init() override { return inner_.init(); }
  bool groups_upserts() const override { return true; }
  Result<void> begin_group() override {
    if (open_) return usage_error("already open");
    open_ = true;
    return ok();
  }
  Result<void> commit_group() override {
    if (!open_) return usage_error("no group");
    for (auto& [t, rows] : held_) PT_TRY(inner_.upsert(t, rows));
    held_.clear();
    open_ = false;
    ++commits;
    return ok();
  }
  void rollback_group() override {
    if (open_) ++rollbacks;
    held_.clear();
    open_ = false;
  }
  Result<UpsertStats> upsert(Table t, std::span<const Row> rows) override {
    if (t == Table::traces && ++traces_upserts_ == fail_upsert_) {
      rollback_group();
      return runtime_error("disk full");
    }
    if (!open_) return inner_.upsert(t, rows);
    held_.emplace_back(t, std::vector<Row>(rows.begin(), rows.end()));
    return UpsertStats{static_cast<int64_t>(rows.size()), 0, 0};
  }
  Result<void> scan(Table t, const RowFilter& f, const std::function<bool(Row&&)>& visit) override {
    return inner_.scan(t, f, visit);
  }
  Result<int64_t> count(Table t, const RowFilter& f) override { return inner_.count(t, f); }
  Result<std::optional<Row>> get(Table t, const std::string& id) override { return inner_.get(t, id); }

  int commits = 0, rollbacks = 0;

 private:
  MemoryStore inner_;
  bool open_ = false;
  int fail_upsert_;
  int traces_upserts_ = 0;
  std::vector<std::pair<Table, std::vector<Row>>> held_;
};

TEST(GitRowSink, BatchesShareATransactionOfCommitRowsTraces) {
  constexpr size_t kBatch = 500;
  const int n = static_cast<int>(GitRowSink::kCommitRows * 2 + kBatch * 3 + 7);  // two full groups and a part
  GroupingStore store;
  GitRowSink sink(store, kBatch, nullptr);
  for (int i = 0; i < n; ++i) ASSERT_TRUE(sink.add(rows_for(i, 10)).ok());
  ASSERT_TRUE(sink.flush().ok());
  EXPECT_EQ(store.commits, 3);
  EXPECT_EQ(store.rollbacks, 0);
  EXPECT_EQ(sink.traces.inserted, n);
  EXPECT_EQ(sink.relabels.inserted, n);
  EXPECT_EQ(*store.count(Table::traces, RowFilter{}), n);
  EXPECT_EQ(*store.count(Table::relabels, RowFilter{}), n);
}

TEST(GitRowSink, AFailedWriteRollsBackItsWholeTransactionAndCountsOnlyWhatWasCommitted) {
  constexpr size_t kBatch = 1000;
  const int per_group = static_cast<int>(GitRowSink::kCommitRows / kBatch);
  GroupingStore store(/*fail_upsert=*/per_group + 3);  // the third batch of the second group
  Result<void> failed = ok();
  {
    GitRowSink sink(store, kBatch, nullptr);
    for (int i = 0; i < 40000 && failed.ok(); ++i) failed = sink.add(rows_for(i, 10));
    if (failed.ok()) failed = sink.flush();
    EXPECT_EQ(sink.traces.inserted, per_group * static_cast<int>(kBatch));  // the first group only
  }
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("disk full"), std::string::npos) << failed.error().message;
  EXPECT_EQ(store.commits, 1);
  EXPECT_EQ(*store.count(Table::traces, RowFilter{}), per_group * static_cast<int64_t>(kBatch));
  EXPECT_EQ(*store.count(Table::relabels, RowFilter{}), per_group * static_cast<int64_t>(kBatch));
}

TEST(GitRowSink, AnUnflushedSinkCommitsNothingOfItsOpenTransaction) {
  GroupingStore store;
  {
    GitRowSink sink(store, 100, nullptr);
    for (int i = 0; i < 1050; ++i) ASSERT_TRUE(sink.add(rows_for(i, 10)).ok());
  }  // e.g. the history's reader failed: no flush
  EXPECT_EQ(store.commits, 0);
  EXPECT_EQ(store.rollbacks, 1);
  EXPECT_EQ(*store.count(Table::traces, RowFilter{}), 0);
}

}  // namespace
}  // namespace pt
