// Unit tests of the relabel building blocks: file-context rendering and truncation, selection
// (sampling, skip rules, deterministic ids), local:bm25 answers, and the secret scrubber.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/file_context.h"
#include "core/file_list.h"
#include "core/picker_call.h"
#include "net/secrets.h"
#include "pipeline/relabel/relabel_fixtures.h"
#include "pipeline/relabel/relabel_item.h"
#include "pipeline/relabel/relabel_select.h"
#include "providers/model.h"

namespace pt {
namespace {

using testing::picker_trace;

TEST(FileContext, RendersTheProductionFormat) {
  std::vector<ContextFile> files = {{"a.js", "let a;"}, {"b/c.ts", "x"}};
  auto r = render_file_context(files, 0, approx_token_count);
  EXPECT_EQ(r.text,
            "## Partial file context\n In addition to the file-tree, you've also been provided with some full files "
            "to make a better decision. Use these to help you decide which files are most relevant to the query. \n"
            "<partial-file-context>\n"
            "<file-contents>\n <name>a.js</name>\n <contents>let a;</contents>\n</file-contents>\n"
            "<file-contents>\n <name>b/c.ts</name>\n <contents>x</contents>\n</file-contents>\n"
            "</partial-file-context>");
  EXPECT_EQ(r.files_included, 2);
  auto back = parse_rendered_file_context(r.text);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].path, "b/c.ts");
  EXPECT_EQ(back[0].content, "let a;");
}

TEST(FileContext, TruncatesToTheTokenBudget) {
  std::string big;
  for (int i = 0; i < 2000; ++i) big += fmt::format("line {} of the big file\n", i);
  std::vector<ContextFile> files = {{"small.txt", "tiny"}, {"big.txt", big}, {"later.txt", "never"}};
  const long long budget = 1000;
  auto r = render_file_context(files, budget, approx_token_count);
  EXPECT_LE(approx_token_count(r.text), static_cast<size_t>(budget) + 8);  // pieces are counted separately
  EXPECT_GT(approx_token_count(r.text), static_cast<size_t>(budget) * 8 / 10);
  EXPECT_EQ(r.files_included, 1);
  EXPECT_EQ(r.files_truncated, 1);
  EXPECT_EQ(r.files_dropped, 1);
  auto back = parse_rendered_file_context(r.text);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_TRUE(big.rfind(back[1].content, 0) == 0) << "a prefix of the file";
  EXPECT_EQ(back[1].content.back(), '\n') << "cut at a line boundary";
  EXPECT_TRUE(render_file_context(files, 10, approx_token_count).text.empty());
}

TEST(FileContext, CountsOnlyWhatBytesCannotSettle) {
  std::vector<ContextFile> files = {{"a.txt", std::string(400, 'a')}, {"b.txt", std::string(400, 'b')}};
  size_t calls = 0;
  TokenCountFn counting = [&](std::string_view t) {
    ++calls;
    return approx_token_count(t);
  };
  // within the budget by bytes: only the section's wrapper is counted
  auto all = render_file_context(files, 100000, counting);
  EXPECT_EQ(calls, 1u);
  EXPECT_EQ(all.files_included, 2);
  EXPECT_EQ(all.text, render_file_context(files, 0, approx_token_count).text);
  // over the budget by bytes, within it by tokens: counted, and both files still go in whole
  const size_t tokens = approx_token_count(all.text);
  calls = 0;
  auto counted = render_file_context(files, static_cast<long long>(tokens + 4), counting);
  EXPECT_GT(calls, 1u);
  EXPECT_EQ(counted.text, all.text);
  EXPECT_EQ(counted.files_included, 2);
  EXPECT_EQ(counted.files_truncated, 0);
}

TEST(FileContext, ParsesBlobPayloads) {
  auto files =
      parse_blob_files(R"({"files": {"x/y.go": {"content": "package y", "tokens": 3}, "z.md": {"content": "# z"}}})");
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].path, "x/y.go");
  EXPECT_EQ((*files)[1].content, "# z");
  auto bad = parse_blob_files(R"({"files": {"a": {"content": 3}}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("payload.files[\"a\"].content"), std::string::npos);
}

