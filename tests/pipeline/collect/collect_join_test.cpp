// collect's join and bad input: a Key trace never receives a Non-Obvious relabel; production
// relabels without a request type are joined by (step, user, user_input_id) and counted as
// ambiguous when both kinds share the key; context mismatch; unknown teacher, bad flags,
// unwritable output, unparseable payloads reported with their row ids; dedup; token limit; split.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <set>

#include "pipeline/collect/collect.h"
#include "pipeline/collect/collect_options.h"
#include "pipeline/collect/collect_util.h"
#include "pipeline/collect/fixture.h"
#include "store/memory/memory_store.h"
#include "support/unchecked_rows.h"
#include "util/sha256.h"

namespace pt {
namespace {

using namespace pt::testing;

const std::string kTeacher = "anthropic:claude-opus-4-20250514";

struct CollectRun {
  Result<CollectSummary> summary = runtime_error("not run");
  std::vector<std::string> warnings;
  std::string prefix;
  std::vector<json> train() const { return read_jsonl(prefix + ".jsonl"); }
  json manifest() const { return json::parse(read_text(prefix + ".manifest.json")); }
};

CollectRun collect(Store& store, CollectOptions o) {
  CollectRun run;
  run.prefix = temp_dir() + "/out";
  if (o.output_prefix == "tuning-data") o.output_prefix = run.prefix;
  run.prefix = o.output_prefix;
  if (o.teacher.empty()) o.teacher = kTeacher;
  o.recipe.with_file_context = true;
  if (!o.count_tokens) o.count_tokens = [](std::string_view t) { return t.size(); };
  Diagnostics diagnostics([&run](const Diagnostic& d) { run.warnings.push_back(d.message); });
  o.diagnostics = &diagnostics;
  run.summary = run_collect(store, o);
  return run;
}

std::string answer_text(const json& record) { return record["contents"].back()["parts"][0]["text"]; }
std::string last_prompt(const json& record) {
  const json& c = record["contents"];
  return c[c.size() - 2]["parts"].back()["text"];
}

TEST(CollectJoin, KeyTraceNeverReceivesNonObviousRelabel) {
  MemoryStore store;
  for (int s = 1; s <= 3; ++s) {
    store.add(Table::traces, {trace_row(s, "Key")});
    store.add(Table::traces, {trace_row(s, "Non-Obvious")});
  }
  // steps 1, 2: both kinds relabeled; step 3: ONLY the Non-Obvious trace is relabeled
  for (int s = 1; s <= 2; ++s) {
    store.add(Table::relabels, {relabel_row(s, "Non-Obvious", kTeacher, true)});  // stored first on purpose
    store.add(Table::relabels, {relabel_row(s, "Key", kTeacher, true)});
  }
  store.add(Table::relabels, {relabel_row(3, "Non-Obvious", kTeacher, true)});
  CollectRun run = collect(store, CollectOptions{});
  ASSERT_TRUE(run.summary.ok()) << run.summary.error().message;
  auto recs = run.train();
  ASSERT_EQ(recs.size(), 5u);
  for (const auto& r : recs) {
    bool key_prompt = last_prompt(r).find("limit your selection to") != std::string::npos;
    std::string answer = answer_text(r);
    if (key_prompt) {
      EXPECT_EQ(answer.rfind("key/", 0), 0u) << answer;
      EXPECT_EQ(answer.find("nonobv/"), std::string::npos) << answer;
    } else {
      EXPECT_EQ(answer.rfind("nonobv/", 0), 0u) << answer;
      EXPECT_EQ(answer.find("key/"), std::string::npos) << answer;
    }
  }
  EXPECT_EQ(run.summary->dropped.at("no_relabel"), 1);  // step 3's Key trace
  // Key-only collect on the same store: step 3 yields nothing rather than the Non-Obvious answer
  CollectOptions key_only;
  key_only.recipe.request_kinds = {pt::RequestKind::key};
  CollectRun run2 = collect(store, key_only);
  ASSERT_TRUE(run2.summary.ok());
  auto recs2 = run2.train();
  ASSERT_EQ(recs2.size(), 2u);
  EXPECT_EQ(answer_text(recs2[0]).rfind("key/a1", 0), 0u);
  EXPECT_EQ(answer_text(recs2[1]).rfind("key/a2", 0), 0u);
  EXPECT_EQ(run2.summary->dropped.at("kind_filtered"), 3);
}

TEST(CollectJoin, ProductionRelabelsJoinByUserInputIdAndAmbiguityIsCounted) {
  MemoryStore store;
  store.add(Table::traces, {trace_row(1, "Key")});
  store.add(Table::traces, {trace_row(1, "Non-Obvious")});  // shares step, user and user_input_id
  store.add(Table::traces, {trace_row(2, "Key")});          // alone: unambiguous
  store.add(Table::relabels, {relabel_row(1, "Key", kTeacher, std::nullopt, /*typed=*/false)});
  store.add(Table::relabels, {relabel_row(2, "Key", kTeacher, std::nullopt, /*typed=*/false)});
  CollectRun run = collect(store, CollectOptions{});
  ASSERT_TRUE(run.summary.ok()) << run.summary.error().message;
  auto recs = run.train();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(answer_text(recs[0]).rfind("key/a2", 0), 0u);
  EXPECT_EQ(run.summary->dropped.at("ambiguous_relabel"), 2);
  // filtering to Key does not make step 1 unambiguous: the relabel may answer either trace
  CollectOptions key_only;
  key_only.recipe.request_kinds = {pt::RequestKind::key};
  CollectRun run2 = collect(store, key_only);
  ASSERT_TRUE(run2.summary.ok());
  EXPECT_EQ(run2.summary->samples, 1);
  EXPECT_EQ(run2.summary->dropped.at("ambiguous_relabel"), 1);
}

TEST(CollectJoin, TraceIdPicksTheRightTraceAndContextMustMatch) {
  MemoryStore store;
  store.add(Table::traces, {trace_row(1, "Key")});
  Row second = trace_row(1, "Key");
  second.id = "t1k-again";
  second.created_at_us += 5;
  json p = json::parse(second.payload);
  p["messages"].back()["content"] = key_picker_prompt("REQ-1 again", 12);
  second.payload = p.dump();
  store.add(Table::traces, {second});
  Row for_second = relabel_row(1, "Key", kTeacher, true);
  json rp = json::parse(for_second.payload);
  rp["trace_id"] = "t1k-again";
  rp["output"] = "only/second.ts";
  for_second.payload = rp.dump();
  store.add(Table::relabels, {for_second});
  store.add(Table::traces, {trace_row(2, "Key")});
  store.add(Table::relabels, {relabel_row(2, "Key", kTeacher, false)});  // made without context
  CollectRun run = collect(store, CollectOptions{});
  ASSERT_TRUE(run.summary.ok());
  auto recs = run.train();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(answer_text(recs[0]), "only/second.ts");
  EXPECT_EQ(run.summary->dropped.at("no_relabel"), 1);                // t1k: the relabel names t1k-again
  EXPECT_EQ(run.summary->dropped.at("relabel_context_mismatch"), 1);  // step 2 under --with-context
}

TEST(CollectBadInput, UnknownTeacherFailsAndWritesNothing) {
  MemoryStore store;
  store.add(Table::traces, {trace_row(1, "Key")});
  store.add(Table::relabels, {relabel_row(1, "Key", kTeacher, true)});
  CollectOptions o;
  o.teacher = "anthropic:nobody";
  CollectRun run = collect(store, o);
  ASSERT_FALSE(run.summary.ok());
  EXPECT_NE(run.summary.error().message.find("anthropic:nobody"), std::string::npos);
  EXPECT_FALSE(file_exists(run.prefix + ".jsonl"));
  EXPECT_FALSE(file_exists(run.prefix + ".manifest.json"));
  EXPECT_TRUE(dir_entries(run.prefix.substr(0, run.prefix.rfind('/'))).empty());  // no temp files left
}

TEST(CollectBadInput, UnknownRecipeAndBadFlagsAreUsageErrors) {
  CollectFlags f;
  f.teacher = kTeacher;
  f.recipe = "ft_filepicker_999";
  auto r = resolve_collect_options(f);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::usage);
  EXPECT_NE(r.error().message.find("ft_filepicker_999"), std::string::npos);
  EXPECT_NE(r.error().message.find("ft_filepicker_008"), std::string::npos);  // lists known ids
  for (double bad : {0.0, 1.0, -0.5, 2.0}) {
    CollectFlags g;
    g.teacher = kTeacher;
    g.validation_fraction = bad;
    auto e = resolve_collect_options(g);
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_EQ(e.error().kind, ErrorKind::usage);
    EXPECT_NE(e.error().message.find("--validation-fraction"), std::string::npos);
  }
  CollectFlags k;
  k.teacher = kTeacher;
  k.kinds = "Key,Obvious";
  EXPECT_EQ(resolve_collect_options(k).error().kind, ErrorKind::usage);
  CollectFlags s;
  s.teacher = kTeacher;
  s.split_by = "session";
  EXPECT_EQ(resolve_collect_options(s).error().kind, ErrorKind::usage);
  CollectFlags t;
  t.teacher = kTeacher;
  t.since = "last week";
  EXPECT_EQ(resolve_collect_options(t).error().kind, ErrorKind::usage);
  MemoryStore store;
  CollectOptions o;
  o.validation_fraction = 1.5;
  CollectRun run = collect(store, o);
  ASSERT_FALSE(run.summary.ok());
  EXPECT_EQ(run.summary.error().kind, ErrorKind::usage);
}

TEST(CollectBadInput, UnwritableOutputFailsBeforeReading) {
  MemoryStore store;
  store.add(Table::traces, {trace_row(1, "Key")});
  store.add(Table::relabels, {relabel_row(1, "Key", kTeacher, true)});
  CollectOptions o;
  o.output_prefix = temp_dir() + "/no/such/dir/out";
  CollectRun run = collect(store, o);
  ASSERT_FALSE(run.summary.ok());
  EXPECT_NE(run.summary.error().message.find("/no/such/dir/out.jsonl"), std::string::npos);
  if (::geteuid() != 0) {  // a read-only directory (root ignores permissions)
    std::string dir = temp_dir();
    ::chmod(dir.c_str(), 0555);
    CollectOptions ro;
    ro.output_prefix = dir + "/out";
    CollectRun run2 = collect(store, ro);
    ::chmod(dir.c_str(), 0755);
    ASSERT_FALSE(run2.summary.ok());
    EXPECT_NE(run2.summary.error().message.find("cannot write"), std::string::npos);
  }
}

TEST(CollectBadInput, UnparseablePayloadsAreReportedWithTheirIds) {
  UncheckedRows store;  // "bad-json" is not JSON: no real store would take it
  store.add(Table::traces, {trace_row(1, "Key")});
  Row broken = trace_row(2, "Key");
  broken.id = "bad-json";
  broken.payload = "{\"request_type\": \"Key\", \"system\": ";
  store.traces.push_back(broken);
  Row wrong = trace_row(3, "Key");
  wrong.id = "bad-messages";
  json p = json::parse(wrong.payload);
  p["messages"] = "not an array";
  wrong.payload = p.dump();
  store.add(Table::traces, {wrong});
  for (int s = 1; s <= 3; ++s) store.add(Table::relabels, {relabel_row(s, "Key", kTeacher, true)});
  Row bad_relabel = relabel_row(4, "Key", kTeacher, true);
  bad_relabel.id = "bad-relabel";
  bad_relabel.payload = R"({"request_type":"Key","output":42})";
  store.add(Table::relabels, {bad_relabel});
  CollectRun run = collect(store, CollectOptions{});
  ASSERT_TRUE(run.summary.ok()) << run.summary.error().message;
  EXPECT_EQ(run.summary->samples, 1);
  EXPECT_EQ(run.summary->dropped.at("unparseable_payload"), 2);
  EXPECT_EQ(run.summary->dropped.at("unparseable_relabel_payload"), 1);
  ASSERT_EQ(run.warnings.size(), 3u);
  EXPECT_NE(run.warnings[0].find("relabels row bad-relabel: payload.output: expected a string"), std::string::npos);
  EXPECT_NE(run.warnings[1].find("traces row bad-json: payload: invalid JSON"), std::string::npos);
  EXPECT_NE(run.warnings[2].find("traces row bad-messages: payload.messages: expected an array"), std::string::npos);
  json m = run.manifest();
  ASSERT_EQ(m["bad_rows"].size(), 3u);
  EXPECT_EQ(m["bad_rows"][1]["id"], "bad-json");
  EXPECT_EQ(m["bad_rows"][1]["table"], "traces");
  EXPECT_EQ(m["bad_rows"][2]["id"], "bad-messages");
  EXPECT_EQ(m["dropped"]["unparseable_payload"], 2);
}

TEST(Collect, DeduplicatesIdenticalInputsAndDropsEmptyAnswers) {
  MemoryStore store;
  store.add(Table::traces, {trace_row(1, "Key")});
  Row copy = trace_row(1, "Key");  // same input, another step and user
  copy.id = "copy";
  copy.agent_step_id = "step-9";
  copy.user_id = "u9";
  copy.created_at_us += 100;
  store.add(Table::traces, {copy});
  store.add(Table::relabels, {relabel_row(1, "Key", kTeacher, true)});
  Row r9 = relabel_row(1, "Key", kTeacher, true);
  r9.id = "r9";
  r9.agent_step_id = "step-9";
  store.add(Table::relabels, {r9});
  store.add(Table::traces, {trace_row(2, "Key")});
  Row empty = relabel_row(2, "Key", kTeacher, true);
  json p = json::parse(empty.payload);
  p["output"] = "\n  \n";
  empty.payload = p.dump();
  store.add(Table::relabels, {empty});
  CollectRun run = collect(store, CollectOptions{});
  ASSERT_TRUE(run.summary.ok());
  EXPECT_EQ(run.summary->samples, 1);
  EXPECT_EQ(run.summary->dropped.at("duplicate_input"), 1);
  EXPECT_EQ(run.summary->dropped.at("empty_answer"), 1);
}

TEST(Collect, DropsExamplesOverVertexTokenLimit) {
  MemoryStore store;
  for (int s = 1; s <= 2; ++s) {
    store.add(Table::traces, {trace_row(s, "Key")});
    store.add(Table::relabels, {relabel_row(s, "Key", kTeacher, true)});
  }
  CollectOptions o;
  // the tree of step 2 counts as 131,072 tokens on its own: that example is over the limit
  o.count_tokens = [](std::string_view t) -> size_t {
    return t.find("s2.ts\n</project_file_tree>") != std::string_view::npos ? 131072 : 1;
  };
  CollectRun run = collect(store, o);
  ASSERT_TRUE(run.summary.ok());
  EXPECT_EQ(run.summary->samples, 1);
  EXPECT_EQ(run.summary->dropped.at("over_token_limit"), 1);
  json m = run.manifest();
  EXPECT_EQ(m["vertex_limits"]["examples_over_token_limit"], 1);
  EXPECT_EQ(m["vertex_limits"]["warnings"].size(), 1u);
}

TEST(Collect, ValidationSplitKeepsStepsWholeAndIsStable) {
  MemoryStore store;
  for (int s = 1; s <= 60; ++s) {
    store.add(Table::traces, {trace_row(s, "Key", "u" + std::to_string(s % 7))});
    store.add(Table::traces, {trace_row(s, "Non-Obvious", "u" + std::to_string(s % 7))});
    store.add(Table::relabels, {relabel_row(s, "Key", kTeacher, true)});
    store.add(Table::relabels, {relabel_row(s, "Non-Obvious", kTeacher, true)});
  }
  auto steps_of = [](const std::vector<json>& recs) {
    std::set<std::string> steps;
    for (const auto& r : recs) steps.insert(r["contents"][0]["parts"][0]["text"].get<std::string>());  // "REQ-N-first"
    return steps;
  };
  for (SplitBy by : {SplitBy::step, SplitBy::user, SplitBy::trace}) {
    CollectOptions o;
    o.validation_fraction = 0.3;
    o.split_by = by;
    CollectRun run = collect(store, o);
    ASSERT_TRUE(run.summary.ok());
    auto train = run.train();
    auto val = read_jsonl(run.prefix + "-validation.jsonl");
    EXPECT_EQ(train.size() + val.size(), 120u);
    EXPECT_EQ(static_cast<int64_t>(val.size()), run.summary->validation_samples);
    EXPECT_GT(val.size(), 10u);
    EXPECT_GT(train.size(), 50u);
    auto ts = steps_of(train), vs = steps_of(val);
    size_t overlap = 0;
    for (const auto& s : vs) overlap += ts.count(s);
    if (by != SplitBy::trace) {
      EXPECT_EQ(overlap, 0u) << split_by_name(by);
    }
    // the rule is production's: sha256 of the key, first 8 hex digits / 0xffffffff <= F
    for (int s = 1; s <= 60; ++s) {
      auto val_of = [](const std::string& key) { return in_validation(sha256_hex(key), 0.3); };
      std::string n = std::to_string(s);
      bool want = by == SplitBy::step   ? val_of("step-" + n)
                  : by == SplitBy::user ? val_of("u" + std::to_string(s % 7))
                                        : val_of("t" + n + "k") || val_of("t" + n + "n");
      EXPECT_EQ(vs.count(request_of(s) + "-first") > 0, want) << split_by_name(by) << " step " << s;
    }
    json m = run.manifest();
    EXPECT_EQ(m["split"]["split_by"], std::string(split_by_name(by)));
    EXPECT_EQ(m["validation_samples"], val.size());
  }
}

}  // namespace
}  // namespace pt

