// Issue 17: a student is never scored on what it trained on without saying so. The model file
// records its training traces; `eval relabel` / `eval score` refuse (exit 2) to score it on any of
// them unless --allow-training-overlap, which marks every output IN-SAMPLE; with no selection flag
// the student is scored on exactly the window it held out. And `--newest F` is one window in every
// command: `student train --holdout-newest F` holds out exactly what `eval relabel --newest F` sends
// (1, 7, 300 and 5,488 traces — the size of the express history).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "pipeline/eval/eval_relabel.h"
#include "pipeline/student/student_train.h"
#include "ranker/student_format.h"
#include "ranker/synthetic_history.h"
#include "store/newest_window.h"
#include "support/run_cli.h"

namespace pt {
namespace {

namespace fs = std::filesystem;

class TrainingOverlap : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pt-overlap-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    uri_ = "sqlite:" + (dir_ / "store.db").string();
    model_ = (dir_ / "student.json").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A fresh store holding `commits` synthetic traces, each with its git `truth` relabel.
  std::unique_ptr<Store> fill(size_t commits) {
    auto store = open_store(StoreOptions{uri_, "dev"});
    EXPECT_TRUE(store.ok());
    EXPECT_TRUE((*store)->init().ok());
    auto history = ranker::synthetic::make_history(120, commits, 5);
    std::vector<Row> traces, relabels;
    for (auto& r : ranker::synthetic::trace_rows(history)) (r.model.empty() ? traces : relabels).push_back(r);
    EXPECT_TRUE((*store)->upsert(Table::traces, traces).ok());
    EXPECT_TRUE((*store)->upsert(Table::relabels, relabels).ok());
    return std::move(*store);
  }

  pt_test::CliResult pt(std::vector<std::string> args) {
    args.insert(args.begin(), {PICKTUNE_BINARY, "--store", uri_});
    return pt_test::run_cli(args, dir_.string());
  }

  // Trace ids `model` has answers for (eval relabel stores them as relabels of that model).
  std::set<std::string> answered(Store& store, const std::string& model) {
    std::set<std::string> ids;
    RowFilter f;
    f.model = model;
    EXPECT_TRUE(store
                    .scan(Table::relabels, f,
                          [&](Row&& row) {
                            ids.insert(nlohmann::json::parse(row.payload).value("trace_id", ""));
                            return true;
                          })
                    .ok());
    return ids;
  }

  std::set<std::string> all_trace_ids(Store& store) {
    std::set<std::string> ids;
    EXPECT_TRUE(store
                    .scan(Table::traces, RowFilter{},
                          [&](Row&& row) {
                            ids.insert(row.id);
                            return true;
                          })
                    .ok());
    return ids;
  }