TEST(RelabelSelect, SamplingIsDeterministicAndProportional) {
  int kept = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string id = fmt::format("trace-{}", i);
    bool a = is_sampled(id, 0.2, 7);
    EXPECT_EQ(a, is_sampled(id, 0.2, 7));
    kept += a;
  }
  EXPECT_NEAR(kept, 2000, 150);
  int same = 0;
  for (int i = 0; i < 1000; ++i)
    same += is_sampled(fmt::format("t{}", i), 0.5, 1) == is_sampled(fmt::format("t{}", i), 0.5, 2);
  EXPECT_LT(same, 600) << "another seed picks another sample";
}

TEST(RelabelSelect, RelabelIdsAreDeterministicPerIdentity) {
  std::string a = relabel_row_id("anthropic:x", "t1", false);
  EXPECT_EQ(a, relabel_row_id("anthropic:x", "t1", false));
  EXPECT_EQ(a.size(), 3u + 32u);
  EXPECT_EQ(a.rfind("rl:", 0), 0u);
  EXPECT_NE(a, relabel_row_id("anthropic:x", "t1", true));
  EXPECT_NE(a, relabel_row_id("anthropic:y", "t1", false));
  EXPECT_NE(a, relabel_row_id("anthropic:x", "t2", false));
}

TEST(RelabelSelect, SkipsOnlyWhatThisTeacherAnsweredForTheSameKindAndContext) {
  const RequestKind key = RequestKind::key, nonobv = RequestKind::non_obvious;
  auto ref = [](std::string id, std::string step, RequestKind kind) { return TraceRef{id, step, kind, "", ""}; };
  std::vector<TraceRef> refs = {ref("t1", "s1", key), ref("t2", "s1", nonobv), ref("t3", "s2", key),
                                ref("t4", "s3", key), ref("t5", "s4", key),    ref("t6", "s4", nonobv),
                                ref("t7", "s5", key)};
  auto relabel = [](std::string step, RequestKind kind, std::string trace_id, bool with_context) {
    RelabelKey k;
    k.id = "rl-" + step;
    k.agent_step_id = std::move(step);
    k.request_kind = kind;
    k.trace_id = std::move(trace_id);
    k.with_context = with_context ? 1 : 0;
    return k;
  };
  RelabelJoin keys;
  for (const RelabelKey& k : {
           relabel("s1", key, "t1", false),                // by trace id
           relabel("s2", key, "", false),                  // by step + kind
           relabel("s3", RequestKind::absent, "", false),  // production relabel of a step with one trace
           relabel("s4", RequestKind::absent, "", false),  // production relabel of a step with two kinds: ambiguous
           relabel("s5", key, "t7", true),                 // answered with context only
       })
    keys.add(k);
  auto sel = drop_already_relabeled(refs, keys, false);
  EXPECT_EQ(sel.selected, 7);
  EXPECT_EQ(sel.skipped_done, 3);
  EXPECT_EQ(sel.to_do, (std::vector<std::string>{"t2", "t5", "t6", "t7"}));
  auto ctx = drop_already_relabeled(refs, keys, true);
  EXPECT_EQ(ctx.to_do.size(), 6u);
}

TEST(RelabelSelect, FiltersTracesInTheStore) {
  testing::TempStore ts;
  ts.add_traces(40, /*both_kinds=*/true);
  RelabelOptions o;
  o.request_kind = pt::RequestKind::key;
  auto refs = select_trace_refs(ts.store(), o);
  ASSERT_TRUE(refs.ok()) << refs.error().message;
  EXPECT_EQ(refs->size(), 20u);
  for (const auto& r : *refs) EXPECT_EQ(r.request_kind, RequestKind::key);
  o = {};
  o.users = {"user-0", "user-1"};
  o.limit = 5;
  refs = select_trace_refs(ts.store(), o);
  ASSERT_TRUE(refs.ok());
  ASSERT_EQ(refs->size(), 5u);
  EXPECT_EQ((*refs)[0].id, picker_trace(39, "Non-Obvious").id) << "newest first";
  o = {};
  o.since_us = picker_trace(30).created_at_us;
  o.until_us = picker_trace(35).created_at_us;
  refs = select_trace_refs(ts.store(), o);
  ASSERT_TRUE(refs.ok());
  EXPECT_EQ(refs->size(), 5u);
  o = {};
  o.trace_ids = {picker_trace(3, "Non-Obvious").id, "no-such-trace", picker_trace(4).id};
  refs = select_trace_refs(ts.store(), o);
  ASSERT_TRUE(refs.ok());
  ASSERT_EQ(refs->size(), 2u);
  EXPECT_EQ((*refs)[0].id, picker_trace(3, "Non-Obvious").id);
}

