// A general student (issue 21): `student train` on several stores at once (each store one
// repository's history: its own statistics, its own held-out window, its provenance in the model
// file) and the cold start `local:student@FILE?history=none` on a repository the model has never
// seen. Synthetic histories of tests/ranker/synthetic_history.h in SQLite stores.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "core/picker_call.h"
#include "pipeline/eval/eval_provenance.h"
#include "pipeline/student/student_train.h"
#include "providers/model.h"
#include "ranker/student.h"
#include "ranker/student_format.h"
#include "ranker/student_trainer.h"
#include "ranker/synthetic_history.h"
#include "store/newest_window.h"
#include "support/run_cli.h"
#include "util/atomic_file.h"

namespace pt {
namespace {

namespace fs = std::filesystem;

// A history's rows with their ids made the store's own ("git:syn" -> "git:TAG"), as two real
// repositories' commits never share an id.
std::vector<Row> tagged_rows(const ranker::synthetic::History& h, const std::string& tag) {
  auto retag = [&](std::string s) {
    for (size_t at = s.find("git:syn"); at != std::string::npos; at = s.find("git:syn", at + 1))
      s.replace(at, 7, "git:" + tag);
    return s;
  };
  std::vector<Row> rows = ranker::synthetic::trace_rows(h);
  for (auto& r : rows) {
    r.id = retag(r.id);
    r.agent_step_id = retag(r.agent_step_id);
    r.payload = retag(r.payload);
  }
  return rows;
}

std::string slurp_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// `picktune ARGS...`: exit code, stdout + stderr.
int run_picktune(std::vector<std::string> args, std::string* out) {
  args.insert(args.begin(), PICKTUNE_BINARY);
  pt_test::CliResult r = pt_test::run_cli(args, fs::current_path().string());
  *out = r.out + r.err;
  return r.exit_code;
}

class StudentStoresTest : public ::testing::Test {
 protected:
  struct Repo {
    std::string uri;
    std::unique_ptr<Store> store;
    ranker::synthetic::History history;
  };

  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("student_stores_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ::setenv("PICKTUNE_STUDENTS", (dir_ / "students.json").c_str(), 1);
    make_repo(a_, "a", 3, 200);
    make_repo(b_, "b", 5, 200);
    make_repo(c_, "c", 9, 60);  // the repository no model has seen
  }
  void TearDown() override { fs::remove_all(dir_); }

  void make_repo(Repo& r, const std::string& tag, uint64_t seed, size_t commits) {
    r.uri = "sqlite:" + (dir_ / (tag + ".db")).string();
    r.store = std::move(open_store(StoreOptions{r.uri, "dev"})).value();
    ASSERT_TRUE(r.store->init().ok());
    r.history = ranker::synthetic::make_history(160, commits, seed);
    std::vector<Row> traces, relabels;
    for (auto& row : tagged_rows(r.history, tag)) (row.model.empty() ? traces : relabels).push_back(std::move(row));
    ASSERT_TRUE(r.store->upsert(Table::traces, traces).ok());
    ASSERT_TRUE(r.store->upsert(Table::relabels, relabels).ok());
  }

  StudentTrainConfig config(const std::string& file) const {
    StudentTrainConfig c;
    c.teacher = "truth";
    c.threads = 2;
    c.output = (dir_ / file).string();
    return c;
  }

  static std::vector<std::string> ids(Store& store, bool held_out) {
    RowFilter f;
    f.type = std::string(kGetRelevantFiles);
    auto window = newest_window(store, f, 0.2);
    EXPECT_TRUE(window.ok());
    std::set<std::string> held(window->ids.begin(), window->ids.end());
    std::vector<std::string> out;
    EXPECT_TRUE(store
                    .scan(Table::traces, f,
                          [&](Row&& r) {
                            if (held.count(r.id) == (held_out ? 1u : 0u)) out.push_back(r.id);
                            return true;
                          })
                    .ok());
    return out;
  }

  // The answers of `model_id` to every trace of `repo`.
  static std::vector<std::string> answers(const std::string& model_id, Repo& repo) {
    auto model = make_local_model(model_id);
    EXPECT_TRUE(model.ok()) << (model.ok() ? "" : model.error().message);
    std::vector<std::string> out;
    RowFilter f;
    f.type = std::string(kGetRelevantFiles);
    f.order = RowFilter::Order::oldest_first;
    EXPECT_TRUE(repo.store
                    ->scan(Table::traces, f,
                           [&](Row&& r) {
                             auto call = parse_picker_call(r.payload);
                             EXPECT_TRUE(call.ok());
                             auto a = (*model)->answer(TeacherInput{&*call, ""});
                             EXPECT_TRUE(a.ok());
                             out.push_back(a->text);
                             return true;
                           })
                    .ok());
    return out;
  }

