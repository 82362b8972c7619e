// Unit tests of the Gemma 3 tokenizer: known ids from the JS reference, count == encode size,
// invalid UTF-8 handling (WHATWG repair, like Node), load errors, and the BPE semantics
// (tie-breaks, duplicate merges, byte fallback, added-token matching) on tiny hand-made models.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tokenizer/corpus.h"
#include "tokenizer/gemma_tokenizer.h"
#include "util/utf8.h"

namespace pt {
namespace {

const GemmaTokenizer& gemma() {
  auto t = GemmaTokenizer::shared();
  if (!t.ok()) {
    ADD_FAILURE() << t.error().message;
    std::abort();
  }
  return **t;
}

using Ids = std::vector<int32_t>;

TEST(GemmaTokenizer, KnownIdsFromTheReference) {
  // Expected ids printed by tests/tokenizer/js/gemma_tokenize.js (the npm package).
  EXPECT_EQ(gemma().encode("Hello world"), (Ids{9259, 1902}));
  EXPECT_EQ(gemma().encode("  two  spaces\n\n\tx"), (Ids{138, 13498, 138, 35220, 108, 255968, 236781}));
  EXPECT_EQ(gemma().encode("<start_of_turn>user\nhi<end_of_turn>"), (Ids{105, 2364, 107, 2202, 106}));
  EXPECT_EQ(gemma().encode("a    b"), (Ids{236746, 140, 236763}));
  EXPECT_EQ(gemma().encode("\xE2\x96\x81\xE2\x96\x81x"), (Ids{138, 236781}));
  EXPECT_EQ(gemma().encode("<image_soft_token>"), (Ids{262144}));
  EXPECT_EQ(gemma().encode("<0x41>"), (Ids{236820, 236771, 236781, 236812, 236770, 236813}));
  EXPECT_EQ(gemma().encode(""), Ids{});
}

TEST(GemmaTokenizer, CountIsTheNumberOfIds) {
  for (const std::string& text : testcorpus::cross_check_texts())
    ASSERT_EQ(gemma().count(text), gemma().encode(text).size()) << text;
}

TEST(GemmaTokenizer, NeverMoreTokensThanBytes) {
  // core/file_context.h's TokenCountFn contract (render_file_context skips counting by it).
  std::vector<std::string> texts = testcorpus::cross_check_texts();
  for (std::string odd : {"\xFF", "a\xC3", "\xE2\x96", " ", "\n", "\t", "<", "\xF0\x9F\x98\x80", "<start_of_turn>"})
    texts.push_back(odd);
  for (const std::string& text : texts) ASSERT_LE(gemma().count(text), text.size()) << text;
}

TEST(GemmaTokenizer, RepeatedSectionsGiveTheSameIds) {
  // The per-thread section cache must never change results.
  std::string text = testcorpus::repeat("    return value;\n}\n", 50);
  Ids first = gemma().encode(text);
  EXPECT_EQ(gemma().encode(text), first);
  EXPECT_EQ(first.size(), 50 * gemma().encode("    return value;\n}\n").size());
}

TEST(Utf8, RepairFollowsTheWhatwgDecoder) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(tok::utf8_repair("a\xFF"
                             "b"),
            "a" + fffd + "b");
  EXPECT_EQ(tok::utf8_repair("\xF0\x9F\x98"), fffd);                // truncated: one subpart
  EXPECT_EQ(tok::utf8_repair("\xED\xA0\x80"), fffd + fffd + fffd);  // surrogate: three
  EXPECT_EQ(tok::utf8_repair("\xC0\xAF"), fffd + fffd);             // overlong
  EXPECT_EQ(tok::utf8_repair("\xE2\x96\x81ok"), "\xE2\x96\x81ok");
  EXPECT_EQ(tok::utf8_invalid_offset("abc\xE2\x96"), 3u);
  EXPECT_EQ(tok::utf8_invalid_offset("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(tok::utf8_invalid_offset("ok \xF4\x8F\xBF\xBF"), std::string::npos);
}

TEST(GemmaTokenizer, InvalidUtf8IsEncodedAsNodeWouldDecodeIt) {
  EXPECT_EQ(gemma().encode("a\xFF"
                           "b c"),
            gemma().encode("a\xEF\xBF\xBD"
                           "b c"));
  EXPECT_EQ(gemma().count("x\xED\xA0\x80y"), gemma().encode("x\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDy").size());
}

// --- tiny hand-made models ---

class TinyModel : public ::testing::Test {
 protected:
  std::filesystem::path dir_ = std::filesystem::temp_directory_path() / ("picktune-tok-" + std::to_string(::getpid()));
  void SetUp() override { std::filesystem::create_directories(dir_); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // vocab: id per string in order; byte tokens <0x00>..<0xFF> appended when `bytes`.
  std::string write(const std::vector<std::string>& vocab, const std::string& merges_json,
                    const std::string& added_json = "[]", bool bytes = true, const std::string& normalizer = "") {
    std::string v = "{";
    int id = 0;
    auto add = [&](const std::string& s) {
      v += (id ? ",\"" : "\"") + s + "\":" + std::to_string(id);
      ++id;
    };
    for (const auto& s : vocab) add(s);
    static const char* hex = "0123456789ABCDEF";
    for (int b = 0; bytes && b < 256; ++b) add(std::string("<0x") + hex[b >> 4] + hex[b & 15] + ">");
    v += "}";
    std::string norm = normalizer.empty() ? R"({"type":"Replace","pattern":{"String":" "},"content":"▁"})" : normalizer;
    std::string json =
        R"({"version":"1.0","added_tokens":)" + added_json + R"(,"normalizer":)" + norm +
        R"(,"pre_tokenizer":{"type":"Split","pattern":{"String":" "},"behavior":"MergedWithPrevious","invert":false},)" +
        R"("model":{"type":"BPE","unk_token":"<unk>","fuse_unk":true,"byte_fallback":true,"vocab":)" + v +
        R"(,"merges":)" + merges_json + "}}";
    std::string path = (dir_ / ("t" + std::to_string(counter_++) + ".json")).string();
    std::ofstream(path) << json;
    return path;
  }
  std::unique_ptr<GemmaTokenizer> load(const std::string& path) {
    auto t = GemmaTokenizer::load(path);
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
    return t.ok() ? std::move(t.value()) : nullptr;
  }
  int counter_ = 0;
};

TEST_F(TinyModel, LowerRankFirstThenLeftmost) {
  // ids: <unk>=0 a=1 b=2 c=3 ab=4 bc=5 aa=6 ▁=7
  auto t = load(write({"<unk>", "a", "b", "c", "ab", "bc", "aa", "▁"}, R"([["b","c"],["a","b"],["a","a"]])"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->encode("abc"), (Ids{1, 5}));       // (b,c) has rank 0: a + bc
  EXPECT_EQ(t->encode("aaa"), (Ids{6, 1}));       // equal ranks: the leftmost pair first
  EXPECT_EQ(t->encode("ab ab"), (Ids{4, 7, 4}));  // ' ' is '▁' and merges nothing here
}

TEST_F(TinyModel, RepeatedMergeTakesItsLastRank) {
  // (a,b) is listed first and last: its rank is 2, after (b,c) at 1.
  auto t = load(write({"<unk>", "a", "b", "c", "ab", "bc"}, R"([["a","b"],["b","c"],["a","b"]])"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->encode("abc"), (Ids{1, 5}));
}

TEST_F(TinyModel, UnknownTextFallsBackToBytes) {
  // "xy" is merged but not in the vocabulary: its bytes; "é" is unknown: its two bytes.
  auto t = load(write({"<unk>", "x", "y"}, R"([["x","y"]])"));
  ASSERT_TRUE(t);
  const int32_t byte0 = 3;
  EXPECT_EQ(t->encode("xy"), (Ids{byte0 + 'x', byte0 + 'y'}));
  EXPECT_EQ(t->encode("\xC3\xA9"), (Ids{byte0 + 0xC3, byte0 + 0xA9}));
  auto no_bytes = load(write({"<unk>", "x"}, "[]", "[]", false));
  ASSERT_TRUE(no_bytes);
  EXPECT_EQ(no_bytes->encode("xz"), (Ids{1, 0}));    // no <0xNN> tokens: <unk>
  EXPECT_EQ(no_bytes->encode("xzzz"), (Ids{1, 0}));  // fuse_unk: consecutive <unk>s are one
  EXPECT_EQ(no_bytes->encode("zxz"), (Ids{0, 1, 0}));
}

TEST_F(TinyModel, AddedTokensSplitTheTextLongestFirst) {
  std::string added = R"([{"id":1000,"content":"<s>","special":true},{"id":1001,"content":"<s>>","special":false},)"
                      R"({"id":1002,"content":"\n","special":false}])";
  auto t = load(write({"<unk>", "a", "<", ">", "s"}, "[]", added));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->encode("a<s>>a<s>\n<s"), (Ids{1, 1001, 1, 1000, 1002, 2, 4}));
}

TEST_F(TinyModel, UnsupportedConfigurationsAreRefused) {
  auto path = write({"<unk>"}, "[]", "[]", true, R"({"type":"NFKC"})");
  auto t = GemmaTokenizer::load(path);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("normalizer"), std::string::npos) << t.error().message;
  std::string strip = R"([{"id":1,"content":"<x>","lstrip":true}])";
  auto t2 = GemmaTokenizer::load(write({"<unk>"}, "[]", strip));
  ASSERT_FALSE(t2.ok());
  EXPECT_NE(t2.error().message.find("strips whitespace"), std::string::npos) << t2.error().message;
}

TEST_F(TinyModel, CachesDoNotLeakBetweenModels) {
  auto one = load(write({"<unk>", "a", "b", "ab"}, R"([["a","b"]])"));
  auto two = load(write({"<unk>", "a", "b", "ab"}, "[]"));
  ASSERT_TRUE(one && two);
  EXPECT_EQ(one->encode("ab"), (Ids{3}));
  EXPECT_EQ(two->encode("ab"), (Ids{1, 2}));
  EXPECT_EQ(one->encode("ab"), (Ids{3}));
}

TEST(GemmaTokenizerLoad, MissingFileSaysToRunSetup) {
  auto t = GemmaTokenizer::load("/nonexistent/tokenizer.json");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("/nonexistent/tokenizer.json"), std::string::npos);
  EXPECT_NE(t.error().message.find("scripts/setup.sh"), std::string::npos);
}

TEST(GemmaTokenizerLoad, MalformedJsonNamesTheFile) {
  std::string path = (std::filesystem::temp_directory_path() / "picktune-bad-tokenizer.json").string();
  std::ofstream(path) << "{\"model\": [";
  auto t = GemmaTokenizer::load(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find(path), std::string::npos) << t.error().message;
}

}  // namespace
}  // namespace pt
