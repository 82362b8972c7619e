// Tests for pipeline/eval_score + eval_output on an in-memory store: the trace <-> relabel join
// (trace_id, step + kind, kind-less production relabels and their ambiguity), missing and
// malformed answers, hallucinated paths, per-kind groups, pairs on commonly answered traces, the
// --json schema with full precision, and the error messages for bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "pipeline/eval/eval_score.h"
#include "report/eval_output.h"
#include "store/memory/memory_store.h"
#include "support/eval_rows.h"
#include "support/unchecked_rows.h"

namespace pt {
namespace {

using test::make_relabel;
using test::make_trace;
using json = nlohmann::json;

// s1 has a Key (t1) and a Non-Obvious (t2) trace; s2 one Key (t3); s3 one Key with no reference (t4).
MemoryStore fixture() {
  MemoryStore st;
  std::vector<std::string> tree = {"a.js", "b.js", "c.js", "lib/d.js"};
  st.add(Table::traces,
         {make_trace("t1", "s1", "Key", 100, tree, "fix a and b"),
          make_trace("t2", "s1", "Non-Obvious", 101, tree, "fix a and b"),
          make_trace("t3", "s2", "Key", 200, tree, "touch a"), make_trace("t4", "s3", "Key", 300, tree, "nothing")});
  st.add(Table::relabels, {
                              make_relabel("r1", "truth", "s1", "Key", "a.js\nb.js", "t1"),
                              make_relabel("r2", "truth", "s1", "Non-Obvious", "c.js"),
                              make_relabel("r3", "truth", "s2", "Key", "a.js"),
                              // model A: perfect on t1, half on t2 (with a hallucinated path), empty on t3
                              make_relabel("a1", "A", "s1", "Key", "- a.js\n- b.js", "t1"),
                              make_relabel("a2", "A", "s1", "Non-Obvious", "c.js\nghost.js"),
                              make_relabel("a3", "A", "s2", "Key", "I could not find anything."),
                              // model B: production-style answers without request_type
                              make_relabel("b1", "B", "s1", "", "a.js"),
                              make_relabel("b3", "B", "s2", "", "a.js\nb.js"),
                          });
  return st;
}

EvalScoreOptions options(std::vector<std::string> models, std::string ref = "truth") {
  EvalScoreOptions o;
  o.models = std::move(models);
  o.reference = std::move(ref);
  o.bootstrap.resamples = 200;
  o.union_of_answers = true;  // these tests check per-model sets; the default (intersection) is tested below
  return o;
}

const ModelStats& model(const GroupStats& g, const std::string& name) {
  for (const auto& m : g.models)
    if (m.model == name) return m;
  throw std::runtime_error("no model " + name);
}

TEST(EvalScore, JoinsCountsAndScores) {
  auto st = fixture();
  auto r = run_eval_score(st, options({"A", "B"}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const EvalSummary& s = *r;
  EXPECT_EQ(s.traces, 4u);
  EXPECT_EQ(s.scored, 3u);
  EXPECT_EQ(s.missing_reference, 1u);
  EXPECT_EQ(s.traces_with_tree, 3u);
  const ModelStats& a = model(s.overall, "A");
  EXPECT_EQ(a.n, 3u);
  EXPECT_DOUBLE_EQ(a.metrics[kJaccard].mean, 0.5);  // (1 + 1/2 + 0) / 3
  EXPECT_DOUBLE_EQ(a.metrics[kEmptyRate].mean, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(a.metrics[kHallucinatedRate].mean, 0.25);  // (0 + 1/2) / 2; t3 is empty
  EXPECT_EQ(a.metrics[kHallucinatedRate].n, 2u);
  EXPECT_EQ(a.files_histogram[0], 1u);
  EXPECT_EQ(a.files_histogram[2], 2u);
  // B's s1 answer has no kind and s1 has both kinds: ambiguous for t1 and t2; t3 is scored.
  const ModelStats& b = model(s.overall, "B");
  EXPECT_EQ(b.n, 1u);
  EXPECT_EQ(s.counts[1].ambiguous, 2u);
  EXPECT_DOUBLE_EQ(b.metrics[kJaccard].mean, 0.5);
  EXPECT_EQ(s.paired, 1u);
  ASSERT_EQ(s.pairs.size(), 1u);
  EXPECT_EQ(s.pairs[0].metrics[0].metric, kJaccard);
  EXPECT_EQ(s.pairs[0].metrics[0].result.losses, 1u);  // on t3: A 0 vs B 0.5
  ASSERT_EQ(s.by_kind.size(), 2u);
  EXPECT_EQ(s.by_kind[0].kind, "Key");
  EXPECT_EQ(s.by_kind[0].n, 2u);
  EXPECT_DOUBLE_EQ(model(s.by_kind[0], "A").metrics[kJaccard].mean, 0.5);
  EXPECT_DOUBLE_EQ(model(s.by_kind[1], "A").metrics[kJaccard].mean, 0.5);
  ASSERT_FALSE(s.disagreements.empty());
  EXPECT_EQ(s.disagreements.front().trace_id, "t3");  // mean Jaccard 0.25: the most disagreement
  bool warned = false;
  for (const auto& w : s.warnings) warned |= w.find("paired comparisons use only the 1 of 3") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(EvalScore, JsonHasTheContractSchemaAtFullPrecision) {
  auto st = fixture();
  st.add(Table::relabels, {make_relabel("r4", "truth", "s3", "Key", "a.js\nb.js\nc.js")});
  st.add(Table::relabels, {make_relabel("a4", "A", "s3", "Key", "a.js")});
  auto r = run_eval_score(st, options({"A"}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  json j = json::parse(eval_json(*r));
  EXPECT_EQ(j["reference"], "truth");
  EXPECT_EQ(j["n"], 4);
  const json& a = j["models"]["A"];
  EXPECT_EQ(a["n"], 4);
  // (1 + 1/2 + 0 + 1/3) / 4 must come back bit for bit
  EXPECT_EQ(a["jaccard"]["mean"].get<double>(), (1.0 + 0.5 + 0.0 + 1.0 / 3.0) / 4.0);
  ASSERT_TRUE(a["jaccard"]["ci95"].is_array());
  EXPECT_EQ(a["jaccard"]["ci95"].size(), 2u);
  for (const char* k :
       {"mrr", "recall@1", "recall@3", "recall@5", "recall@10", "precision@1", "precision@10", "ndcg@1", "ndcg@10",
        "legacy_jaccard_top2", "legacy_mrr_top2", "files_picked", "empty_rate", "hallucinated_rate"})
    EXPECT_TRUE(a.contains(k) && a[k].contains("mean") && a[k].contains("ci95")) << k;
  EXPECT_TRUE(j["pairs"].is_array());
  EXPECT_EQ(j["by_kind"]["Key"]["n"], 3);
  EXPECT_TRUE(j["by_kind"]["Non-Obvious"]["models"]["A"].contains("jaccard"));
}

TEST(EvalScore, ImportedProductionStyleRelabelsScoreLikeOurs) {
  MemoryStore st;
  st.add(Table::traces, {make_trace("t1", "s1", "Key", 1, {}, "x")});
  st.add(Table::relabels, {make_relabel("r1", "teacher", "s1", "Key", "a.js\nb.js"),
                           make_relabel("o1", "other-tool", "s1", "", "1. `a.js`\n2. b.js")});
  auto r = run_eval_score(st, options({"other-tool"}, "teacher"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_DOUBLE_EQ(r->overall.models[0].metrics[kJaccard].mean, 1.0);
  EXPECT_TRUE(std::isnan(r->overall.models[0].metrics[kHallucinatedRate].mean));  // no tree: nothing flagged
  EXPECT_EQ(r->traces_with_tree, 0u);
}

TEST(EvalScore, UnknownModelListsTheStoredOnes) {
  auto st = fixture();
  auto r = run_eval_score(st, options({"A", "nope"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::usage);
  EXPECT_NE(r.error().message.find("no relabels from nope"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("A (3 relabels)"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("truth (3 relabels)"), std::string::npos) << r.error().message;
}

TEST(EvalScore, NoTracesMatched) {
  auto st = fixture();
  auto o = options({"A"});
  o.since_us = 1000;
  auto r = run_eval_score(st, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::runtime);
  EXPECT_NE(r.error().message.find("no get-relevant-files traces since"), std::string::npos) << r.error().message;
}

TEST(EvalScore, NoReferenceForAnySelectedTrace) {
  auto st = fixture();
  auto o = options({"A"});
  o.since_us = 300;  // only t4, which has no truth
  auto r = run_eval_score(st, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("none of the 1 selected traces has a usable answer from the reference truth"),
            std::string::npos)
      << r.error().message;
}

TEST(EvalScore, MalformedAnswersAreCountedNotScored) {
  testing::UncheckedRows st(fixture());  // "bad-ref" is not JSON: no real store would take it
  st.add(Table::relabels, {Row{"bad", "s3", "u1", 5, "", "A", R"({"request_type":"Key","output":42})"}});
  st.relabels.push_back(Row{"bad-ref", "s3", "u1", 5, "", "truth", "not json"});
  auto r = run_eval_score(st, options({"A"}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->malformed_reference, 1u);
  EXPECT_EQ(r->missing_reference, 0u);
  std::string all;
  for (const auto& w : r->warnings) all += w + "\n";
  EXPECT_NE(all.find("relabel bad-ref: payload: invalid JSON"), std::string::npos) << all;

  st.relabels.pop_back();
  st.add(Table::relabels, {make_relabel("ok-ref", "truth", "s3", "Key", "a.js")});
  r = run_eval_score(st, options({"A"}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->counts[0].malformed, 1u);
  all.clear();
  for (const auto& w : r->warnings) all += w + "\n";
  EXPECT_NE(all.find("relabel bad: payload.output: expected a string"), std::string::npos) << all;
}

TEST(EvalScore, NewestFractionAndBadOptions) {
  auto st = fixture();
  auto o = options({"A"});
  o.newest = 0.5;  // t4, t3
  auto r = run_eval_score(st, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->traces, 2u);
  EXPECT_EQ(r->scored, 1u);
  o.newest = 1.5;
  EXPECT_EQ(run_eval_score(st, o).error().kind, ErrorKind::usage);
  EXPECT_EQ(run_eval_score(st, options({"A", "A"})).error().kind, ErrorKind::usage);
  EXPECT_EQ(run_eval_score(st, options({})).error().kind, ErrorKind::usage);
}

TEST(EvalScore, NewerAnswerWinsAndFiguresAreDeterministic) {
  auto st = fixture();
  st.add(Table::relabels, {make_relabel("a3b", "A", "s2", "Key", "a.js", "", 50)});  // newer answer for t3
  auto r1 = run_eval_score(st, options({"A", "B"}));
  auto r2 = run_eval_score(st, options({"A", "B"}));
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_DOUBLE_EQ(model(r1->overall, "A").metrics[kJaccard].mean, 2.5 / 3);
  EXPECT_EQ(eval_json(*r1), eval_json(*r2));
  auto o = options({"A", "B"});
  o.threads = 1;
  EXPECT_EQ(eval_json(*run_eval_score(st, o)), eval_json(*r1));  // thread count does not change figures
  EXPECT_NE(eval_table(*r1).find("jaccard [95% CI]"), std::string::npos);
}

// Issue 17: by default every model is scored on the same traces (those all of them answered);
// the others are counted as left out, with why, instead of averaging over different sets.
TEST(EvalScore, DefaultScoresTheTracesEveryModelAnswered) {
  auto st = fixture();
  auto u = run_eval_score(st, options({"A", "B"}));
  ASSERT_TRUE(u.ok()) << u.error().message;
  EvalScoreOptions o = options({"A", "B"});
  o.union_of_answers = false;
  auto r = run_eval_score(st, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const EvalSummary& s = *r;
  EXPECT_EQ(s.traces, u->traces);
  EXPECT_EQ(s.scored, u->paired);  // only the traces both answered
  EXPECT_EQ(s.left_out, u->scored - u->paired);
  EXPECT_GT(s.left_out, 0u);
  EXPECT_EQ(model(s.overall, "A").n, s.scored);
  EXPECT_EQ(model(s.overall, "B").n, s.scored);
  bool said = false;
  for (const auto& w : s.warnings)
    said = said || w.find("left out because not every model answered") != std::string::npos;
  EXPECT_TRUE(said);
}

}  // namespace
}  // namespace pt