  fs::path dir_;
  Repo a_, b_, c_;
};

TEST_F(StudentStoresTest, TwoStoresGiveOneModelWhoseProvenanceListsBoth) {
  auto c = config("general.model");
  auto report = student_train({{a_.store.get(), ""}, {b_.store.get(), ""}}, c);
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_EQ(report->stores.size(), 2u);
  for (const auto& s : report->stores) {
    EXPECT_EQ(s.joined, 200);
    EXPECT_EQ(s.holdout, 40);  // each store holds out its own newest 20%
    EXPECT_EQ(s.tune, 24);     // and tunes on the newest 15% of its own training window
  }
  EXPECT_EQ(report->holdout, 80);
  EXPECT_EQ(report->student.recall5.n, 80u);
  EXPECT_GT(report->student.recall5.mean, report->bm25.recall5.mean);

  auto p = ranker::load_training_provenance(c.output);
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_TRUE(p->has_value());
  const ranker::TrainingProvenance& prov = **p;
  ASSERT_EQ(prov.stores.size(), 2u);
  EXPECT_EQ(prov.stores[0].store, a_.store->describe());
  EXPECT_EQ(prov.stores[1].store, b_.store->describe());
  for (const auto& s : prov.stores) {
    EXPECT_EQ(s.train_traces, 160);
    EXPECT_EQ(s.holdout_traces, 40);
    EXPECT_EQ(s.traces_total, 200);
    EXPECT_DOUBLE_EQ(s.holdout_newest, 0.2);
    EXPECT_FALSE(s.cutoff.empty());
  }
  EXPECT_EQ(prov.train_traces, 320);
  EXPECT_EQ(prov.trace_ids.size(), 320u);
  EXPECT_NE(prov.store.find(a_.store->describe()), std::string::npos);
  EXPECT_NE(prov.store.find(b_.store->describe()), std::string::npos);

  // Per store: its held-out window never trained on, the rest of its traces all trained on.
  for (Repo* r : {&a_, &b_}) {
    for (const auto& id : ids(*r->store, true)) EXPECT_FALSE(prov.trained_on(id)) << id;
    for (const auto& id : ids(*r->store, false)) EXPECT_TRUE(prov.trained_on(id)) << id;
  }
  // A general model carries no repository's history.
  auto model = ranker::StudentModel::load(c.output);
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_EQ((*model)->stats.events, 0);
  EXPECT_EQ((*model)->meta.train_traces, 320);
}

TEST_F(StudentStoresTest, EvalRefusesEitherStoresTrainingTraces) {
  auto c = config("general.model");
  ASSERT_TRUE(student_train({{a_.store.get(), ""}, {b_.store.get(), ""}}, c).ok());
  auto p = load_candidate_provenance({"local:student@" + c.output});
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->students.size(), 1u);
  for (Repo* r : {&a_, &b_}) {
    const std::vector<std::string> trained = ids(*r->store, false);
    auto refused = check_training_overlap(*p, {trained.front(), trained.back()}, false, "eval score");
    ASSERT_FALSE(refused.ok()) << r->uri;
    EXPECT_EQ(refused.error().kind, ErrorKind::usage);
    EXPECT_NE(refused.error().message.find("trained on 2 of the 2 selected"), std::string::npos)
        << refused.error().message;
    auto held = check_training_overlap(*p, ids(*r->store, true), false, "eval score");
    ASSERT_TRUE(held.ok()) << held.error().message;
    EXPECT_EQ(held->front().in_sample, 0);
  }
}

// Features of one repository's traces never see another's history: after begin_history the
// trainer extracts exactly what a trainer that only ever saw this repository extracts.
TEST_F(StudentStoresTest, EachHistoryStartsFromEmptyStatistics) {
  ranker::StudentTrainOptions o;
  o.gbdt.threads = 2;
  ranker::StudentTrainer mixed(o), fresh(o), unreset(o);
  const auto& ha = a_.history;
  const auto& hb = b_.history;
  for (size_t k = 0; k < 60; ++k) {
    mixed.add(ranker::synthetic::view(ha, k), ha.commits[k].changed, false);  // queued, threaded
    unreset.add(ranker::synthetic::view(ha, k), ha.commits[k].changed, false);
  }
  mixed.begin_history();
  for (size_t k = 0; k < 30; ++k) {
    const auto v = ranker::synthetic::view(hb, k);
    mixed.add(v, hb.commits[k].changed, false);
    fresh.add(v, hb.commits[k].changed, false);
    unreset.add(v, hb.commits[k].changed, false);
  }
  const auto next = ranker::synthetic::view(hb, 30);
  EXPECT_EQ(mixed.features_now(next).x, fresh.features_now(next).x);
  EXPECT_EQ(mixed.stats().events, 30);
  EXPECT_NE(unreset.features_now(next).x, fresh.features_now(next).x);  // what the reset prevents

  // A general model's trainer (no_history): every trace is featurized as a cold start serves it.
  ranker::StudentTrainOptions cold_options = o;
  cold_options.no_history = true;
  ranker::StudentTrainer cold(cold_options), empty(cold_options);
  for (size_t k = 0; k < 30; ++k) {
    const auto v = ranker::synthetic::view(hb, k);
    cold.add(v, hb.commits[k].changed, k >= 25);  // not queued: each trace is taken in at once
  }
  EXPECT_EQ(cold.features_now(next).x, empty.features_now(next).x);
  EXPECT_NE(fresh.features_now(next).x, empty.features_now(next).x);
}

// Cold start: a model's own history statistics are not read, so its answers on a new repository
// do not depend on them; and a general model answers the same with or without the option.
TEST_F(StudentStoresTest, ColdStartAnswersWithoutAnyHistory) {
  auto ca = config("a.model"), cb = config("b.model");
  ASSERT_TRUE(student_train(*a_.store, ca).ok());
  ASSERT_TRUE(student_train(*b_.store, cb).ok());
  // a.model's ensemble with b.model's history statistics.
  auto doc = nlohmann::json::parse(slurp_file(ca.output));
  doc["history"] = nlohmann::json::parse(slurp_file(cb.output))["history"];
  const std::string swapped = (dir_ / "a_with_b_history.model").string();
  ASSERT_TRUE(write_file_atomic(swapped, doc.dump()).ok());

  const auto warm_a = answers("local:student@" + ca.output, c_);
  const auto warm_swapped = answers("local:student@" + swapped, c_);
  EXPECT_NE(warm_a, warm_swapped);  // served warm, the history changes the answers
  const auto cold_a = answers("local:student@" + ca.output + "?history=none", c_);
  const auto cold_swapped = answers("local:student@" + swapped + "?history=none", c_);
  ASSERT_EQ(cold_a.size(), 60u);
  EXPECT_EQ(cold_a, cold_swapped);
  // Every trace whose prompt lists recent commits gets an answer (the first commit's has none, and
  // its words match no path: with no history either, there is nothing to go on).
  for (size_t k = 1; k < cold_a.size(); ++k) EXPECT_FALSE(cold_a[k].empty()) << k;

  auto general = config("general.model");
  ASSERT_TRUE(student_train({{a_.store.get(), ""}, {b_.store.get(), ""}}, general).ok());
  EXPECT_EQ(answers("local:student@" + general.output, c_),
            answers("local:student@" + general.output + "?history=none", c_));

  auto model = make_local_model("local:student@./" + fs::relative(ca.output).string() + "?history=none");
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_EQ((*model)->id(), "local:student@" + fs::weakly_canonical(ca.output).string() + "?history=none");
  auto bad = make_local_model("local:student@" + ca.output + "?history=all");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::usage);
  EXPECT_NE(bad.error().message.find("history=none"), std::string::npos) << bad.error().message;
  EXPECT_EQ(bad.error().message.find('\n'), std::string::npos);
}

