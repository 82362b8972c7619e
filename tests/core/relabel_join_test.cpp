// core/relabel_join: reading a relabel's join fields (kind, trace id, user_input_id, with_context,
// lenient about what cannot be read) and the one precedence rule — trace id beats kind-tagged step
// beats production key; newest wins, ties by greatest id; a production key fitting traces of both
// kinds is ambiguous; with_context must agree when recorded; kinds never mix.
#include "core/relabel_join.h"

#include <gtest/gtest.h>

namespace pt {
namespace {

Row relabel_row(std::string id, std::string payload, std::string step = "s1", int64_t t = 7) {
  return Row{std::move(id), std::move(step), "u1", t, "", "m", std::move(payload)};
}

TEST(RelabelJoinRead, ReadsTheJoinFieldsAndNamesWhatItCannotRead) {
  RelabelRecord r1 = read_relabel(relabel_row("r1", R"({"trace_id":"t1","output":"x","request_type":"Key"})"));
  EXPECT_EQ(r1.key.id, "r1");
  EXPECT_EQ(r1.key.agent_step_id, "s1");
  EXPECT_EQ(r1.key.request_kind, RequestKind::key);
  EXPECT_EQ(r1.key.trace_id, "t1");
  EXPECT_EQ(r1.key.with_context, -1);  // not recorded
  EXPECT_EQ(*r1.output, "x");
  EXPECT_TRUE(r1.problem.empty());
  RelabelRecord r2 = read_relabel(relabel_row("r2", R"({"output":"production relabel, no kind","user_input_id":"u"})"));
  EXPECT_EQ(r2.key.request_kind, RequestKind::absent);
  EXPECT_EQ(r2.key.trace_id, "");
  EXPECT_EQ(r2.key.user_input_id, "u");
  RelabelRecord r3 = read_relabel(relabel_row("r3", R"({"request_type":"Non-Obvious","with_context":true})"));
  EXPECT_EQ(r3.key.request_kind, RequestKind::non_obvious);
  EXPECT_EQ(r3.key.with_context, 1);
  EXPECT_FALSE(r3.output.has_value());
  RelabelRecord r4 = read_relabel(relabel_row("r4", R"({"request_type":7,"trace_id":null,"with_context":false})"));
  EXPECT_EQ(r4.key.request_kind, RequestKind::unknown);  // not a string: joins nothing
  EXPECT_EQ(r4.key.trace_id, "");
  EXPECT_EQ(r4.key.with_context, 0);
  EXPECT_EQ(r4.problem, "payload.request_type: expected a string");
  RelabelRecord r5 = read_relabel(relabel_row("r5", R"({"request_type":"Key","files":["a",3]})"));
  EXPECT_EQ(r5.files_problem, "payload.files[1]: expected a string");
  RelabelRecord bad = read_relabel(relabel_row("bad", "not json"));
  EXPECT_EQ(bad.key.request_kind, RequestKind::absent);
  EXPECT_EQ(bad.problem.rfind("payload: invalid JSON", 0), 0u);
  RelabelRecord out = read_relabel(relabel_row("o", R"({"request_type":"Key","output":42})"));
  EXPECT_EQ(out.key.request_kind, RequestKind::key);
  EXPECT_EQ(out.problem, "payload.output: expected a string");
}

RelabelKey key(std::string id, RequestKind kind, std::string trace_id = "", int64_t t = 1, int8_t ctx = -1,
               std::string step = "s1", std::string user_input_id = "ui1") {
  RelabelKey k;
  k.id = std::move(id);
  k.agent_step_id = std::move(step);
  k.user_id = "u1";
  k.created_at_us = t;
  k.request_kind = kind;
  k.trace_id = std::move(trace_id);
  k.user_input_id = std::move(user_input_id);
  k.with_context = ctx;
  return k;
}

const TraceKey kKeyTrace{"tk", "s1", "u1", "ui1", RequestKind::key};
const TraceKey kNonObviousTrace{"tn", "s1", "u1", "ui1", RequestKind::non_obvious};

std::string joined(const RelabelJoin& j, const TraceKey& t, std::optional<bool> ctx = std::nullopt) {
  JoinResult r = j.find(t, ctx);
  switch (r.outcome) {
    case JoinOutcome::matched: return j.relabel_id(r.slot);
    case JoinOutcome::no_relabel: return "none";
    case JoinOutcome::context_mismatch: return "context";
    case JoinOutcome::ambiguous: return "ambiguous";
  }
  return "?";
}

TEST(RelabelJoin, TraceIdBeatsKindTaggedStepBeatsProductionKey) {
  RelabelJoin j;
  j.add(key("prod", RequestKind::absent, "", 30));
  j.add(key("step-key", RequestKind::key, "", 20));
  j.add(key("by-id", RequestKind::absent, "tk", 10));
  EXPECT_EQ(joined(j, kKeyTrace), "by-id");        // oldest, but names the trace
  EXPECT_EQ(joined(j, kNonObviousTrace), "prod");  // no Non-Obvious relabel; production key fits
  j.note_trace(kKeyTrace);
  j.note_trace(kNonObviousTrace);
  EXPECT_EQ(joined(j, kNonObviousTrace), "ambiguous");  // both kinds fit the production key
  EXPECT_EQ(joined(j, kKeyTrace), "by-id");
}

TEST(RelabelJoin, KindsNeverMixAndARelabelNamingAnotherTraceNeverAnswers) {
  RelabelJoin j;
  j.add(key("nonobv", RequestKind::non_obvious, "", 50));
  j.add(key("other-trace", RequestKind::key, "t-other", 60));
  j.add(key("wrong-kind-by-id", RequestKind::non_obvious, "tk", 70));
  j.add(key("unknown", RequestKind::unknown, "", 80));
  EXPECT_EQ(joined(j, kKeyTrace), "none");
  EXPECT_EQ(joined(j, kNonObviousTrace), "nonobv");
}

TEST(RelabelJoin, NewestWinsAndEqualTimesGoToTheGreatestId) {
  RelabelJoin j;
  j.add(key("b", RequestKind::key, "", 5));
  j.add(key("c", RequestKind::key, "", 9));
  j.add(key("a", RequestKind::key, "", 3));
  EXPECT_EQ(joined(j, kKeyTrace), "c");
  j.add(key("d", RequestKind::key, "", 9));
  EXPECT_EQ(joined(j, kKeyTrace), "d");
}

TEST(RelabelJoin, ContextMustAgreeWhenRecorded) {
  RelabelJoin j;
  j.add(key("with", RequestKind::key, "", 5, 1));
  EXPECT_EQ(joined(j, kKeyTrace, true), "with");
  EXPECT_EQ(joined(j, kKeyTrace, false), "context");
  EXPECT_EQ(joined(j, kKeyTrace), "with");
  j.add(key("unrecorded", RequestKind::key, "", 1, -1));
  EXPECT_EQ(joined(j, kKeyTrace, false), "unrecorded");
}

TEST(RelabelJoin, ProductionKeyComparesUserAndUserInputIdWhenBothSidesHaveThem) {
  RelabelJoin j;
  j.add(key("other-input", RequestKind::absent, "", 5, -1, "s1", "ui2"));
  EXPECT_EQ(joined(j, kKeyTrace), "none");
  j.add(key("no-input", RequestKind::absent, "", 1, -1, "s1", ""));
  EXPECT_EQ(joined(j, kKeyTrace), "no-input");
  j.note_trace(kKeyTrace);
  j.note_trace({"tn2", "s1", "u1", "ui2", RequestKind::non_obvious});  // fits only "other-input" and "no-input"
  EXPECT_EQ(joined(j, kKeyTrace), "ambiguous");                        // "no-input" fits both kinds
}

}  // namespace
}  // namespace pt
