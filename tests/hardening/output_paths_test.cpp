// Output paths (issue 10, docs/SECURITY.md): every file a command writes goes to a temp file in
// the same directory and is renamed into place — never through a symlink planted at the
// destination or at a temp name (they point outside the test dir; the outside files must stay
// untouched and no file may appear there); `collect -o NAME` writes exactly NAME.jsonl,
// NAME-validation.jsonl and NAME.manifest.json; and report.html escapes hostile trace text.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "hardening/cli_fixture.h"
#include "source_dir.h"
#include "support/fakes/fake_tuning.h"
#include "util/atomic_file.h"

namespace pt {
namespace {

using hardening::picktune;
namespace fs = std::filesystem;

constexpr const char* kVictimText = "outside file: must never change\n";

class OutputPaths : public ::testing::Test {
 protected:
  void SetUp() override {
    work_ = dir_.path() / "work";
    outside_ = dir_.path() / "outside";
    fs::create_directories(work_);
    fs::create_directories(outside_);
    hardening::write_text(victim(), kVictimText);
  }
  fs::path victim() const { return outside_ / "victim.txt"; }

  // Symlinks at `dest` and at every temp name the next `span` processes would use (DEST.tmp.PID):
  // half to the victim, half dangling into the outside dir (a write through them would create it).
  void plant(const fs::path& dest, int span = 400) {
    fs::create_symlink(victim(), dest);
    long last = std::stol(testing::slurp("/proc/sys/kernel/ns_last_pid"));
    for (long pid = last + 1; pid <= last + span; ++pid) {
      fs::path tmp = dest.string() + ".tmp." + std::to_string(pid);
      if (pid % 2)
        fs::create_symlink(victim(), tmp);
      else
        fs::create_symlink(outside_ / ("created-" + std::to_string(pid)), tmp);
    }
  }
  // The destination is now a regular file of ours; the outside dir holds only the untouched victim.
  void expect_safe(const fs::path& dest) {
    EXPECT_FALSE(fs::is_symlink(dest)) << dest << " is still the planted symlink";
    EXPECT_TRUE(fs::is_regular_file(dest)) << dest;
    EXPECT_NE(testing::slurp(dest.string()), kVictimText);
    EXPECT_EQ(testing::slurp(victim().string()), kVictimText) << "written through a symlink";
    size_t entries = 0;
    for (const auto& e : fs::directory_iterator(outside_)) entries += (void(e), 1);
    EXPECT_EQ(entries, 1u) << "a file was created outside the requested path";
  }
  pt_test::CliResult pt(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
    args.insert(args.begin(), {"--store", store_});
    auto r = picktune(args, work_.string(), env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  }
  void fill_store() {
    hardening::write_text(dir_.path() / "traces.jsonl", hardening::traces_jsonl(30));
    pt({"import", "jsonl", (dir_.path() / "traces.jsonl").string()});
    pt({"relabel", "--teacher", "local:bm25", "--progress", "none"});
  }

  hardening::ScratchDir dir_{"outpaths"};
  fs::path work_, outside_;
  std::string store_ = "sqlite:" + dir_.str("store.db");
};

TEST_F(OutputPaths, AtomicFileNeverWritesThroughPlantedSymlinks) {
  fs::path dest = work_ / "out.txt";
  fs::create_symlink(victim(), dest);
  fs::path tmp = dest.string() + ".tmp." + std::to_string(::getpid());
  fs::create_symlink(victim(), tmp);
  ASSERT_TRUE(write_file_atomic(dest.string(), "ours\n").ok());
  EXPECT_EQ(testing::slurp(dest.string()), "ours\n");
  EXPECT_TRUE(fs::is_symlink(tmp)) << "the planted temp name is left alone";
  EXPECT_EQ(testing::slurp(victim().string()), kVictimText);

  fs::remove(tmp);
  fs::create_symlink(outside_ / "dangling", tmp);  // a dangling link: following it would create the file
  ASSERT_TRUE(write_file_atomic(dest.string(), "again\n").ok());
  EXPECT_EQ(testing::slurp(dest.string()), "again\n");
  EXPECT_FALSE(fs::exists(outside_ / "dangling"));
  EXPECT_EQ(testing::slurp(victim().string()), kVictimText);
}

TEST_F(OutputPaths, AtomicFileLeavesNothingWhenNotCommitted) {
  fs::path dest = work_ / "half.txt";
  {
    auto f = AtomicFile::create(dest.string());
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(f->write("partial").ok());
  }
  EXPECT_FALSE(fs::exists(dest));
  EXPECT_TRUE(fs::is_empty(work_)) << "the temp file was removed";
  EXPECT_FALSE(write_file_atomic((work_ / "no-such-dir" / "x.txt").string(), "x").ok());
}

TEST_F(OutputPaths, AtomicFileWritesBigFilesWholeThroughWriteBehind) {
  // 80 MB in uneven chunks: several write-behind kicks (every 32 MB) before the commit.
  fs::path dest = work_ / "big.jsonl";
  std::string expected;
  {
    auto f = AtomicFile::create(dest.string());
    ASSERT_TRUE(f.ok());
    for (int i = 0; expected.size() < (size_t{80} << 20); ++i) {
      std::string chunk(static_cast<size_t>(1000 + (i * 7919) % 300000), static_cast<char>('a' + i % 26));
      chunk += std::to_string(i) + "\n";
      ASSERT_TRUE(f->write(chunk).ok());
      expected += chunk;
    }
    EXPECT_FALSE(fs::exists(dest)) << "nothing appears before the commit";
    ASSERT_TRUE(f->commit().ok());
  }
  EXPECT_EQ(fs::file_size(dest), expected.size());
  EXPECT_TRUE(testing::slurp(dest.string()) == expected);
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(work_)) left.push_back(e.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"big.jsonl"});
  {  // an uncommitted big file leaves nothing behind either
    auto f = AtomicFile::create((work_ / "big2.jsonl").string());
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(f->write(std::string(size_t{40} << 20, 'z')).ok());
  }
  EXPECT_FALSE(fs::exists(work_ / "big2.jsonl"));
  EXPECT_EQ(std::distance(fs::directory_iterator(work_), fs::directory_iterator()), 1);
}

TEST_F(OutputPaths, ExportCollectReportStudentAndRegistryWritesReplaceSymlinksNeverFollowThem) {
  fill_store();
  fs::path exported = work_ / "rows.jsonl";
  plant(exported);
  pt({"export", "traces", "-o", exported.string()});
  expect_safe(exported);
  std::string text = testing::slurp(exported.string());
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 30);

