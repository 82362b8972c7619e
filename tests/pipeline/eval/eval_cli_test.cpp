// End-to-end test of `picktune eval score` through the binary: a small git repository made here is
// imported (`import git`: traces + truth), relabeled with local:bm25 (`relabel`), a second model's
// answers are imported as another tool's predictions (`import jsonl`, production-style rows
// without request_type), then `eval score --reference truth --json --report` is checked against an
// independent computation of the figures, and bad input gives the documented messages and exits.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/file_tree.h"
#include "core/picker_call.h"

namespace pt {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

struct CmdResult {
  int rc = -1;
  std::string out, err;
};

class EvalCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pt-evalcli-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  CmdResult sh(const std::string& cmd) {
    CmdResult r;
    std::string err = (dir_ / "stderr.txt").string();
    FILE* p = popen(("cd " + dir_.string() + " && " + cmd + " 2>" + err).c_str(), "r");
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    int status = pclose(p);
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream e(err);
    r.err.assign(std::istreambuf_iterator<char>(e), {});
    return r;
  }
  CmdResult pt(const std::string& args) {
    return sh(std::string(PICKTUNE_BINARY) + " --store sqlite:" + (dir_ / "p.db").string() + " " + args);
  }

  // 14 commits over 10 files (one with spaces in its path), each touching 1-3 existing files.
  void make_repo() {
    fs::path repo = dir_ / "repo";
    const std::vector<std::string> files = {"lib/app.js",   "lib/router.js",  "lib/view.js", "lib/util.js",
                                            "test/app.js",  "test/router.js", "README.md",   "docs/user guide/intro.md",
                                            "package.json", "index.js"};
    auto append = [&](const std::string& f, const std::string& text) {
      fs::create_directories((repo / f).parent_path());
      std::ofstream(repo / f, std::ios::app) << text << "\n";
    };
    for (const auto& f : files) append(f, "start");
    ASSERT_EQ(sh("cd repo && git init -q && git config user.email dev@example.com && git config user.name 'Ann Dev' && "
                 "git add -A && git commit -qm 'initial import'")
                  .rc,
              0);
    const std::vector<std::vector<int>> changes = {{0}, {1, 5}, {6},       {2, 3}, {7},    {0, 4}, {9, 0},
                                                   {1}, {8},    {3, 2, 4}, {6, 7}, {1, 0}, {5},    {9}};
    for (size_t i = 0; i < changes.size(); ++i) {
      std::string subject = "change " + std::to_string(i) + ": update";
      for (int k : changes[i]) {
        append(files[k], "edit " + std::to_string(i));
        subject += " " + files[k];
      }
      ASSERT_EQ(sh("cd repo && git commit -qam '" + subject + "'").rc, 0);
    }
  }
  static std::vector<json> lines(const std::string& text) {
    std::vector<json> rows;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      if (nl > pos) rows.push_back(json::parse(text.substr(pos, nl - pos)));
      pos = nl + 1;
    }
    return rows;
  }

  fs::path dir_;
};

double jaccard_of(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::vector<std::string> inter;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(inter));
  size_t uni = a.size() + b.size() - inter.size();
  return uni == 0 ? 1.0 : static_cast<double>(inter.size()) / static_cast<double>(uni);
}

