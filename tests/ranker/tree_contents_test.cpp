// Tests of ranker/tree_contents.h: content BM25 over path + contents, the names files define,
// parent trees read from a real git repository (tests/pipeline/import/test_repo.h), and the
// content features the student gets from them.
#include "ranker/tree_contents.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "../pipeline/import/test_repo.h"
#include "ranker/features.h"
#include "ranker/path_tokens.h"
#include "ranker/trace_view.h"

namespace pt::ranker {
namespace {

std::vector<std::string> paths_of(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.first);
  return out;
}

const std::vector<std::pair<std::string, std::string>> kFiles = {
    {"requests/models.py",
     "class RequestEncodingMixin(object):\n    def _encode_params(data):\n        return urlencode(data)\n"},
    {"requests/sessions.py",
     "class Session:\n    def send(self, request):\n        return self.adapter.send(request)\n"},
    {"requests/utils.py", "def to_key_val_list(value):\n    return list(value)\n"},
    {"docs/encoding.md", "Encoding notes.\n"},
};

TEST(TreeContents, ContentMatchRanksTheFileWhosePathSaysNothing) {
  RepoContents repo;
  repo.add_files_tree("t", kFiles);
  auto tree = repo.tree("t");
  ASSERT_TRUE(tree);
  auto paths = paths_of(kFiles);
  // "urlencode" appears only inside models.py: path BM25 cannot see it, content BM25 can.
  auto path_only = bm25_path_scores(paths, request_words("urlencode is wrong"));
  EXPECT_EQ(*std::max_element(path_only.begin(), path_only.end()), 0.0);
  auto ranked = bm25_content_rank(repo, tree.get(), paths, "urlencode is wrong");
  ASSERT_FALSE(ranked.empty());
  EXPECT_EQ(paths[ranked[0].index], "requests/models.py");
  // Without the tree only the paths count: "encoding" matches docs/encoding.md by its name.
  auto by_path = bm25_content_rank(repo, nullptr, paths, "urlencode encoding");
  ASSERT_EQ(by_path.size(), 1u);
  EXPECT_EQ(paths[by_path[0].index], "docs/encoding.md");
}

TEST(TreeContents, SplitsIdentifiersByCaseAndUnderscores) {
  RepoContents repo;
  repo.add_files_tree("t", kFiles);
  auto paths = paths_of(kFiles);
  auto s = repo.score(repo.tree("t").get(), paths, request_words("key val"), {});
  EXPECT_GT(s.content_only[2], 0.0);  // to_key_val_list
  EXPECT_EQ(s.content_only[0], 0.0);
}

TEST(TreeContents, DefinesCountsNamesTheFileDefinesNotUses) {
  RepoContents repo;
  repo.add_files_tree("t", kFiles);
  auto paths = paths_of(kFiles);
  auto ids = raw_identifiers("fix `RequestEncodingMixin._encode_params` for send()");
  EXPECT_NE(std::find(ids.begin(), ids.end(), "_encode_params"), ids.end());
  auto s = repo.score(repo.tree("t").get(), paths, {}, ids);
  EXPECT_GT(s.defines[0], 0.f);  // defines both names
  EXPECT_GT(s.defines[1], 0.f);  // defines send
  EXPECT_GT(s.defines[0], s.defines[1]);
  EXPECT_EQ(s.defines[2], 0.f);
  EXPECT_EQ(s.defines[3], 0.f);
}

TEST(TreeContents, GoReceiversAndJavaScriptAssignmentsAreDefinitions) {
  RepoContents repo;
  repo.add_files_tree("t", {{"a.go", "func (t *Terminal) printHeader() {\n}\n"},
                            {"b.js", "res.sendFile = function sendFile(path) {\n};\n"},
                            {"c.js", "res.sendFile(path);\n"}});
  std::vector<std::string> paths = {"a.go", "b.js", "c.js"};
  auto s = repo.score(repo.tree("t").get(), paths, {}, raw_identifiers("printHeader and sendFile"));
  EXPECT_GT(s.defines[0], 0.f);
  EXPECT_GT(s.defines[1], 0.f);
  EXPECT_EQ(s.defines[2], 0.f);
}

TEST(TreeContents, ReadsEachCommitsParentTreeFromGit) {
  testing::TestRepo r;
  r.write("lib/a.js", "function alpha() { return 1 }\n");
  r.write("lib/b.js", "function beta() {}\n");
  r.commit("first", 1000);
  r.write("lib/a.js", "function alpha() { return gamma() }\n");
  r.write("bin/tool.bin", std::string("\0\1\2", 3));
  std::string second = r.commit("second", 2000);
  r.write("lib/b.js", "function beta() { gamma }\n");
  std::string third = r.commit("third", 3000);

  auto repo = RepoContents::load_git(r.dir());
  ASSERT_TRUE(repo.ok()) << repo.error().message;
  std::vector<std::string> paths = {"lib/a.js", "lib/b.js", "bin/tool.bin"};
  const std::vector<std::string> gamma = {"gamma"};
  // The second commit saw the first tree: no "gamma" anywhere yet.
  auto t2 = (*repo)->parent_tree(second);
  ASSERT_TRUE(t2);
  EXPECT_EQ(t2->find("bin/tool.bin"), -1);
  auto s2 = (*repo)->score(t2.get(), paths, gamma, {});
  EXPECT_EQ(s2.content_only[0], 0.0);
  // The third saw the second tree: gamma in lib/a.js only; the binary file is listed, not indexed.
  auto t3 = (*repo)->parent_tree(third);
  ASSERT_TRUE(t3);
  EXPECT_GE(t3->find("bin/tool.bin"), 0);
  auto s3 = (*repo)->score(t3.get(), paths, gamma, {});
  EXPECT_GT(s3.content_only[0], 0.0);
  EXPECT_EQ(s3.content_only[1], 0.0);
  EXPECT_EQ((*repo)->parent_tree(std::string(40, 'f')), nullptr);
  EXPECT_FALSE(RepoContents::load_git(r.tmp() + "/missing").ok());
}

TEST(TreeContents, StudentFeaturesSeeContentsAndDefinitions) {
  RepoContents repo;
  repo.add_files_tree("t", kFiles);
  std::string system =
      "<project_file_tree>\nrequests/models.py\nrequests/sessions.py\nrequests/utils.py\n"
      "docs/encoding.md\n</project_file_tree>";
  TraceView v = make_trace_view(system, "RequestEncodingMixin._encode_params breaks urlencode");
  ASSERT_EQ(v.files.size(), 4u);
  v.tree = repo.tree("t");
  HistoryStats s;
  auto cs = extract_candidates(v, s, {});
  bool found = false;
  for (size_t i = 0; i < cs.size(); ++i) {
    if (v.files[static_cast<size_t>(cs.file[i])] != "requests/models.py") continue;
    found = true;
    EXPECT_GT(cs.row(i)[kBm25Content], 0.f);
    EXPECT_FLOAT_EQ(cs.row(i)[kContentRel], 1.f);
    EXPECT_GT(cs.row(i)[kDefines], 0.f);
    EXPECT_EQ(cs.row(i)[kHasContents], 1.f);
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace pt::ranker
