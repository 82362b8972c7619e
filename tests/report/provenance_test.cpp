// The report's provenance block (issue 20): store, selection, scored-trace digest, reference,
// models, a student's training provenance (teacher, store, size, held-out window, in-sample count),
// time, picktune build and command — filled by eval score, every value escaped, URI passwords hidden.
#include <gtest/gtest.h>

#include <regex>

#include "pipeline/eval/eval_score.h"
#include "report/html/provenance_block.h"
#include "report/html_report.h"
#include "store/memory/memory_store.h"
#include "support/eval_rows.h"
#include "version.h"

namespace pt {
namespace {

using test::make_relabel;
using test::make_trace;

EvalSummary scored(const std::string& command) {
  MemoryStore st;
  std::vector<std::string> tree = {"lib/a.js", "lib/b.js", "README.md"};
  for (int i = 0; i < 10; ++i) {
    std::string id = "t" + std::to_string(i), step = "s" + std::to_string(i);
    st.add(Table::traces, {make_trace(id, step, "Key", 1000 + i, tree, "change " + std::to_string(i))});
    st.add(Table::relabels, {make_relabel("r" + id, "truth", step, "Key", "lib/a.js", id)});
    st.add(Table::relabels, {make_relabel("g" + id, "local:bm25", step, "Key", i % 2 ? "lib/a.js" : "lib/b.js", id)});
  }
  EvalScoreOptions o;
  o.models = {"local:bm25"};
  o.reference = "truth";
  o.bootstrap.resamples = 100;
  o.command = command;
  auto r = run_eval_score(st, o);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : EvalSummary{};
}

std::string block_of(const std::string& page) {
  size_t a = page.find(R"(<section id="provenance">)");
  size_t b = page.find("</section>", a);
  EXPECT_NE(a, std::string::npos);
  return a == std::string::npos ? "" : page.substr(a, b - a);
}

TEST(ReportProvenance, EvalScoreFillsWhereAndWhenAndTheReportShowsIt) {
  EvalSummary s = scored("picktune eval score --models local:bm25 --reference truth --report r.html");
  EXPECT_EQ(s.provenance.store, "memory:");
  EXPECT_TRUE(std::regex_match(s.provenance.scored_at, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
      << s.provenance.scored_at;
  EXPECT_NE(s.provenance.picktune_version.find(PICKTUNE_VERSION), std::string::npos);
  EXPECT_NE(s.provenance.picktune_version.find(PICKTUNE_GIT_REVISION), std::string::npos);

  std::string page = render_html_report(s);
  std::string block = block_of(page);
  EXPECT_LT(page.find(R"(id="verdict")"), page.find(R"(id="provenance")")) << "the verdict comes first";
  EXPECT_NE(block.find("<dd>memory: · "), std::string::npos) << block;
  EXPECT_NE(block.find(s.selection), std::string::npos);
  EXPECT_NE(block.find("10 traces selected, 10 scored"), std::string::npos) << block;
  EXPECT_NE(block.find(s.scored_digest.substr(0, 16)), std::string::npos);
  EXPECT_NE(block.find("<dt>Reference</dt><dd>truth</dd>"), std::string::npos);
  EXPECT_NE(block.find("<dt>Models</dt><dd>local:bm25</dd>"), std::string::npos);
  EXPECT_NE(block.find(s.provenance.scored_at), std::string::npos);
  EXPECT_NE(block.find("picktune eval score --models local:bm25 --reference truth --report r.html"), std::string::npos);
  EXPECT_EQ(block.find("Trained on"), std::string::npos) << "no student among the models";
}

TEST(ReportProvenance, StudentTrainingIsShownAndInSampleFlagged) {
  EvalSummary s = scored("");
  s.models.push_back("local:student@a.model");
  StudentTraining t;
  t.model = "local:student@a.model";
  t.teacher = "truth";
  t.store = "sqlite:/data/p.db";
  t.holdout_newest = 0.2;
  t.cutoff = "2024-01-02T03:04:05Z";
  t.train_traces = 4321;
  t.selected = 10;
  t.in_sample = 0;
  s.students.push_back(t);
  std::string block = block_of(render_html_report(s));
  EXPECT_NE(block.find("<b>local:student@a.model</b>: trained on 4321 traces of teacher <b>truth</b> from "
                       "sqlite:/data/p.db, holding out the newest 20% (created at or after 2024-01-02T03:04:05Z); "
                       "none of the 10 selected traces was in its training data"),
            std::string::npos)
      << block;
  EXPECT_NE(block.find("<i>not recorded</i>"), std::string::npos) << "an unknown command says so";

  s.students[0].in_sample = 3;
  block = block_of(render_html_report(s));
  EXPECT_NE(block.find("<b>IN-SAMPLE</b>: 3 of the 10 selected traces"), std::string::npos) << block;
}

TEST(ReportProvenance, ValuesAreEscapedAndPasswordsHidden) {
  EvalSummary s = scored("picktune --store postgres://ann:s3cr%40t@db:5432/pt eval score --models '<b>x'");
  s.provenance.store = "postgres://ann:hunter2@db/pt";
  std::string block = block_of(render_html_report(s));
  EXPECT_EQ(block.find("s3cr"), std::string::npos) << block;
  EXPECT_EQ(block.find("hunter2"), std::string::npos) << block;
  EXPECT_NE(block.find("postgres://ann:***@db:5432/pt"), std::string::npos) << block;
  EXPECT_NE(block.find("postgres://ann:***@db/pt"), std::string::npos) << block;
  EXPECT_EQ(block.find("<b>x"), std::string::npos) << block;
  EXPECT_NE(block.find("&lt;b&gt;x"), std::string::npos) << block;

  EXPECT_EQ(redact_uri_passwords("sqlite:/a/b.db"), "sqlite:/a/b.db");
  EXPECT_EQ(redact_uri_passwords("postgres://ann@db/pt"), "postgres://ann@db/pt");
  EXPECT_EQ(redact_uri_passwords("a postgres://u:p@h/d and https://x:y@z/"),
            "a postgres://u:***@h/d and https://x:***@z/");
}

}  // namespace
}  // namespace pt
