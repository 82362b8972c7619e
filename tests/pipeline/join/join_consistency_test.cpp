// One join for everyone: a store whose agent steps have a Key and a Non-Obvious trace, with
// kind-tagged and kind-less relabels, an older and a newer relabel of one kind, and a relabel
// naming its trace. collect, eval score and student training must pair every trace with the same
// relabel (or call it ambiguous alike), and relabel's "already answered" check must skip exactly
// the traces they pair. Each relabel's answer is one path naming the relabel.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "pipeline/collect/collect.h"
#include "pipeline/collect/fixture.h"
#include "pipeline/eval/eval_score.h"
#include "pipeline/join/teacher_answers.h"
#include "pipeline/relabel/relabel_select.h"
#include "pipeline/student/student_train.h"
#include "store/memory/memory_store.h"

namespace pt {
namespace {

using namespace pt::testing;

const std::string kTeacher = "anthropic:teacher";

Row relabel(const std::string& id, int step, const std::string& kind, int64_t t, const std::string& trace_id = "") {
  Row r = relabel_row(step, kind.empty() ? "Key" : kind, kTeacher, std::nullopt, /*typed=*/!kind.empty());
  r.id = id;
  r.created_at_us = kT0 + t;
  json p = json::parse(r.payload);
  p["output"] = "pick/" + id + ".ts";
  if (!trace_id.empty()) p["trace_id"] = trace_id;
  r.payload = p.dump();
  return r;
}

// Trace id -> the relabel id it is paired with, or "ambiguous" (traces absent: no relabel).
using Pairing = std::map<std::string, std::string>;

MemoryStore fixture() {
  MemoryStore store;
  store.add(Table::traces,
            {trace_row(1, "Key"), trace_row(1, "Non-Obvious"), trace_row(2, "Key"), trace_row(2, "Non-Obvious"),
             trace_row(3, "Key"), trace_row(4, "Key"), trace_row(4, "Non-Obvious")});
  store.add(Table::relabels, {
                                 // step 1: an older and a newer Key relabel, and a kind-less (production) one
                                 relabel("s1-key-old", 1, "Key", 10),
                                 relabel("s1-key-new", 1, "Key", 20),
                                 relabel("s1-prod", 1, "", 30),
                                 // step 2: a Non-Obvious relabel naming its trace beats a newer one of the step;
                                 // the kind-less one fits both traces of the step
                                 relabel("s2-nonobv-by-id", 2, "Non-Obvious", 5, "t2n"),
                                 relabel("s2-nonobv-step", 2, "Non-Obvious", 50),
                                 relabel("s2-prod", 2, "", 40),
                                 // step 3: one trace, one kind-less relabel
                                 relabel("s3-prod", 3, "", 60),
                                 // step 4: equal times, the greatest id wins
                                 relabel("s4-key-a", 4, "Key", 70),
                                 relabel("s4-key-b", 4, "Key", 70),
                             });
  return store;
}

const Pairing kExpected = {
    {"t1k", "s1-key-new"}, {"t1n", "ambiguous"}, {"t2k", "ambiguous"}, {"t2n", "s2-nonobv-by-id"},
    {"t3k", "s3-prod"},    {"t4k", "s4-key-b"},  {"t4n", "none"}};

std::string relabel_of_answer(const std::string& text) {
  std::smatch m;
  std::regex pick("pick/([A-Za-z0-9-]+)\\.ts");
  return std::regex_search(text, m, pick) ? m[1].str() : "";
}

Pairing collect_pairing(Store& store, int64_t& ambiguous) {
  CollectOptions o;
  o.teacher = kTeacher;
  o.output_prefix = temp_dir() + "/out";
  o.count_tokens = [](std::string_view t) { return t.size(); };
  auto s = run_collect(store, o);
  EXPECT_TRUE(s.ok()) << s.error().message;
  if (!s.ok()) return {};
  ambiguous = s->dropped.at("ambiguous_relabel");
  Pairing p;
  for (const json& rec : read_jsonl(o.output_prefix + ".jsonl")) {
    const json& c = rec["contents"];
    std::string prompt = c[c.size() - 2]["parts"].back()["text"];
    std::string first = c[0]["parts"][0]["text"];  // "REQ-N-first"
    std::string step = first.substr(4, first.find("-first") - 4);
    bool key = prompt.find("limit your selection to") != std::string::npos;
    p["t" + step + (key ? "k" : "n")] = relabel_of_answer(c.back()["parts"][0]["text"]);
  }
  return p;
}

Pairing eval_pairing(Store& store, int64_t& ambiguous) {
  EvalScoreOptions o;
  o.models = {kTeacher};
  o.reference = kTeacher;
  o.examples = 100;
  o.bootstrap.resamples = 10;
  auto s = run_eval_score(store, o);
  EXPECT_TRUE(s.ok()) << s.error().message;
  if (!s.ok()) return {};
  ambiguous = static_cast<int64_t>(s->ambiguous_reference);
  Pairing p;
  for (const auto& e : s->disagreements) {
    EXPECT_EQ(e.reference.size(), 1u) << e.trace_id;
    if (!e.reference.empty()) p[e.trace_id] = relabel_of_answer(e.reference[0]);
  }
  return p;
}

Pairing student_pairing(MemoryStore& store, int64_t& ambiguous) {
  auto answers = TeacherAnswers::load(store, kTeacher, {}, [](const std::string&, const std::string&) {});
  EXPECT_TRUE(answers.ok());
  if (!answers.ok()) return {};
  Pairing p;
  ambiguous = 0;
  for (const Row& row : store.rows(Table::traces)) {
    StudentExample e = join_student_example(*answers, Recipe{}, row);
    if (e.dropped && std::string(e.dropped) == "ambiguous_relabel") ++ambiguous;
    if (e.dropped) continue;
    EXPECT_EQ(relabel_of_answer(e.targets.at(0)), e.relabel_id);
    p[row.id] = e.relabel_id;
  }
  return p;
}

TEST(JoinConsistency, CollectEvalAndStudentPairEveryTraceWithTheSameRelabel) {
  MemoryStore store = fixture();
  Pairing want;
  int64_t want_ambiguous = 0;
  for (const auto& [trace, relabel] : kExpected) {
    if (relabel == "ambiguous")
      ++want_ambiguous;
    else if (relabel != "none")
      want[trace] = relabel;
  }
  int64_t ambiguous = -1;
  EXPECT_EQ(collect_pairing(store, ambiguous), want);
  EXPECT_EQ(ambiguous, want_ambiguous);
  ambiguous = -1;
  EXPECT_EQ(eval_pairing(store, ambiguous), want);
  EXPECT_EQ(ambiguous, want_ambiguous);
  ambiguous = -1;
  EXPECT_EQ(student_pairing(store, ambiguous), want);
  EXPECT_EQ(ambiguous, want_ambiguous);
}

TEST(JoinConsistency, RelabelSkipsExactlyTheTracesTheJoinPairs) {
  MemoryStore store = fixture();
  auto sel = select_for_relabel(store, kTeacher, RelabelOptions{});
  ASSERT_TRUE(sel.ok()) << sel.error().message;
  std::set<std::string> to_do(sel->to_do.begin(), sel->to_do.end());
  std::set<std::string> want = {"t1n", "t2k", "t4n"};  // ambiguous or unanswered; every other trace is paired
  EXPECT_EQ(to_do, want);
  EXPECT_EQ(sel->skipped_done, static_cast<int64_t>(kExpected.size() - want.size()));
  // A new relabel naming an ambiguous trace settles it for every user of the join.
  store.add(Table::relabels, {relabel("s1-nonobv-new", 1, "Non-Obvious", 90, "t1n")});
  sel = select_for_relabel(store, kTeacher, RelabelOptions{});
  ASSERT_TRUE(sel.ok());
  EXPECT_EQ(std::set<std::string>(sel->to_do.begin(), sel->to_do.end()), (std::set<std::string>{"t2k", "t4n"}));
  int64_t ambiguous = -1;
  EXPECT_EQ(collect_pairing(store, ambiguous).at("t1n"), "s1-nonobv-new");
  EXPECT_EQ(eval_pairing(store, ambiguous).at("t1n"), "s1-nonobv-new");
  EXPECT_EQ(student_pairing(store, ambiguous).at("t1n"), "s1-nonobv-new");
}

}  // namespace
}  // namespace pt
