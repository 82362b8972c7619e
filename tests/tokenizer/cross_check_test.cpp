// The tokenizer cross-check: our C++ Gemma 3 tokenizer must produce exactly the token ids of
// the npm package's own JavaScript tokenizer (run with node) on a few hundred varied texts:
// generated edge cases, unicode, code, long lines, random mixes, and real express history.
// Missing node or package is a failure (run scripts/setup.sh), never a skip.
#include <gtest/gtest.h>

#include "tokenizer/corpus.h"
#include "tokenizer/gemma_tokenizer.h"
#include "tokenizer/js_reference.h"

namespace pt {
namespace {

std::string preview(const std::string& text) {
  std::string p = nlohmann::json(text.substr(0, 80)).dump();
  return p + (text.size() > 80 ? "..." : "") + " (" + std::to_string(text.size()) + " bytes)";
}

void expect_same_ids(const std::vector<std::string>& texts) {
  std::string missing = jsref::missing_reason();
  ASSERT_EQ(missing, "") << "the cross-check needs the JS reference";
  auto tokenizer = GemmaTokenizer::shared();
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.error().message;
  std::string error;
  auto expected = jsref::reference_ids(texts, error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(expected.size(), texts.size());
  size_t mismatches = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    // Counted cold, then after encode() and again (word and section caches warm): all exact.
    EXPECT_EQ((*tokenizer)->count(texts[i]), expected[i].size()) << "text #" << i << " " << preview(texts[i]);
    std::vector<int32_t> ours = (*tokenizer)->encode(texts[i]);
    EXPECT_EQ((*tokenizer)->count(texts[i]), expected[i].size()) << "text #" << i << " " << preview(texts[i]);
    if (ours != expected[i]) {
      size_t at = 0;
      while (at < ours.size() && at < expected[i].size() && ours[at] == expected[i][at]) ++at;
      ADD_FAILURE() << "text #" << i << " " << preview(texts[i]) << ": ids differ at token " << at << " (ours "
                    << ours.size() << " tokens, reference " << expected[i].size() << ")";
      if (++mismatches >= 10) break;
    }
  }
}

TEST(TokenizerCrossCheck, GeneratedTextsMatchTheJavaScriptReference) {
  auto texts = testcorpus::cross_check_texts();
  ASSERT_GE(texts.size(), 300u);
  expect_same_ids(texts);
}

TEST(TokenizerCrossCheck, ExpressHistoryMatchesTheJavaScriptReference) {
  auto texts = jsref::express_texts(60, 80);
  ASSERT_GE(texts.size(), 100u) << "could not read data/sample/express.bundle with git";
  expect_same_ids(texts);
}

}  // namespace
}  // namespace pt
