// Shadow mode: `serve --shadow CANDIDATE` answers every captured picker call with each candidate
// off the request's path and stores the answer as a relabel of that candidate (canonical id,
// joined by trace_id); `eval score` then compares the candidates on the captured traffic.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>

#include "core/picker_call.h"
#include "providers/model.h"
#include "providers/student_names.h"
#include "serve_fixture.h"
#include "support/student_fixture.h"

namespace {

using nlohmann::json;
using pt_test::ServeFixture;

std::string anthropic_body(const std::string& system, const std::string& prompt, bool stream) {
  json b = {{"model", "claude-x"},
            {"max_tokens", 256},
            {"system", system},
            {"messages", json::array({{{"role", "user"}, {"content", prompt}}})}};
  if (stream) b["stream"] = true;
  return b.dump();
}

TEST(Shadow, CandidatesAnswerEveryCapturedCallAsRelabelsThatEvalScoreUses) {
  pt_test::StudentFixture student("shadow");
  std::string names = student.dir + "/names.json";
  ::setenv("PICKTUNE_STUDENTS", names.c_str(), 1);
  ASSERT_TRUE(pt::register_student_name(names, "express", student.model_file, false).ok());
  pt::server::ServeOptions so;
  // Two spellings of the student name one candidate (and one model instance); bm25 is the second.
  so.shadow = {"local:student@express", "local:bm25"};
  ServeFixture f({}, so);
  const size_t n = 8;
  std::map<std::string, size_t> trace_commit;  // trace id -> synthetic commit
  for (size_t i = 0; i < n; ++i) {
    size_t c = 250 + i;
    auto cl = f.client();
    auto r = cl.Post("/anthropic/v1/messages",
                     {{"x-api-key", "sk-test-secret-key"},
                      {"anthropic-version", "2023-06-01"},
                      {"X-Picktune-Agent-Step", "step-" + std::to_string(i)}},
                     anthropic_body(pt::ranker::synthetic::system_prompt(student.history, c),
                                    pt::key_picker_prompt(student.history.commits[c].message, 12), i % 2 == 1),
                     "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    trace_commit[r->get_header_value("X-Picktune-Trace-Id")] = c;
  }
  // A call that failed upstream is not shadowed: nothing to compare with.
  f.fake->fail_next(1);
  {
    auto cl = f.client();
    auto r =
        cl.Post("/anthropic/v1/messages", {{"x-api-key", "sk-test-secret-key"}, {"anthropic-version", "2023-06-01"}},
                anthropic_body(pt_test::kSystem, pt_test::kPrompt, false), "application/json");
    ASSERT_TRUE(r);
    EXPECT_GE(r->status, 400);
  }
  f.stop();  // drains the shadow answers, then the capture queue

  auto expected_model = pt::make_local_model("local:student@express");
  ASSERT_TRUE(expected_model.ok());
  auto bm25 = pt::make_local_model("local:bm25");
  std::map<std::string, int> per_model;
  ASSERT_TRUE(f.store
                  ->scan(pt::Table::relabels, {},
                         [&](pt::Row&& row) {
                           ++per_model[row.model];
                           json p = json::parse(row.payload);
                           std::string trace_id = p["trace_id"];
                           EXPECT_TRUE(trace_commit.count(trace_id)) << row.payload;
                           EXPECT_EQ(p["shadow"], true);
                           EXPECT_EQ(p["request_type"], "Key");
                           EXPECT_EQ(row.agent_step_id, "step-" + std::to_string(trace_commit[trace_id] - 250));
                           // The stored answer is the candidate's own answer to the captured call.
                           auto trace = f.store->get(pt::Table::traces, trace_id);
                           EXPECT_TRUE(trace.ok() && trace->has_value());
                           auto call = pt::parse_picker_call((*trace)->payload);
                           EXPECT_TRUE(call.ok());
                           pt::LocalModel& m = row.model == "local:bm25" ? **bm25 : **expected_model;
                           auto direct = m.answer(pt::TeacherInput{&call.value(), ""});
                           EXPECT_EQ(p["output"], direct->text);
                           EXPECT_FALSE(p["files"].empty());
                           return true;
                         })
                  .ok());
  EXPECT_EQ(per_model, (std::map<std::string, int>{{"local:bm25", n}, {"local:student@express", n}}));

  // eval score compares the student with bm25 on the captured traffic, from the shadow relabels alone.
  auto score =
      pt_test::run_cli({PICKTUNE_BINARY, "--store", "sqlite:" + f.dir + "/t.db", "eval", "score", "--models",
                        "local:student@" + student.model_file, "--reference", "local:bm25", "--newest", "1", "--json"},
                       f.dir, "", {"PICKTUNE_STUDENTS=" + names});
  ASSERT_EQ(score.exit_code, 0) << score.err;
  json doc = json::parse(score.out);
  EXPECT_EQ(doc["reference"], "local:bm25");
  EXPECT_EQ(doc["models"]["local:student@express"]["n"], n) << score.out;
  ::unsetenv("PICKTUNE_STUDENTS");
}

TEST(Shadow, ANonLocalOrBrokenCandidateIsRefusedAtStart) {
  pt::server::ServeOptions so;
  so.port = 0;
  so.spool_dir = pt_test::fresh_dir("shadow-bad-") + "/spool";
  auto store = std::move(pt::open_store(pt::StoreOptions{"sqlite:" + so.spool_dir + ".db"})).value();
  ASSERT_TRUE(store->init().ok());
  for (std::string bad : {"anthropic:claude-x", "local:student@/no/such.model", "local:nope"}) {
    so.shadow = {bad};
    auto s = pt::server::Server::start(*store, so);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().kind, pt::ErrorKind::usage) << s.error().message;
    EXPECT_NE(s.error().message.find("--shadow " + bad), std::string::npos) << s.error().message;
  }
}

}  // namespace
