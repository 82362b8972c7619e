// The `picktune tokens` command end to end: per-file exact counts (table with a total, or one
// JSON line per file), stdin as `-`, JSONL counted as raw text, and clear errors for invalid
// UTF-8 (file + byte offset) and missing files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tokenizer/gemma_tokenizer.h"
#include "tokenizer/js_reference.h"

namespace pt {
namespace {

class TokensCli : public ::testing::Test {
 protected:
  std::filesystem::path dir_ = jsref::temp_dir("tokens-cli");
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string file(const std::string& name, const std::string& content) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  // Runs picktune with `args` (stderr folded into the output).
  std::string run(const std::string& args, int& exit_code) {
    int status = 0;
    std::string out = jsref::run_capture(std::string(PICKTUNE_BINARY) + " " + args + " 2>&1", status);
    exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
  }
  size_t count(const std::string& text) { return (*GemmaTokenizer::shared())->count(text); }
};

TEST_F(TokensCli, JsonLinesPerFileWithExactCounts) {
  std::string code = "int main() {\n    return 0;\n}\n";
  std::string jsonl = "{\"role\": \"user\", \"text\": \"héllo <start_of_turn>\"}\n{\"x\": 1}\n";
  std::string a = file("a.cpp", code), b = file("b.jsonl", jsonl);
  int rc = 0;
  std::string out = run("tokens --json " + a + " " + b, rc);
  ASSERT_EQ(rc, 0) << out;
  std::stringstream lines(out);
  std::string line;
  std::vector<nlohmann::json> rows;
  while (std::getline(lines, line)) rows.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(rows.size(), 2u) << out;
  EXPECT_EQ(rows[0]["file"], a);
  EXPECT_EQ(rows[0]["tokens"], count(code));
  EXPECT_EQ(rows[1]["file"], b);
  EXPECT_EQ(rows[1]["tokens"], count(jsonl));  // JSONL is counted as the raw text it is
  EXPECT_NE(out.find("{\"file\": \""), std::string::npos) << out;
}

TEST_F(TokensCli, TableHasATotal) {
  std::string a = file("a.txt", "Hello world"), b = file("b.txt", "  two  spaces\n\n\tx");
  int rc = 0;
  std::string out = run("tokens " + a + " " + b, rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("2  " + a), std::string::npos) << out;
  EXPECT_NE(out.find("7  " + b), std::string::npos) << out;
  EXPECT_NE(out.find("9  total"), std::string::npos) << out;
}

TEST_F(TokensCli, DashReadsStandardInput) {
  std::string a = file("in.txt", "<start_of_turn>user\nhi<end_of_turn>");
  int rc = 0;
  std::string out = run("tokens --json - < " + a, rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "{\"file\": \"-\", \"tokens\": 5}\n");
}

TEST_F(TokensCli, InvalidUtf8NamesFileAndOffset) {
  std::string good = file("good.txt", "fine");
  std::string bad = file("bad.txt", "abc\xC3(def");
  int rc = 0;
  std::string out = run("tokens --json " + good + " " + bad, rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find(bad + ": invalid UTF-8 at byte offset 3"), std::string::npos) << out;
  EXPECT_EQ(out.find("\"tokens\""), std::string::npos) << "nothing half-printed: " << out;
}

TEST_F(TokensCli, MissingFileIsAnError) {
  int rc = 0;
  std::string out = run("tokens " + (dir_ / "nope.txt").string(), rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("nope.txt: cannot open"), std::string::npos) << out;
}

TEST_F(TokensCli, NoFileIsAUsageError) {
  int rc = 0;
  run("tokens", rc);
  EXPECT_EQ(rc, 2);
}

}  // namespace
}  // namespace pt
