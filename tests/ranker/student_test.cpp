// Unit tests for the student (ranker/student.h, student_trainer.h, student_format.h): it learns
// a synthetic history well beyond path BM25 and the four-feature logistic baseline, training is
// deterministic for a seed, the model file round-trips, and bad files fail with clear messages.
#include "ranker/student.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "core/metrics.h"
#include "core/picker_call.h"
#include "ranker/baseline_lr.h"
#include "ranker/bm25.h"
#include "ranker/student_trainer.h"
#include "ranker/synthetic_history.h"

namespace pt::ranker {
namespace {

constexpr size_t kCommits = 700, kHoldout = 140;

std::unique_ptr<StudentModel> train(const synthetic::History& h, uint64_t seed,
                                    StudentTrainSummary* summary = nullptr) {
  StudentTrainOptions o;
  o.gbdt.seed = seed;
  o.gbdt.max_trees = 80;
  StudentTrainer t(o);
  const size_t train_n = kCommits - kHoldout, tune_from = train_n - train_n * 15 / 100;
  for (size_t c = 0; c < train_n; ++c) t.add(synthetic::view(h, c), h.commits[c].changed, c >= tune_from);
  StudentMeta meta;
  meta.teacher = "truth";
  meta.trained_at = "2025-01-01T00:00:00Z";
  return t.finish(meta, summary);
}

const synthetic::History& history() {
  static const synthetic::History h = synthetic::make_history(240, kCommits, 11);
  return h;
}

double mean_recall5(const std::vector<std::vector<std::string>>& ranked, const synthetic::History& h) {
  double total = 0;
  for (size_t i = 0; i < ranked.size(); ++i) {
    RankedHits hits = match_paths(ranked[i], h.commits[kCommits - kHoldout + i].changed);
    total += recall_at(hits, 5);
  }
  return total / static_cast<double>(ranked.size());
}

TEST(Student, BeatsBm25AndTheLogisticBaselineOnHeldOutCommits) {
  const auto& h = history();
  StudentTrainSummary summary;
  auto model = train(h, 1, &summary);
  EXPECT_GT(summary.gbdt.trees, 0);
  EXPECT_GT(summary.tune_traces, 0u);
  baseline::LrTrainer lr_trainer;
  for (size_t c = 0; c < kCommits - kHoldout; ++c) lr_trainer.add(synthetic::view(h, c), h.commits[c].changed);
  auto lr = lr_trainer.fit();

  std::vector<std::vector<std::string>> student, bm25, logistic;
  for (size_t c = kCommits - kHoldout; c < kCommits; ++c) {
    TraceView v = synthetic::view(h, c);
    std::vector<std::string> top;
    for (const auto& f : model->score(v)) top.push_back(f.path);
    student.push_back(top);
    top.clear();
    for (const auto& r : bm25_rank_paths(v.files, v.request)) top.push_back(v.files[r.index]);
    bm25.push_back(top);
    logistic.push_back(baseline::lr_rank(lr, lr_trainer.stats(), v, 10));
  }
  double s = mean_recall5(student, h), b = mean_recall5(bm25, h), l = mean_recall5(logistic, h);
  std::printf("synthetic recall@5: student %.3f bm25 %.3f logistic %.3f\n", s, b, l);
  EXPECT_GT(s, b + 0.2) << "student " << s << " bm25 " << b;
  EXPECT_GT(s, l) << "student " << s << " logistic " << l;
}

TEST(Student, TrainingIsDeterministicForASeed) {
  const auto& h = history();
  std::string a = train(h, 5)->serialize(), b = train(h, 5)->serialize();
  EXPECT_EQ(a, b);
  EXPECT_NE(train(h, 6)->serialize(), a);  // the seed drives group subsampling
}

TEST(Student, ModelFileRoundTrips) {
  const auto& h = history();
  auto model = train(h, 2);
  std::string text = model->serialize();
  std::string path = ::testing::TempDir() + "student_roundtrip.json";
  {
    std::ofstream out(path);
    out << text;
  }
  auto loaded = StudentModel::load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ((*loaded)->serialize(), text);
  EXPECT_EQ((*loaded)->meta.teacher, "truth");
  for (size_t c = kCommits - 20; c < kCommits; ++c) {
    TraceView v = synthetic::view(h, c);
    auto a = model->score(v), b = (*loaded)->score(v);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].path, b[i].path);
      EXPECT_EQ(a[i].score, b[i].score);
    }
  }
  std::remove(path.c_str());
}

TEST(Student, RankAnswersFromAPickerCall) {
  const auto& h = history();
  auto model = train(h, 3);
  auto rows = synthetic::trace_rows(h);
  auto call = parse_picker_call(rows[2 * (kCommits - 1)].payload);
  ASSERT_TRUE(call.ok());
  auto three = model->rank(*call, 3);
  EXPECT_EQ(three.size(), 3u);
  auto calibrated = model->rank(*call, 0);
  EXPECT_GE(calibrated.size(), 1u);
  EXPECT_LE(calibrated.size(), static_cast<size_t>(model->calibration.max_k));
  EXPECT_EQ(three[0], calibrated[0]);
  // A Key prompt's limit caps the calibrated answer.
  model->calibration = Calibration{20, std::numeric_limits<double>::infinity()};
  EXPECT_EQ(model->rank(*call, 0).size(), 12u);  // synthetic prompts say "limit ... to 12 files"
}

