// Progress during the student's fit (issue 20): StudentTrainer::finish reports every tree it
// builds (the early-stopped fit, then the refit) through the one Progress sink, begin() first and
// finish() last; the CLI's ProgressPrinter on stderr is rate-limited, and none of it reaches the
// report printed on stdout.
#include <gtest/gtest.h>

#include <algorithm>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/student/student_train.h"
#include "ranker/synthetic_history.h"
#include "report/student_summary.h"
#include "util/progress.h"

namespace pt {
namespace {

namespace fs = std::filesystem;

struct RecordingProgress final : Progress {
  struct Update {
    int64_t done, total;
  };
  int begins = 0, updates_before_begin = 0;
  std::vector<Update> updates;
  std::vector<int64_t> finishes;
  void begin() override { ++begins; }
  void update(int64_t done, int64_t total) override {
    if (begins == 0) ++updates_before_begin;
    updates.push_back({done, total});
  }
  void finish(int64_t done) override { finishes.push_back(done); }
};

class FitProgressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fit_progress_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto store = open_store(StoreOptions{"sqlite:" + (dir_ / "store.db").string(), "dev"});
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    ASSERT_TRUE(store_->init().ok());
    auto history = ranker::synthetic::make_history(160, 300, 3);
    std::vector<Row> traces, relabels;
    for (auto& r : ranker::synthetic::trace_rows(history))
      (r.model.empty() ? traces : relabels).push_back(std::move(r));
    ASSERT_TRUE(store_->upsert(Table::traces, traces).ok());
    ASSERT_TRUE(store_->upsert(Table::relabels, relabels).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }
  StudentTrainConfig config() const {
    StudentTrainConfig c;
    c.teacher = "truth";
    c.output = (dir_ / "model.json").string();
    c.threads = 1;
    return c;
  }
  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(FitProgressTest, EveryTreeOfTheFitAndTheRefitIsCounted) {
  RecordingProgress fit;
  StudentTrainConfig c = config();
  c.fit_progress = &fit;
  auto report = student_train(*store_, c);
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_GT(report->tune, 0) << "the fixture must exercise the refit";
  EXPECT_EQ(fit.begins, 1);
  EXPECT_EQ(fit.updates_before_begin, 0);
  ASSERT_FALSE(fit.updates.empty());
  // One update per tree, counting up by one across both phases.
  for (size_t i = 0; i < fit.updates.size(); ++i) {
    EXPECT_EQ(fit.updates[i].done, static_cast<int64_t>(i + 1));
    EXPECT_LE(fit.updates[i].done, fit.updates[i].total);
  }
  // Phase 1 against (fits + 1) x max_trees (every fit of the validation search, or the one fit, plus
  // the refit at most), then the refit against its known size.
  const int64_t max_trees = ranker::GbdtParams{}.max_trees;
  const int64_t fits = std::max<int64_t>(1, static_cast<int64_t>(report->summary.trials.size()));
  size_t phase1 = 0;
  while (phase1 < fit.updates.size() && fit.updates[phase1].total == (fits + 1) * max_trees) ++phase1;
  ASSERT_GT(phase1, 0u);
  ASSERT_LT(phase1, fit.updates.size()) << "no refit updates";
  const int64_t final_trees = report->summary.gbdt.trees;
  EXPECT_EQ(fit.updates.back().total, static_cast<int64_t>(phase1) + final_trees);
  EXPECT_EQ(fit.updates.size() - phase1, static_cast<size_t>(final_trees)) << "the refit builds the chosen count";
  ASSERT_EQ(fit.finishes.size(), 1u);
  EXPECT_EQ(fit.finishes[0], fit.updates.back().done);
}

TEST_F(FitProgressTest, PrinterIsRateLimitedAndStaysOutOfTheReport) {
  std::FILE* err = std::tmpfile();
  ASSERT_NE(err, nullptr);
  double now = 0;
  int64_t calls = 0;
  // Each clock read advances 0.25 s: a line at most every 5 s of that clock.
  ProgressPrinter printer(err, "student train: fit", "trees built", false, 5.0, [&] {
    ++calls;
    return now += 0.25;
  });
  StudentTrainConfig c = config();
  c.fit_progress = &printer;
  auto report = student_train(*store_, c);
  ASSERT_TRUE(report.ok()) << report.error().message;
  std::rewind(err);
  std::string text;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, err)) > 0;) text.append(buf, n);
  std::fclose(err);
  size_t lines = 0, progress_lines = 0;
  for (size_t pos = 0, nl; (nl = text.find('\n', pos)) != std::string::npos; pos = nl + 1) {
    ++lines;
    std::string_view line(text.data() + pos, nl - pos);
    if (line.starts_with("student train: fit: ") && line.find("trees built (") != std::string_view::npos)
      ++progress_lines;
  }
  const double clock_span = 0.25 * static_cast<double>(calls);
  EXPECT_GE(progress_lines, 1u) << text;
  EXPECT_LE(static_cast<double>(progress_lines), clock_span / 5.0 + 1) << text;
  EXPECT_NE(text.find("student train: fit: done, "), std::string::npos) << text;
  EXPECT_EQ(lines, progress_lines + 1) << text;
  EXPECT_EQ(format_student_train_report(*report).find("student train: fit"), std::string::npos);
}

}  // namespace
}  // namespace pt
