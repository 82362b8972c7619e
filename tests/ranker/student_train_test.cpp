// `student train` end to end on a SQLite store holding a synthetic git-like history: the time
// split (no held-out trace reaches the model, not even its statistics), the report, the model
// file as `local:student@PATH`, error cases, and the CLI's exit codes.
#include "pipeline/student/student_train.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "core/file_list.h"
#include "core/picker_call.h"
#include "providers/model.h"
#include "ranker/student.h"
#include "ranker/student_format.h"
#include "ranker/synthetic_history.h"
#include "report/student_summary.h"

namespace pt {
namespace {

namespace fs = std::filesystem;

class StudentTrainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("student_train_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    uri_ = "sqlite:" + (dir_ / "store.db").string();
    auto store = open_store(StoreOptions{uri_, "dev"});
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    ASSERT_TRUE(store_->init().ok());
    history_ = ranker::synthetic::make_history(160, 300, 3);
    std::vector<Row> traces, relabels;
    for (auto& r : ranker::synthetic::trace_rows(history_))
      (r.model.empty() ? traces : relabels).push_back(std::move(r));
    ASSERT_TRUE(store_->upsert(Table::traces, traces).ok());
    ASSERT_TRUE(store_->upsert(Table::relabels, relabels).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  StudentTrainConfig config() const {
    StudentTrainConfig c;
    c.teacher = "truth";
    c.output = (dir_ / "model.json").string();
    return c;
  }

  fs::path dir_;
  std::string uri_;
  std::unique_ptr<Store> store_;
  ranker::synthetic::History history_;
};

TEST_F(StudentTrainTest, TrainsOnTheOlderTracesAndValidatesOnTheNewest) {
  auto report = student_train(*store_, config());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->traces_read, 300);
  EXPECT_EQ(report->joined, 300);
  EXPECT_EQ(report->holdout, 60);
  EXPECT_EQ(report->tune, 36);  // 15% of the 240 training traces
  EXPECT_EQ(report->train, 204);
  EXPECT_EQ(report->student.recall5.n, 60u);
  // A small history (204 fit traces): the student still ranks clearly better than path BM25.
  EXPECT_GT(report->student.mrr.mean, report->bm25.mrr.mean + 0.15);
  EXPECT_GT(report->student.recall5.mean, report->bm25.recall5.mean);
  EXPECT_LE(report->student.recall5.lo, report->student.recall5.mean);
  EXPECT_GE(report->student.recall5.hi, report->student.recall5.mean);
  std::string text = format_student_train_report(*report);
  EXPECT_NE(text.find("validation on the newest 60 traces"), std::string::npos);

  auto model = ranker::StudentModel::load(config().output);
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_EQ((*model)->stats.events, 240);  // held-out traces never reach the statistics
  EXPECT_EQ((*model)->meta.train_traces, 240);
  EXPECT_EQ((*model)->meta.teacher, "truth");
}

TEST_F(StudentTrainTest, ModelAnswersAsLocalStudent) {
  ASSERT_TRUE(student_train(*store_, config()).ok());
  auto m = make_local_model("local:student@" + config().output);
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto rows = ranker::synthetic::trace_rows(history_);
  auto call = parse_picker_call(rows[2 * 299].payload);
  ASSERT_TRUE(call.ok());
  auto answer = (*m)->answer(TeacherInput{&*call, ""});
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  auto files = parse_file_list(answer->text);
  EXPECT_FALSE(files.empty());
  for (const auto& f : files)
    EXPECT_NE(std::find(history_.files.begin(), history_.files.end(), f), history_.files.end()) << f;
}

TEST_F(StudentTrainTest, ZeroHoldoutTrainsOnEverythingAndTopKFixesTheLength) {
  auto c = config();
  c.holdout_newest = 0;
  c.top_k = 4;
  auto report = student_train(*store_, c);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->holdout, 0);
  EXPECT_EQ(report->student.recall5.n, 0u);
  auto model = ranker::StudentModel::load(c.output);
  ASSERT_TRUE(model.ok());
  EXPECT_EQ((*model)->stats.events, 300);
  EXPECT_EQ((*model)->calibration.max_k, 4);
}

// Threads only change the speed: 1, 2 and 3 threads write the same model file (but the time).
TEST_F(StudentTrainTest, SameModelForAnyThreadCount) {
  auto without_time = [](const std::string& path) {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto at = text.find("\"trained_at\":");
    EXPECT_NE(at, std::string::npos);
    return text.substr(0, at) + text.substr(text.find('}', at));
  };
  std::string first;
  for (int threads : {1, 2, 3}) {
    auto c = config();
    c.threads = threads;
    auto report = student_train(*store_, c);
    ASSERT_TRUE(report.ok()) << report.error().message;
    if (threads == 1) {
      first = without_time(c.output);
      ASSERT_FALSE(first.empty());
    } else {
      EXPECT_EQ(without_time(c.output), first) << threads << " threads";
    }
  }
  auto c = config();
  c.threads = -1;
  auto r = student_train(*store_, c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::usage);
  EXPECT_NE(r.error().message.find("--threads"), std::string::npos);
}

// Hyper-parameters are chosen on the tune traces (the newest 15% of the training window), never on
// the held-out window: changing the held-out traces' targets changes nothing of the choice;
// changing the tune traces' targets changes the validation scores it was made on.
TEST_F(StudentTrainTest, HyperParametersAreChosenOnTheTuneTracesOnly) {
  auto train_on = [&](const ranker::synthetic::History& h, const std::string& name) {
    auto dir = dir_ / name;
    fs::create_directories(dir);
    auto store = open_store(StoreOptions{"sqlite:" + (dir / "s.db").string(), "dev"});
    EXPECT_TRUE(store.ok());
    EXPECT_TRUE((*store)->init().ok());
    std::vector<Row> traces, relabels;
    for (auto& r : ranker::synthetic::trace_rows(h)) (r.model.empty() ? traces : relabels).push_back(std::move(r));
    EXPECT_TRUE((*store)->upsert(Table::traces, traces).ok());
    EXPECT_TRUE((*store)->upsert(Table::relabels, relabels).ok());
    auto c = config();
    c.output = (dir / "m.json").string();
    c.threads = 2;
    auto report = student_train(**store, c);
    EXPECT_TRUE(report.ok()) << report.error().message;
    auto p = ranker::load_training_provenance(c.output);
    EXPECT_TRUE(p.ok() && p->has_value());
    return **p;
  };
  auto relabelled = [&](size_t from, size_t to) {
    auto h = history_;
    for (size_t c = from; c < to; ++c) h.commits[c].changed = {"package.json"};
    return h;
  };
  const auto base = train_on(history_, "base");
  ASSERT_EQ(base.hyper_trials.size(), 3u);
  EXPECT_EQ(base.hyper_valid_traces, 36);
  ASSERT_GE(base.hyper_chosen, 0);
  for (const auto& t : base.hyper_trials)
    EXPECT_LE(t.valid_recall5, base.hyper_trials[static_cast<size_t>(base.hyper_chosen)].valid_recall5);
  // Traces 240..299 are the held-out window, 204..239 the tune traces.
  const auto held = train_on(relabelled(240, 300), "held");
  ASSERT_EQ(held.hyper_trials.size(), 3u);
  EXPECT_EQ(held.hyper_chosen, base.hyper_chosen);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(held.hyper_trials[k].valid_recall5, base.hyper_trials[k].valid_recall5);
    EXPECT_EQ(held.hyper_trials[k].valid_ndcg, base.hyper_trials[k].valid_ndcg);
    EXPECT_EQ(held.hyper_trials[k].trees, base.hyper_trials[k].trees);
  }
  const auto tune = train_on(relabelled(204, 240), "tune");
  ASSERT_EQ(tune.hyper_trials.size(), 3u);
  for (size_t k = 0; k < 3; ++k) EXPECT_NE(tune.hyper_trials[k].valid_recall5, base.hyper_trials[k].valid_recall5);
  // --no-hyper-search: the defaults, nothing recorded.
  auto c = config();
  c.hyper_search = false;
  ASSERT_TRUE(student_train(*store_, c).ok());
  auto none = ranker::load_training_provenance(c.output);
  ASSERT_TRUE(none.ok() && none->has_value());
  EXPECT_TRUE((*none)->hyper_trials.empty());
}