  fs::path dir_;
  std::string uri_, model_;
};

TEST(NewestWindowSize, CeilingAtLeastOneNeverMoreThanAll) {
  EXPECT_EQ(newest_window_size(0.2, 300), 60);  // not 61: 0.2 x 300 is 60.000000000000007
  EXPECT_EQ(newest_window_size(0.2, 1), 1);
  EXPECT_EQ(newest_window_size(0.2, 7), 2);
  EXPECT_EQ(newest_window_size(0.2, 5488), 1098);
  EXPECT_EQ(newest_window_size(0, 50), 0);
  EXPECT_EQ(newest_window_size(1, 50), 50);
  EXPECT_EQ(newest_window_size(0.5, 0), 0);
}

// What `eval relabel --newest F` sends is the newest_window() that `student train` holds out.
TEST_F(TrainingOverlap, EvalRelabelNewestSendsTheWindowOnOneAndSevenTraces) {
  for (size_t n : {1u, 7u}) {
    fs::remove_all(dir_ / "store.db");
    auto store = fill(n);
    auto window = newest_window(*store, RowFilter{}, 0.2);
    ASSERT_TRUE(window.ok());
    EXPECT_EQ(window->ids.size(), static_cast<size_t>(newest_window_size(0.2, static_cast<int64_t>(n))));
    auto r = pt({"eval", "relabel", "--models", "local:bm25", "--newest", "0.2", "--progress", "none"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    std::set<std::string> sent = answered(*store, "local:bm25");
    EXPECT_EQ(sent, std::set<std::string>(window->ids.begin(), window->ids.end())) << n << " traces";
  }
}

// The student's held-out traces (all minus the ones its model file says it trained on) are exactly
// what `eval relabel --newest F` sends, on 300 and on 5,488 traces.
TEST_F(TrainingOverlap, StudentHoldoutEqualsEvalRelabelWindow) {
  for (size_t n : {300u, 5488u}) {
    fs::remove_all(dir_ / "store.db");
    auto store = fill(n);
    StudentTrainConfig c;
    c.teacher = "truth";
    c.output = model_;
    c.holdout_newest = 0.2;
    auto report = student_train(*store, c);
    ASSERT_TRUE(report.ok()) << report.error().message;
    auto prov = ranker::load_training_provenance(model_);
    ASSERT_TRUE(prov.ok()) << prov.error().message;
    ASSERT_TRUE(prov->has_value());
    const auto& p = **prov;
    EXPECT_EQ(p.teacher, "truth");
    EXPECT_EQ(p.traces_total, static_cast<int64_t>(n));
    EXPECT_EQ(p.holdout_traces, newest_window_size(0.2, static_cast<int64_t>(n)));
    EXPECT_EQ(p.train_traces + p.holdout_traces, static_cast<int64_t>(n));
    EXPECT_EQ(report->holdout, p.holdout_traces);
    EXPECT_FALSE(p.cutoff.empty());
    std::set<std::string> held = all_trace_ids(*store);
    for (const auto& id : p.trace_ids) held.erase(id);

    auto r = pt({"eval", "relabel", "--models", "local:bm25", "--newest", "0.2", "--progress", "none"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(answered(*store, "local:bm25"), held) << n << " traces";
  }
}

TEST_F(TrainingOverlap, ScoringAStudentOnItsTrainingTracesExits2UnlessAllowedThenMarksInSample) {
  auto store = fill(300);
  StudentTrainConfig c;
  c.teacher = "truth";
  c.output = model_;
  c.holdout_newest = 0.2;
  ASSERT_TRUE(student_train(*store, c).ok());
  const std::string student = "local:student@" + model_;

  // --newest 0.5: 150 traces, 90 of them training traces.
  auto r = pt({"eval", "relabel", "--models", student, "--newest", "0.5", "--progress", "none"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("trained on 90 of the 150 selected traces"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--allow-training-overlap"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--newest 0.2"), std::string::npos) << r.err;
  EXPECT_TRUE(answered(*store, student).empty());  // refused before sending anything

  // Default (no selection flag): exactly the window it held out, out of sample.
  r = pt({"eval", "relabel", "--models", student, "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(answered(*store, student).size(), 60u);
  EXPECT_EQ(r.err.find("IN-SAMPLE"), std::string::npos) << r.err;
  auto s = pt({"eval", "score", "--models", student, "--reference", "truth", "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.out << s.err;
  auto j = nlohmann::json::parse(s.out);
  EXPECT_EQ(j["in_sample"], false);
  EXPECT_EQ(j["students"][0]["selected"], 60);
  EXPECT_EQ(j["students"][0]["in_sample_traces"], 0);

  // Allowed: answers stored, and every output says IN-SAMPLE.
  r = pt({"eval", "relabel", "--models", student, "--newest", "0.5", "--allow-training-overlap", "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("IN-SAMPLE"), std::string::npos) << r.err;
  EXPECT_EQ(answered(*store, student).size(), 150u);

  s = pt({"eval", "score", "--models", student, "--reference", "truth", "--newest", "0.5"});
  EXPECT_EQ(s.exit_code, 2) << s.out << s.err;
  EXPECT_NE(s.err.find("trained on 90 of the 150 selected traces"), std::string::npos) << s.err;

  const std::string report = (dir_ / "report.html").string();
  s = pt({"eval", "score", "--models", student, "--reference", "truth", "--newest", "0.5", "--allow-training-overlap",
          "--report", report});
  ASSERT_EQ(s.exit_code, 0) << s.out << s.err;
  EXPECT_NE(s.out.find("IN-SAMPLE"), std::string::npos) << s.out;
  EXPECT_NE(s.err.find("IN-SAMPLE"), std::string::npos) << s.err;
  EXPECT_NE(pt_test::slurp(report).find("IN-SAMPLE"), std::string::npos);
  s = pt({"eval", "score", "--models", student, "--reference", "truth", "--newest", "0.5", "--allow-training-overlap",
          "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.out << s.err;
  j = nlohmann::json::parse(s.out);
  EXPECT_EQ(j["in_sample"], true);
  EXPECT_EQ(j["students"][0]["in_sample_traces"], 90);
  EXPECT_EQ(j["students"][0]["in_sample"], true);
}

TEST(TrainingProvenanceFormat, RoundTripsAndNamesTheBadField) {
  ranker::TrainingProvenance p;
  p.teacher = "truth";
  p.store = "sqlite:x.db";
  p.holdout_newest = 0.2;
  p.cutoff = "2020-01-01T00:00:00Z";
  p.traces_total = 3;
  p.train_traces = 2;
  p.holdout_traces = 1;
  p.trace_ids = {"b", "a"};
  std::string text = ranker::add_training_provenance("{\"format\":\"picktune-student\"}\n", p);
  auto back = ranker::read_training_provenance(text, "m.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ((*back)->trace_ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE((*back)->trained_on("a"));
  EXPECT_FALSE((*back)->trained_on("c"));
  EXPECT_EQ((*back)->cutoff, p.cutoff);
  auto none = ranker::read_training_provenance("{\"format\":\"picktune-student\"}", "m.json");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto bad = ranker::read_training_provenance("{\"provenance\":{\"teacher\":1}}", "m.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("m.json: provenance.teacher"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace pt