  std::string name = (work_ / "data").string();
  for (const char* suffix : {".jsonl", "-validation.jsonl", ".manifest.json"}) plant(name + suffix, 150);
  pt({"collect", "--teacher", "local:bm25", "-o", name, "--validation-fraction", "0.3"});
  for (const char* suffix : {".jsonl", "-validation.jsonl", ".manifest.json"}) expect_safe(name + suffix);

  fs::path report = work_ / "report.html";
  plant(report);
  pt({"eval", "score", "--models", "local:bm25", "--reference", "local:bm25", "--report", report.string(),
      "--bootstrap", "20"});
  expect_safe(report);

  fs::path model = work_ / "student.model";
  plant(model);
  pt({"student", "train", "--teacher", "local:bm25", "-o", model.string()});
  expect_safe(model);

  // tune submit rewrites the registry file.
  fs::path registry = work_ / "finetunes.json";
  hardening::write_text(dir_.path() / "registry-src.json",
                        testing::slurp(std::string(PICKTUNE_SOURCE_DIR) + "/data/finetunes.json"));
  fs::copy_file(dir_.path() / "registry-src.json", outside_ / "registry.json");
  fs::create_symlink(outside_ / "registry.json", registry);
  fake::FakeTuning tuning;
  // OpenAI takes chat lines only (issue 20: the Gemini file above would be refused before upload).
  pt({"collect", "--teacher", "local:bm25", "-o", name + "-openai", "--format", "openai"});
  pt({"tune", "--registry", registry.string(), "submit", "--provider", "openai", "--train", name + "-openai.jsonl",
      "--id", "ft_symlink_test_001"},
     {"OPENAI_API_KEY=sk-test", "OPENAI_BASE_URL=" + tuning.base_url() + "/v1"});
  EXPECT_FALSE(fs::is_symlink(registry));
  EXPECT_NE(testing::slurp(registry.string()).find("ft_symlink_test_001"), std::string::npos);
  EXPECT_EQ(testing::slurp((outside_ / "registry.json").string()), testing::slurp(dir_.str("registry-src.json")));
}