TEST(Student, CalibrationBalancesRecallAndJaccard) {
  // Two targets, always at ranks 1-2, a clear score gap after them: answer two files.
  std::vector<CalibrationTrace> traces(10, CalibrationTrace{{5, 4.8, 1, 0.9, 0.8, 0.7}, {1, 1, 0, 0, 0, 0}, 2});
  Calibration c = calibrate(traces);
  EXPECT_DOUBLE_EQ(answer_value(c, traces[0]), 2.0);
  // One target ranked 4th every time: recall@5 needs four files.
  traces.assign(10, CalibrationTrace{{5, 4, 3, 2, 1, 0}, {0, 0, 0, 1, 0, 0}, 1});
  c = calibrate(traces);
  EXPECT_GE(c.max_k, 4);
}

TEST(Student, CalibrationIsFittedOnTheRefitModelItIsAppliedTo) {
  const synthetic::History& h = history();
  auto build = [&](bool refit, std::unique_ptr<StudentModel>& model) {
    StudentTrainOptions o;
    o.gbdt.seed = 7;
    o.gbdt.max_trees = 60;
    o.refit_all = refit;
    auto t = std::make_unique<StudentTrainer>(o);
    const size_t train_n = 400, tune_from = 330;
    for (size_t c = 0; c < train_n; ++c) t->add(synthetic::view(h, c), h.commits[c].changed, c >= tune_from);
    model = t->finish(StudentMeta{});
    return t;
  };
  std::unique_ptr<StudentModel> phase1, refit;
  auto t1 = build(false, phase1);
  auto t2 = build(true, refit);
  ASSERT_FALSE(refit->ensemble.trees.empty());
  // The refit model's calibration comes from the refit model's own scores on the tune traces...
  Calibration own = calibrate(t2->tune_traces_scored_by(refit->ensemble));
  EXPECT_EQ(refit->calibration.max_k, own.max_k);
  EXPECT_DOUBLE_EQ(refit->calibration.margin, own.margin);
  // ...not from the phase-1 model's (whose scores are in other units).
  Calibration from_phase1 = calibrate(t2->tune_traces_scored_by(phase1->ensemble));
  EXPECT_EQ(phase1->calibration.max_k, from_phase1.max_k);
  EXPECT_DOUBLE_EQ(phase1->calibration.margin, from_phase1.margin);
  EXPECT_TRUE(own.max_k != from_phase1.max_k || own.margin != from_phase1.margin)
      << "the two models calibrate alike here, so this data cannot tell them apart";
}

std::string model_text_with(const std::string& from, const std::string& to) {
  static const std::string text = train(history(), 4)->serialize();
  std::string t = text;
  size_t at = t.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) t.replace(at, from.size(), to);
  return t;
}

TEST(StudentFormat, RejectsBadFilesWithClearMessages) {
  auto err = [](std::string_view text) {
    auto r = StudentModel::parse(text, "m.json");
    return r.ok() ? std::string("(parsed)") : r.error().message;
  };
  EXPECT_EQ(err("{\"format\": \"something-else\"}"),
            "m.json: not a student model file (\"format\" is not \"picktune-student\")");
  EXPECT_NE(err("{\"format\": \"picktune-student\", ").find("m.json: not a student model file (invalid JSON"),
            std::string::npos);
  EXPECT_EQ(err(model_text_with("\"version\":3", "\"version\":2")),
            "m.json: unsupported student model version 2 (this build reads version 3); retrain with `student train`");
  EXPECT_NE(err(model_text_with("\"bm25_path\"", "\"bm25_other\"")).find("m.json: features:"), std::string::npos);
  EXPECT_NE(err(model_text_with("\"calibration\":{\"max_k\":", "\"calibration\":{\"max_k\":0,\"x\":"))
                .find("calibration.max_k"),
            std::string::npos);
  EXPECT_NE(err(model_text_with("\"files\":[\n[", "\"files\":[\n[7,")).find("m.json: history.files[0]: expected"),
            std::string::npos);
  EXPECT_NE(
      err(model_text_with("\"left\":[1,", "\"left\":[0,")).find("m.json: trees[0].left: child index out of range"),
      std::string::npos);
}

TEST(StudentFormat, BadHistoryRowsNameTheShapeExpected) {
  auto err = [](std::string_view text) {
    auto r = StudentModel::parse(text, "m.json");
    return r.ok() ? std::string("(parsed)") : r.error().message;
  };
  EXPECT_EQ(err(model_text_with("\"files\":[\n[", "\"files\":[\n[7,")),
            "m.json: history.files[0]: expected [path, count, decay_short, decay_long, step]");
  EXPECT_EQ(err(model_text_with("\"dirs\":[[", "\"dirs\":[[7,")), "m.json: history.dirs[0]: expected [name, count]");
  EXPECT_EQ(err(model_text_with("\"exts\":[[", "\"exts\":[[7,")), "m.json: history.exts[0]: expected [name, count]");
  EXPECT_EQ(err(model_text_with("\"words\":[\n[", "\"words\":[\n[7,")),
            "m.json: history.words[0]: expected [word, events, files, dirs, exts]");
}

TEST(StudentFormat, MissingFileIsAnError) {
  auto r = StudentModel::load("/nonexistent/dir/model.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "/nonexistent/dir/model.json: cannot open student model file");
}

}  // namespace
}  // namespace pt::ranker