TEST_F(StudentTrainTest, ErrorsNameTheProblem) {
  auto c = config();
  c.teacher = "anthropic:nobody";
  auto r = student_train(*store_, c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no relabels by teacher \"anthropic:nobody\""), std::string::npos);
  EXPECT_FALSE(fs::exists(c.output));

  c = config();
  c.holdout_newest = 1.5;
  r = student_train(*store_, c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::usage);
  EXPECT_NE(r.error().message.find("--holdout-newest"), std::string::npos);

  c = config();
  c.recipe.request_kinds = {pt::RequestKind::non_obvious};  // the synthetic traces are all Key
  r = student_train(*store_, c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no trace joins a relabel"), std::string::npos);
}

int run(const std::string& args, std::string* out) {
  std::string cmd = std::string(PICKTUNE_BINARY) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Issue 20: --since/--until train on (and hold out from) a time range only; --kinds a subset of kinds.
TEST_F(StudentTrainTest, SinceUntilAndKindsTrainOnASubset) {
  std::vector<int64_t> times;
  RowFilter f;
  f.type = std::string(kGetRelevantFiles);
  f.order = RowFilter::Order::oldest_first;
  ASSERT_TRUE(store_
                  ->scan(Table::traces, f,
                         [&](Row&& r) {
                           times.push_back(r.created_at_us);
                           return true;
                         })
                  .ok());
  ASSERT_EQ(times.size(), 300u);
  ASSERT_LT(times[99], times[100]);
  ASSERT_LT(times[249], times[250]);
  auto c = config();
  c.since_us = times[100];
  c.until_us = times[250];  // exclusive: traces 100..249
  auto report = student_train(*store_, c);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->traces_read, 150);
  EXPECT_EQ(report->holdout, 30);  // the newest 20% of the range, not of the store
  auto model = ranker::StudentModel::load(c.output);
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_EQ((*model)->meta.train_traces, 120);

  // Every synthetic trace is a Key request: training on Non-Obvious only finds nothing to learn.
  c = config();
  c.recipe.request_kinds = {pt::RequestKind::non_obvious};
  auto none = student_train(*store_, c);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("no trace joins"), std::string::npos) << none.error().message;

  std::string out;
  EXPECT_EQ(run("--store " + uri_ + " student train --teacher truth --since 2099-01-01 -o x.json", &out), 1) << out;
  EXPECT_NE(out.find("0 traces read"), std::string::npos) << out;
  out.clear();
  EXPECT_EQ(run("--store " + uri_ + " student train --teacher truth --until someday -o x.json", &out), 2) << out;
  EXPECT_NE(out.find("--until"), std::string::npos) << out;
}

TEST_F(StudentTrainTest, CommandLine) {
  std::string out;
  EXPECT_EQ(
      run("--store " + uri_ + " student train --teacher truth --holdout-newest 0.25 --seed 3 -o " + config().output,
          &out),
      0)
      << out;
  EXPECT_NE(out.find("validation on the newest 75 traces"), std::string::npos) << out;
  EXPECT_NE(out.find("local:bm25"), std::string::npos);
  EXPECT_TRUE(fs::exists(config().output));
  out.clear();
  EXPECT_EQ(run("--store " + uri_ + " student train -o x.json", &out), 2) << out;  // --teacher is required
  out.clear();
  EXPECT_EQ(run("--store " + uri_ + " student train --teacher truth --holdout-newest 2 -o x.json", &out), 2) << out;
  out.clear();
  EXPECT_EQ(run("--store " + uri_ + " student train --teacher truth --kinds Key,Other -o x.json", &out), 2) << out;
  EXPECT_NE(out.find("--kinds"), std::string::npos) << out;
}

}  // namespace
}  // namespace pt