TEST_F(EvalCli, GitHistoryRelabelImportScoreAndReport) {
  make_repo();
  CmdResult r = pt("import git repo");
  ASSERT_EQ(r.rc, 0) << r.err;
  r = pt("relabel --teacher local:bm25 --progress none");
  ASSERT_EQ(r.rc, 0) << r.err;

  // Another tool's predictions: the first two files of each trace's tree plus an invented path,
  // as production-style relabel rows (no request_type, no trace_id).
  CmdResult traces = pt("export traces");
  ASSERT_EQ(traces.rc, 0) << traces.err;
  std::vector<json> trace_rows = lines(traces.out);
  ASSERT_GE(trace_rows.size(), 12u);
  std::map<std::string, std::vector<std::string>> fake;  // agent step -> picks
  {
    std::ofstream jl(dir_ / "fake.jsonl");
    for (const json& t : trace_rows) {
      auto call = parse_picker_call(t["payload"].dump());
      ASSERT_TRUE(call.ok());
      auto tree = extract_file_tree(system_text(*call));
      ASSERT_GE(tree.size(), 2u);
      std::vector<std::string> picks = {tree[0], tree[1], "no/such/file.js"};
      fake[t["agent_step_id"]] = picks;
      json row = {{"id", "fake-" + t["id"].get<std::string>()},
                  {"agent_step_id", t["agent_step_id"]},
                  {"user_id", t["user_id"]},
                  {"created_at", t["created_at"]},
                  {"model", "other:first-two"},
                  {"payload", {{"output", "1. " + picks[0] + "\n2. `" + picks[1] + "`\n3. " + picks[2]}}}};
      jl << row.dump() << "\n";
    }
  }
  r = pt("import jsonl fake.jsonl");
  ASSERT_EQ(r.rc, 0) << r.err;

  r = pt("eval score --models local:bm25,other:first-two --reference truth --json --report report.html");
  ASSERT_EQ(r.rc, 0) << r.err;
  json j = json::parse(r.out);
  const size_t n = trace_rows.size();
  EXPECT_EQ(j["reference"], "truth");
  EXPECT_EQ(j["n"], n);
  EXPECT_EQ(j["missing_reference"], 0);
  EXPECT_EQ(j["paired_n"], n);

  // The imported model's Jaccard, recomputed here from the truth rows.
  CmdResult truth = pt("export relabels --model truth");
  ASSERT_EQ(truth.rc, 0) << truth.err;
  double sum = 0;
  for (const json& t : lines(truth.out)) {
    std::vector<std::string> ref = t["payload"]["files"];
    sum += jaccard_of(fake.at(t["agent_step_id"]), ref);
  }
  const json& other = j["models"]["other:first-two"];
  EXPECT_EQ(other["n"], n);
  EXPECT_NEAR(other["jaccard"]["mean"].get<double>(), sum / static_cast<double>(n), 1e-12);
  EXPECT_DOUBLE_EQ(other["files_picked"]["mean"].get<double>(), 3.0);
  EXPECT_NEAR(other["hallucinated_rate"]["mean"].get<double>(), 1.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(other["empty_rate"]["mean"].get<double>(), 0.0);

  for (const auto& [model, m] : j["models"].items()) {
    for (const auto& [name, v] : m.items()) {
      if (!v.is_object()) continue;
      double mean = v["mean"], lo = v["ci95"][0], hi = v["ci95"][1];
      EXPECT_LE(lo, mean + 1e-12) << model << " " << name;
      EXPECT_GE(hi, mean - 1e-12) << model << " " << name;
      if (name != "files_picked" && name != "legacy_jaccard_top2") {
        EXPECT_GE(mean, 0.0) << model << " " << name;
        EXPECT_LE(mean, 1.0) << model << " " << name;
      }
    }
    EXPECT_LE(m["recall@1"]["mean"].get<double>(), m["recall@10"]["mean"].get<double>()) << model;
    EXPECT_LE(m["legacy_mrr_top2"]["mean"].get<double>(), 1.0) << model;
  }
  ASSERT_EQ(j["pairs"].size(), 1u);
  const json& pair = j["pairs"][0];
  EXPECT_EQ(pair["a"], "local:bm25");
  EXPECT_EQ(pair["n"], n);
  EXPECT_EQ(pair["jaccard"]["wins"].get<size_t>() + pair["jaccard"]["ties"].get<size_t>() +
                pair["jaccard"]["losses"].get<size_t>(),
            n);
  EXPECT_NEAR(pair["jaccard"]["diff"]["mean"].get<double>(),
              j["models"]["local:bm25"]["jaccard"]["mean"].get<double>() - other["jaccard"]["mean"].get<double>(),
              1e-12);
  EXPECT_EQ(j["by_kind"]["Key"]["n"], n);

  std::ifstream rep(dir_ / "report.html");
  std::string html((std::istreambuf_iterator<char>(rep)), {});
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("other:first-two"), std::string::npos);
  EXPECT_NE(html.find("not in tree"), std::string::npos);
  EXPECT_EQ(html.find("id=\"metric-trend\""), std::string::npos);  // the store's first run: nothing to chart over
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();

  // The terminal table names both models; the report path is printed.
  r = pt("eval score --models local:bm25,other:first-two --reference truth --report report2.html");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("other:first-two"), std::string::npos);
  EXPECT_NE(r.out.find("report: report2.html"), std::string::npos);
  // The second run's report charts jaccard over both runs (this one named), one series per model.
  auto read = [&](const char* name) {
    std::ifstream f(dir_ / name);
    return std::string((std::istreambuf_iterator<char>(f)), {});
  };
  auto count = [](const std::string& s, const std::string& needle) {
    size_t n = 0;
    for (size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
    return n;
  };
  std::string html2 = read("report2.html");
  EXPECT_NE(html2.find("id=\"metric-trend\""), std::string::npos);
  EXPECT_NE(html2.find("2 runs with reference <b>truth</b>"), std::string::npos);
  EXPECT_EQ(count(html2, "<g class=\"series\""), 2u);
  EXPECT_EQ(count(html2, ">this run</text>"), 1u);
  // --no-save: the run is not stored, yet its report shows it as the third point.
  r = pt("eval score --models local:bm25 --reference truth --no-save --report report3.html");
  ASSERT_EQ(r.rc, 0) << r.err;
  std::string html3 = read("report3.html");
  EXPECT_NE(html3.find("3 runs with reference <b>truth</b>"), std::string::npos);
  EXPECT_NE(html3.find("(this run, not saved) · "), std::string::npos);
  EXPECT_EQ(count(html3, ">this run</text>"), 1u);
  EXPECT_EQ(count(html3, "<g class=\"series\""), 2u);  // other:first-two's earlier runs still charted
}

TEST_F(EvalCli, BadInputMessagesAndExitCodes) {
  make_repo();
  ASSERT_EQ(pt("import git repo").rc, 0);
  CmdResult r = pt("eval score --models local:nothing --reference truth");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("no relabels from local:nothing"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("truth ("), std::string::npos) << r.err;
  ASSERT_EQ(pt("relabel --teacher local:bm25 --progress none").rc, 0);
  r = pt("eval score --models local:bm25 --reference truth --since 2999-01-01");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("no get-relevant-files traces since 2999-01-01"), std::string::npos) << r.err;
  r = pt("eval score --models local:bm25 --reference truth --newest 0");
  EXPECT_EQ(r.rc, 2);
  r = pt("eval score --models local:bm25 --reference truth --since yesterday");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("--since"), std::string::npos) << r.err;
  r = pt("eval score --reference truth");
  EXPECT_EQ(r.rc, 2);
  r = pt("eval score --models local:bm25 --reference truth --report /nonexistent-dir/r.html");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("/nonexistent-dir/r.html"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pt