namespace pt {
namespace {

// Issue 20: validation that shares an agent step or a user with training is warned about, through
// the run's diagnostics; a split that keeps them apart is not.
TEST(Collect, WarnsWhenValidationSharesAStepOrUserWithTraining) {
  MemoryStore store;
  for (int s = 1; s <= 20; ++s)
    for (std::string kind : {"Key", "Non-Obvious"}) {
      store.add(Table::traces, {trace_row(s, kind, "u" + std::to_string(s % 3))});
      store.add(Table::relabels, {relabel_row(s, kind, kTeacher, true)});
    }
  auto overlap_warnings = [](const CollectRun& run, const std::string& what) {
    size_t n = 0;
    for (const auto& w : run.warnings) n += w.find("validation shares") == 0 && w.find(what) != std::string::npos;
    return n;
  };
  CollectOptions o;
  o.validation_fraction = 0.5;
  o.split_by = SplitBy::trace;  // one step's two traces may land on both sides
  CollectRun by_trace = collect(store, o);
  ASSERT_TRUE(by_trace.summary.ok()) << by_trace.summary.error().message;
  ASSERT_GT(by_trace.summary->validation_samples, 0);
  EXPECT_EQ(overlap_warnings(by_trace, "agent step(s) with training"), 1u)
      << ::testing::PrintToString(by_trace.warnings);
  EXPECT_EQ(overlap_warnings(by_trace, "user(s) with training"), 1u);

  o.split_by = SplitBy::user;
  CollectRun by_user = collect(store, o);
  ASSERT_TRUE(by_user.summary.ok());
  ASSERT_GT(by_user.summary->validation_samples, 0);
  ASSERT_GT(by_user.summary->samples, 0);
  EXPECT_EQ(overlap_warnings(by_user, "with training"), 0u) << ::testing::PrintToString(by_user.warnings);

  o.validation_fraction.reset();  // no validation side: nothing to share
  o.split_by = SplitBy::trace;
  EXPECT_EQ(overlap_warnings(collect(store, o), "with training"), 0u);
}

}  // namespace
}  // namespace pt