TEST_F(OutputPaths, CollectWritesOnlyItsThreeFiles) {
  fill_store();
  fs::path out = work_ / "only";
  fs::create_directories(out);
  pt({"collect", "--teacher", "local:bm25", "-o", (out / "name").string(), "--validation-fraction", "0.3"});
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(out)) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"name.jsonl", "name-validation.jsonl", "name.manifest.json"}));
  std::set<std::string> work;
  for (const auto& e : fs::directory_iterator(work_)) work.insert(e.path().filename().string());
  EXPECT_EQ(work, std::set<std::string>{"only"}) << "nothing written to the working directory";
}

// A Key trace whose request carries markup; `id` and the request text are hostile too.
Row hostile_trace(int i, const std::string& request) {
  Row r = testing::picker_trace(i, "Key");
  auto p = nlohmann::json::parse(r.payload);
  p["messages"].back()["content"][0]["text"] = key_picker_prompt(request, 5);
  r.payload = p.dump();
  return r;
}

TEST_F(OutputPaths, HtmlReportEscapesHostileTraceText) {
  const std::vector<std::string> hostile = {"<script>alert(1)</script>", "\"><img src=x onerror=alert(2)>",
                                            "]]><svg onload=alert(3)>", "</title><script>alert(4)</script>",
                                            "'><iframe src=javascript:alert(5)>"};
  std::string rows;
  for (int i = 0; i < 20; ++i) {
    Row t = hostile_trace(i, "Fix " + hostile[static_cast<size_t>(i) % hostile.size()] + " #" + std::to_string(i));
    rows += hardening::jsonl_line(t);
    // Another tool's answer naming hostile paths, imported as model "imported<b>".
    nlohmann::json ans = {
        {"request_type", "Key"}, {"trace_id", t.id}, {"output", "src/auth/login.ts\n" + hostile[1] + ".ts\n]]>.md"}};
    Row a{"ans-" + std::to_string(i), t.agent_step_id, t.user_id, t.created_at_us, "", "imported<b>", ans.dump()};
    rows += hardening::jsonl_line(a);
  }
  hardening::write_text(dir_.path() / "hostile.jsonl", rows);
  pt({"import", "jsonl", (dir_.path() / "hostile.jsonl").string()});
  pt({"relabel", "--teacher", "local:bm25", "--progress", "none"});
  fs::path report = work_ / "report.html";
  pt({"eval", "score", "--models", "imported<b>", "--reference", "local:bm25", "--report", report.string(),
      "--examples", "20", "--bootstrap", "20"});
  std::string html = testing::slurp(report.string());
  ASSERT_FALSE(html.empty());
  std::string lower = html;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* tag : {"<script", "<img", "<iframe", "<svg onload", "]]>", "imported<b>"})
    EXPECT_EQ(lower.find(tag), std::string::npos) << "unescaped " << tag;
  for (const auto& h : hostile) EXPECT_EQ(html.find(h), std::string::npos) << h;
  // The text is shown, escaped.
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"), std::string::npos);
  EXPECT_NE(html.find("]]&gt;"), std::string::npos);
  EXPECT_NE(html.find("imported&lt;b&gt;"), std::string::npos);
}

}  // namespace
}  // namespace pt
