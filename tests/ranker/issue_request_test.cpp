// Tests of ranker/issue_request.h: title, fences and stack frames of issue-style requests, and
// the student's frame feature built from them.
#include "ranker/issue_request.h"

#include <gtest/gtest.h>

#include "ranker/features.h"
#include "ranker/trace_view.h"

namespace pt::ranker {
namespace {

constexpr std::string_view kPythonIssue = R"(## Crash on empty dict in `_encode_params`

When I pass an empty dict I get:

```
Traceback (most recent call last):
  File "/home/me/app.py", line 3, in <module>
    requests.post(url, data={})
  File "/usr/lib/python3/site-packages/requests/models.py", line 101, in _encode_params
    for k, vs in to_key_val_list(data):
  File "/usr/lib/python3/site-packages/requests/utils.py", line 12, in to_key_val_list
    raise ValueError
ValueError
```
Expected: no error.
)";

TEST(IssueRequest, TitleProseCodeAndPythonFramesInnermostFirst) {
  IssueRequest r = parse_issue_request(kPythonIssue);
  EXPECT_EQ(r.title, "Crash on empty dict in `_encode_params`");
  ASSERT_EQ(r.code_blocks.size(), 1u);
  EXPECT_NE(r.code_blocks[0].find("Traceback"), std::string::npos);
  EXPECT_EQ(r.prose.find("Traceback"), std::string::npos);
  EXPECT_NE(r.prose.find("Expected: no error."), std::string::npos);
  ASSERT_EQ(r.frames.size(), 3u);
  EXPECT_EQ(r.frames[0].path, "/usr/lib/python3/site-packages/requests/utils.py");
  EXPECT_EQ(r.frames[0].line, 12);
  EXPECT_EQ(r.frames[0].function, "to_key_val_list");
  EXPECT_EQ(r.frames[2].path, "/home/me/app.py");
}

TEST(IssueRequest, JavaScriptAndCompilerFrames) {
  IssueRequest r = parse_issue_request(
      "TypeError: x is undefined\n"
      "    at Layer.handle [as handle_request] (/srv/app/node_modules/express/lib/router/layer.js:95:5)\n"
      "    at next (/srv/app/node_modules/express/lib/router/route.js:137:13)\n"
      "thread 'main' panicked at crates/core/main.rs:77:9\n"
      "see also foo/bar.py:123 and version 1.2\n");
  ASSERT_EQ(r.frames.size(), 4u);
  EXPECT_EQ(r.frames[0].path, "/srv/app/node_modules/express/lib/router/layer.js");
  EXPECT_EQ(r.frames[0].function, "handle");
  EXPECT_EQ(r.frames[1].function, "next");
  EXPECT_EQ(r.frames[2].path, "crates/core/main.rs");
  EXPECT_EQ(r.frames[2].line, 77);
  EXPECT_EQ(r.frames[3].path, "foo/bar.py");
}

TEST(IssueRequest, CommitMessagesHaveNoFrames) {
  IssueRequest r = parse_issue_request("Fix res.sendFile for paths with dots (e.g. a.b)\n\nCloses #12");
  EXPECT_TRUE(r.frames.empty());
  EXPECT_TRUE(r.code_blocks.empty());
  EXPECT_EQ(r.title, "Fix res.sendFile for paths with dots (e.g. a.b)");
}

TEST(IssueRequest, FrameFeatureFavoursTheInnermostRepositoryFile) {
  std::string system =
      "<project_file_tree>\nrequests/models.py\nrequests/utils.py\nrequests/api.py\nutils.py\n</project_file_tree>";
  TraceView v = make_trace_view(system, kPythonIssue);
  EXPECT_NE(std::find(v.identifiers.begin(), v.identifiers.end(), "to_key_val_list"), v.identifiers.end());
  HistoryStats s;
  auto cs = extract_candidates(v, s, {});
  std::map<std::string, float> frame;
  for (size_t i = 0; i < cs.size(); ++i) frame[v.files[static_cast<size_t>(cs.file[i])]] = cs.row(i)[kFrame];
  EXPECT_FLOAT_EQ(frame["requests/utils.py"], 1.f);
  EXPECT_FLOAT_EQ(frame["requests/models.py"], 0.8f);
  EXPECT_FLOAT_EQ(frame["utils.py"], 1.f);  // the whole of the shorter path
  EXPECT_EQ(frame.count("requests/api.py") ? frame["requests/api.py"] : 0.f, 0.f);
}

}  // namespace
}  // namespace pt::ranker