TEST(LocalBm25, AnswersFromTheTraceFileTree) {
  auto model = make_model("local:bm25", {});
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_EQ((*model)->id(), "local:bm25");
  LocalModel* local = (*model)->as_local();
  ASSERT_NE(local, nullptr);
  auto call = parse_picker_call(testing::picker_payload(0, "Key"));  // "Fix the login session timeout", 5 files
  ASSERT_TRUE(call.ok());
  TeacherInput in{&*call, ""};
  auto c = local->answer(in);
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto files = parse_file_list(c->text);
  ASSERT_GE(files.size(), 2u);
  EXPECT_LE(files.size(), 5u);
  std::set<std::string> top2(files.begin(), files.begin() + 2);
  EXPECT_TRUE(top2.count("src/auth/session.ts") || top2.count("src/auth/login.ts")) << c->text;
  EXPECT_EQ(c->usage.input_tokens, 0);
  EXPECT_EQ((*model)->cost_usd(Usage{1000, 1000, 0, 0}), 0);
  for (const auto& f : files)
    EXPECT_TRUE(std::count(testing::repo_paths().begin(), testing::repo_paths().end(), f)) << f;
}

TEST(LocalBm25, ContextContentsCanDecide) {
  auto model = make_local_model("local:bm25");
  ASSERT_TRUE(model.ok());
  auto call = parse_picker_call(testing::picker_payload(5, "Key"));  // "Document the config options"
  ASSERT_TRUE(call.ok());
  // Only the contents mention "quokka"; the request asks for it.
  call->messages.back().texts = {key_picker_prompt("where is the quokka handler", 1)};
  TeacherInput plain{&*call, ""};
  auto none = (*model)->answer(plain);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->text.find("src/api/users.ts"), std::string::npos);
  std::vector<ContextFile> files = {{"src/api/users.ts", "function quokkaHandler() {}"}};
  TeacherInput with{&*call, render_file_context(files, 0, approx_token_count).text};
  auto c = (*model)->answer(with);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->text, "src/api/users.ts");
}

TEST(LocalModels, UnknownAndUnavailableAreClearErrors) {
  auto bad = make_model("local:nope", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::usage);
  EXPECT_NE(bad.error().message.find("local:nope"), std::string::npos);
  auto no_path = make_model("local:student", {});
  ASSERT_FALSE(no_path.ok());
  EXPECT_EQ(no_path.error().kind, ErrorKind::usage);
  EXPECT_NE(no_path.error().message.find("local:student@PATH"), std::string::npos);
  auto missing = make_model("local:student@/no/such/student.json", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/no/such/student.json"), std::string::npos) << missing.error().message;
}

TEST(Redactor, RemovesHeaderAndUrlSecrets) {
  HttpRequest req;
  req.url = "https://example.test/v1/models/x:generateContent?key=AIzaSECRET123&alt=json";
  req.headers = {
      {"x-api-key", "sk-ant-SECRET456"}, {"Authorization", "Bearer tok-SECRET789"}, {"content-type", "json"}};
  Redactor s;
  s.add_request(req);
  std::string out = s.redact("bad key sk-ant-SECRET456 / AIzaSECRET123 / tok-SECRET789, content json");
  EXPECT_EQ(out.find("SECRET"), std::string::npos) << out;
  EXPECT_NE(out.find("content json"), std::string::npos);
}

}  // namespace
}  // namespace pt