TEST_F(StudentStoresTest, CommandLine) {
  const std::string out_file = (dir_ / "cli.model").string();
  std::string out;
  EXPECT_EQ(run_picktune({"student", "train", "--teacher", "truth", "--threads", "2", "--from", a_.uri, "--from",
                          b_.uri, "-o", out_file},
                         &out),
            0)
      << out;
  EXPECT_NE(out.find(a_.store->describe() + ": 200 traces read"), std::string::npos) << out;
  EXPECT_NE(out.find("a general model of 2 histories"), std::string::npos) << out;
  EXPECT_TRUE(fs::exists(out_file));

  auto usage = [&](std::vector<std::string> args, const std::string& names) {
    std::vector<std::string> all = {"student", "train", "--teacher", "truth", "-o", (dir_ / "x.model").string()};
    all.insert(all.end(), args.begin(), args.end());
    std::string text;
    EXPECT_EQ(run_picktune(all, &text), 2) << text;
    EXPECT_NE(text.find(names), std::string::npos) << text;
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
    EXPECT_FALSE(fs::exists(dir_ / "x.model"));
  };
  usage({"--from", a_.uri, "--from", a_.uri}, "--from");
  usage({"--from", a_.uri, "--from", b_.uri, "--repo", dir_.string()}, "--repo");
  usage({"--from", ""}, "--from");
}

}  // namespace
}  // namespace pt
