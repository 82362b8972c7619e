// Stored evaluation runs (issue 17): `eval score` saves each run in the store; the saved run reads
// back with the same figures; `eval runs` lists them and `eval compare` gives per model and metric
// before / after / delta / CI overlap — in-process on the memory store, and through the binary on
// SQLite and PostgreSQL.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "pipeline/eval/eval_runs.h"
#include "pipeline/eval/eval_score.h"
#include "store/memory/memory_store.h"
#include "store/postgres/pg_test_db.h"
#include "support/ci_env.h"
#include "support/eval_rows.h"
#include "support/run_cli.h"

namespace pt {
namespace {

using json = nlohmann::json;
using test::make_relabel;
using test::make_trace;

constexpr int kTraces = 24;
const std::vector<std::string> kTree = {"a.js", "b.js", "c.js"};

// kTraces traces; truth and A answer a.js everywhere; B answers a.js on the first `b_right`
// traces and c.js on the rest.
void fill(Store& store, int b_right) {
  std::vector<Row> traces, relabels;
  for (int i = 0; i < kTraces; ++i) {
    std::string t = "t" + std::to_string(i), s = "s" + std::to_string(i);
    traces.push_back(make_trace(t, s, "Key", 1000 + i, kTree, "fix a"));
    relabels.push_back(make_relabel("truth-" + t, "truth", s, "Key", "a.js", t));
    relabels.push_back(make_relabel("A-" + t, "A", s, "Key", "a.js", t));
    relabels.push_back(make_relabel("B-" + t, "B", s, "Key", i < b_right ? "a.js" : "c.js", t));
  }
  ASSERT_TRUE(store.upsert(Table::traces, traces).ok());
  ASSERT_TRUE(store.upsert(Table::relabels, relabels).ok());
}

EvalScoreOptions options() {
  EvalScoreOptions o;
  o.models = {"A", "B"};
  o.reference = "truth";
  o.bootstrap.resamples = 200;
  o.picktune_version = "9.9.9";
  o.save_run = true;  // as `eval score` does
  return o;
}

const ModelStats& stats(const EvalSummary& s, const std::string& model) {
  for (const ModelStats& m : s.overall.models)
    if (m.model == model) return m;
  ADD_FAILURE() << "no model " << model;
  return s.overall.models.front();
}

TEST(EvalRuns, EveryScoreIsSavedAndReadsBackWithTheSameFigures) {
  MemoryStore store;
  fill(store, kTraces / 2);
  auto scored = run_eval_score(store, options());
  ASSERT_TRUE(scored.ok()) << scored.error().message;
  ASSERT_FALSE(scored->run_id.empty());
  auto runs = load_eval_runs(store);
  ASSERT_TRUE(runs.ok()) << runs.error().message;
  ASSERT_EQ(runs->size(), 1u);
  const EvalRun& run = runs->front();
  EXPECT_EQ(run.id, scored->run_id);
  EXPECT_EQ(run.picktune_version, "9.9.9");
  EXPECT_EQ(run.summary.reference, "truth");
  EXPECT_EQ(run.summary.models, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(run.summary.scored, static_cast<size_t>(kTraces));
  EXPECT_EQ(run.summary.scored_digest, scored->scored_digest);
  EXPECT_EQ(run.summary.scored_digest.size(), 64u);
  for (const char* m : {"A", "B"}) {
    EXPECT_EQ(stats(run.summary, m).n, stats(*scored, m).n);
    for (int k = 0; k < kMetricCount; ++k) {
      const MeanCI &got = stats(run.summary, m).metrics[k], &want = stats(*scored, m).metrics[k];
      if (std::isnan(want.mean)) {
        EXPECT_TRUE(std::isnan(got.mean));
        continue;
      }
      EXPECT_EQ(got.mean, want.mean) << m << " " << metric_name(static_cast<Metric>(k));
      EXPECT_EQ(got.lo, want.lo);
      EXPECT_EQ(got.hi, want.hi);
    }
  }
  EXPECT_DOUBLE_EQ(stats(run.summary, "B").metrics[kJaccard].mean, 0.5);
  ASSERT_EQ(run.summary.pairs.size(), 1u);
  EXPECT_EQ(run.summary.pairs[0].metrics.size(), kPairMetrics.size());
  EXPECT_EQ(run.summary.pairs[0].metrics[0].result.wins, scored->pairs[0].metrics[0].result.wins);

  EvalScoreOptions quiet = options();
  quiet.save_run = false;
  ASSERT_TRUE(run_eval_score(store, quiet).ok());
  EXPECT_EQ(load_eval_runs(store)->size(), 1u);
}

// A stored run keeps each scored student's training provenance, the store it trained from and
// how many of the scored traces it trained on (in-sample) included.
TEST(EvalRuns, StudentTrainingProvenanceReadsBackWhole) {
  EvalSummary summary;
  summary.reference = "truth";
  summary.models = {"local:student@m"};
  summary.in_sample = true;
  StudentTraining t;
  t.model = "local:student@m";
  t.teacher = "truth";
  t.store = "sqlite:/data/express.db";
  t.cutoff = "2024-01-02T03:04:05Z";
  t.holdout_newest = 0.2;
  t.train_traces = 4390;
  t.selected = 1098;
  t.in_sample = 17;
  summary.students.push_back(t);
  MemoryStore store;
  auto id = save_eval_run(store, make_eval_run(summary, EvalRunWindow{}, "9.9.9"));
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto run = find_eval_run(store, *id);
  ASSERT_TRUE(run.ok()) << run.error().message;
  ASSERT_EQ(run->summary.students.size(), 1u);
  const StudentTraining& got = run->summary.students[0];
  EXPECT_EQ(got.model, t.model);
  EXPECT_EQ(got.teacher, t.teacher);
  EXPECT_EQ(got.store, t.store);
  EXPECT_EQ(got.cutoff, t.cutoff);
  EXPECT_DOUBLE_EQ(got.holdout_newest, 0.2);
  EXPECT_EQ(got.train_traces, 4390);
  EXPECT_EQ(got.selected, 1098);
  EXPECT_EQ(got.in_sample, 17);
  EXPECT_TRUE(run->summary.in_sample);
}

TEST(EvalRuns, CompareGivesBeforeAfterDeltaAndWhetherTheCIsOverlap) {
  MemoryStore store;
  fill(store, kTraces / 2);
  ASSERT_TRUE(run_eval_score(store, options()).ok());
  fill(store, kTraces);  // B now right everywhere
  ASSERT_TRUE(run_eval_score(store, options()).ok());
  auto before = find_eval_run(store, "last~1");
  auto after = find_eval_run(store, "last");
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_NE(before->id, after->id);
  EvalComparison c = compare_eval_runs(*before, *after);
  EXPECT_TRUE(c.notes.empty()) << c.notes.front();  // same reference, same traces
  bool saw_a = false, saw_b = false;
  for (const MetricChange& ch : c.changes) {
    if (ch.metric != kJaccard) continue;
    ASSERT_TRUE(ch.before && ch.after);
    if (ch.model == "A") {
      saw_a = true;
      EXPECT_DOUBLE_EQ(ch.delta, 0);
      EXPECT_TRUE(ch.cis_overlap);
    } else {
      saw_b = true;
      EXPECT_DOUBLE_EQ(ch.before->mean, 0.5);
      EXPECT_DOUBLE_EQ(ch.after->mean, 1.0);
      EXPECT_DOUBLE_EQ(ch.delta, 0.5);
      EXPECT_FALSE(ch.cis_overlap);
    }
  }
  EXPECT_TRUE(saw_a && saw_b);
  // A unique prefix finds a run; an unknown id is a usage error naming the store's newest runs.
  EXPECT_EQ(find_eval_run(store, after->id.substr(0, after->id.size() - 2))->id, after->id);
  auto missing = find_eval_run(store, "ev-nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::usage);
  EXPECT_NE(missing.error().message.find(after->id), std::string::npos) << missing.error().message;
  // Fewer traces scored: the comparison says so.
  MemoryStore other;
  fill(other, kTraces);
  other.remove(Table::traces, "t0");
  ASSERT_TRUE(run_eval_score(other, options()).ok());
  EvalComparison d = compare_eval_runs(*after, *find_eval_run(other, "last"));
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_NE(d.notes[0].find("scored traces differ"), std::string::npos);
}

// What the /evals/RUN page draws survives the store: the recall@k / precision@k curves, the
// files-picked histograms and up to kStoredExamples of the disagreement examples, in order.
TEST(EvalRuns, CurvesHistogramsAndExamplesReadBack) {
  MemoryStore store;
  fill(store, kTraces / 2);
  auto scored = run_eval_score(store, options());
  ASSERT_TRUE(scored.ok()) << scored.error().message;
  auto run = find_eval_run(store, "last");
  ASSERT_TRUE(run.ok()) << run.error().message;
  for (const char* m : {"A", "B"}) {
    for (size_t k = 0; k < kCurveCutoffs; ++k) {
      EXPECT_EQ(stats(run->summary, m).recall_curve[k], stats(*scored, m).recall_curve[k]) << m << " k=" << k + 1;
      EXPECT_EQ(stats(run->summary, m).precision_curve[k], stats(*scored, m).precision_curve[k]);
    }
    EXPECT_EQ(stats(run->summary, m).files_histogram, stats(*scored, m).files_histogram);
  }
  EXPECT_DOUBLE_EQ(stats(run->summary, "B").recall_curve[0], 0.5);
  EXPECT_EQ(run->summary.overall.reference_histogram, scored->overall.reference_histogram);
  EXPECT_EQ(run->summary.overall.reference_histogram[1], static_cast<size_t>(kTraces));
  ASSERT_GT(scored->disagreements.size(), kStoredExamples);  // 12 traces where B is wrong
  ASSERT_EQ(run->summary.disagreements.size(), kStoredExamples);
  for (size_t i = 0; i < kStoredExamples; ++i) {
    const TraceExample &got = run->summary.disagreements[i], &want = scored->disagreements[i];
    EXPECT_EQ(got.trace_id, want.trace_id);
    EXPECT_EQ(got.request, want.request);
    EXPECT_EQ(got.reference, want.reference);
    EXPECT_EQ(got.disagreement, want.disagreement);
    ASSERT_EQ(got.picks.size(), 2u);
    EXPECT_EQ(got.jaccard, want.jaccard);
    ASSERT_EQ(got.picks[1].size(), 1u);
    EXPECT_EQ(got.picks[1][0].path, "c.js");
    EXPECT_FALSE(got.picks[1][0].in_reference);
    EXPECT_TRUE(got.picks[0][0].in_reference);
  }
}

// /evals/compare and `eval compare A B` share compare_stored_eval_runs: the same refs give the
// comparison of the runs find_eval_run names.
TEST(EvalRuns, StoredComparisonIsTheComparisonOfTheNamedRuns) {
  MemoryStore store;
  fill(store, kTraces / 2);
  ASSERT_TRUE(run_eval_score(store, options()).ok());
  fill(store, kTraces);
  ASSERT_TRUE(run_eval_score(store, options()).ok());
  auto c = compare_stored_eval_runs(store, "last~1", "last");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->before.id, find_eval_run(store, "last~1")->id);
  EXPECT_EQ(c->after.id, find_eval_run(store, "last")->id);
  EvalComparison direct = compare_eval_runs(*find_eval_run(store, "last~1"), *find_eval_run(store, "last"));
  ASSERT_EQ(c->changes.size(), direct.changes.size());
  for (size_t i = 0; i < direct.changes.size(); ++i) {
    EXPECT_EQ(c->changes[i].model, direct.changes[i].model);
    EXPECT_EQ(c->changes[i].cis_overlap, direct.changes[i].cis_overlap);
  }
  auto bad = compare_stored_eval_runs(store, "last", "ev-nope");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::usage);
}

// The binary on one store URI: two `eval score` runs, `eval runs --json`, `eval compare`.
void check_cli(const std::string& uri, const std::string& dir) {
  auto store = open_store({uri});
  ASSERT_TRUE(store.ok()) << store.error().message;
  fill(**store, kTraces / 2);
  auto pt = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {PICKTUNE_BINARY, "--store", uri});
    return pt_test::run_cli(args, dir);
  };
  const std::vector<std::string> score = {"eval",        "score", "--models",    "A,B",
                                          "--reference", "truth", "--bootstrap", "200"};
  auto first = pt(score);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("saved as run ev-"), std::string::npos) << first.out;
  fill(**store, kTraces);
  auto args = score;
  args.push_back("--json");
  auto second = pt(args);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  std::string second_id = json::parse(second.out)["run_id"];

  auto runs = pt({"eval", "runs", "--json"});
  ASSERT_EQ(runs.exit_code, 0) << runs.err;
  json list = json::parse(runs.out);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1]["id"], second_id);
  EXPECT_EQ(list[0]["models"], json::array({"A", "B"}));
  EXPECT_EQ(list[0]["overall"]["models"]["B"]["metrics"]["jaccard"]["mean"], 0.5);
  EXPECT_EQ(list[1]["overall"]["models"]["B"]["metrics"]["jaccard"]["mean"], 1.0);
  EXPECT_EQ(list[0]["overall"]["models"]["A"]["n"], kTraces);
  EXPECT_FALSE(list[0]["picktune_version"].get<std::string>().empty());
  auto table = pt({"eval", "runs"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find(second_id), std::string::npos) << table.out;

  auto cmp = pt({"eval", "compare", list[0]["id"], "last", "--json"});
  ASSERT_EQ(cmp.exit_code, 0) << cmp.err;
  json c = json::parse(cmp.out);
  EXPECT_EQ(c["same_traces"], true);
  bool found = false;
  for (const json& ch : c["models"]["B"])
    if (ch["metric"] == "jaccard") {
      found = true;
      EXPECT_EQ(ch["before"]["mean"], 0.5);
      EXPECT_EQ(ch["after"]["mean"], 1.0);
      EXPECT_EQ(ch["delta"], 0.5);
      EXPECT_EQ(ch["cis_overlap"], false);
    }
  EXPECT_TRUE(found);
  auto text = pt({"eval", "compare", "last~1", "last"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("changed (CIs apart)"), std::string::npos) << text.out;

  auto bad = pt({"eval", "compare", "ev-nope", "last"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("no evaluation run ev-nope"), std::string::npos) << bad.err;
}

TEST(EvalRunsCli, RunsAndCompareOnSqlite) {
  std::string dir = std::filesystem::temp_directory_path() / ("pt-evalruns-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  check_cli("sqlite:" + dir + "/p.db", dir);
  std::filesystem::remove_all(dir);
}

TEST(EvalRunsCli, RunsAndCompareOnPostgres) {
  if (pt_test::pg_test_uri().empty()) PT_SKIP_UNLESS_CI(pt_test::kPgMissing);
  std::string dir = std::filesystem::temp_directory_path() / ("pt-evalruns-pg-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  pt_test::PgTestSchema schema(pt_test::pg_test_uri());  // a fresh schema: tests share one server
  check_cli(schema.uri(), dir);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pt
