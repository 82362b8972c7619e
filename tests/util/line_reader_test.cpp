// Tests of pipeline/line_reader: plain and zstd files, a last line without '\n', empty lines,
// an over-long line reported and skipped with reading continuing, truncated and missing files.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zstd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "util/line_reader.h"

namespace {

std::string temp_path(const std::string& name) { return "/tmp/pt_lr_" + std::to_string(::getpid()) + "_" + name; }

void write_file(const std::string& path, const std::string& data) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_TRUE(f);
  std::fwrite(data.data(), 1, data.size(), f);
  std::fclose(f);
}

std::string zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  out.resize(n);
  return out;
}

// Reads every line; errors are recorded as "!LINE:MESSAGE".
std::vector<std::string> read_all(const std::string& path, size_t max_line = pt::kDefaultMaxLineBytes) {
  auto reader = pt::LineReader::open(path, max_line);
  EXPECT_TRUE(reader.ok());
  std::vector<std::string> out;
  std::string_view line;
  for (;;) {
    auto r = (*reader)->next(line);
    if (!r.ok()) {
      out.push_back("!" + std::to_string((*reader)->line_number()) + ":" + r.error().message);
      continue;
    }
    if (!*r) break;
    out.emplace_back(line);
  }
  return out;
}

TEST(LineReader, ReadsLinesIncludingEmptyAndUnterminatedLast) {
  std::string p = temp_path("plain");
  write_file(p, "a\n\nccc\r\nlast");
  EXPECT_EQ(read_all(p), (std::vector<std::string>{"a", "", "ccc\r", "last"}));
  write_file(p, "");
  EXPECT_TRUE(read_all(p).empty());
  std::remove(p.c_str());
}

TEST(LineReader, ReadsZstdAcrossChunksAndFrames) {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "line " + std::to_string(i) + "\n";
  std::string p = temp_path("z.zst");
  write_file(p, zstd(text.substr(0, 1000000)) + zstd(text.substr(1000000)));  // two frames
  auto lines = read_all(p);
  ASSERT_EQ(lines.size(), 200000u);
  EXPECT_EQ(lines[0], "line 0");
  EXPECT_EQ(lines[199999], "line 199999");

  std::string z = zstd(text);
  write_file(p, z.substr(0, z.size() / 2));
  auto truncated = read_all(p);
  ASSERT_FALSE(truncated.empty());
  EXPECT_EQ(truncated.back().find("truncated zstd data") != std::string::npos, true) << truncated.back();
  std::remove(p.c_str());
}

TEST(LineReader, OverLongLineIsAnErrorForThatLineOnly) {
  std::string p = temp_path("long");
  std::string big(5u << 20, 'x');  // 5 MiB, over a 1 MiB limit, spans several read chunks
  write_file(p, "ok1\n" + big + "\nok2\n" + big);
  EXPECT_EQ(read_all(p, 1u << 20), (std::vector<std::string>{"ok1", "!2:line is longer than the 1 MiB limit", "ok2",
                                                             "!4:line is longer than the 1 MiB limit"}));
  std::remove(p.c_str());
}

TEST(LineReader, MissingFileNamesThePath) {
  auto r = pt::LineReader::open("/nonexistent/x.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "/nonexistent/x.jsonl: cannot open: No such file or directory");
}

}  // namespace