namespace pt {
namespace {

// Issue 20: a run that writes no sample says why (the main drop reason and what to do about it).
TEST(Collect, ZeroSamplesSaysWhy) {
  MemoryStore store;
  for (int s = 1; s <= 3; ++s) {
    store.add(Table::traces, {trace_row(s, "Key")});
    store.add(Table::relabels, {relabel_row(s, "Key", kTeacher, false)});  // made without file context
  }
  CollectOptions o;
  o.recipe_id = "ft_filepicker_ctx_test";
  CollectRun run = collect(store, o);  // the helper asks for relabels made with file context
  ASSERT_TRUE(run.summary.ok()) << run.summary.error().message;
  EXPECT_EQ(run.summary->samples, 0);
  ASSERT_EQ(run.warnings.size(), 1u) << ::testing::PrintToString(run.warnings);
  EXPECT_EQ(run.warnings[0].find("recipe ft_filepicker_ctx_test: 0 samples: 3 of 3 traces dropped as "
                                 "relabel_context_mismatch: it needs relabels made with file context"),
            0u)
      << run.warnings[0];

  store.add(Table::relabels, {relabel_row(1, "Key", kTeacher, true)});
  CollectRun some = collect(store, o);
  ASSERT_TRUE(some.summary.ok());
  EXPECT_EQ(some.summary->samples, 1);
  EXPECT_TRUE(some.warnings.empty()) << ::testing::PrintToString(some.warnings);
}

}  // namespace
}  // namespace pt
