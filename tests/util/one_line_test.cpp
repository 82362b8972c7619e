// util/one_line: line breaks and tabs become spaces; past the budget the text is cut (at a character
// boundary) and marked.
#include "util/one_line.h"

#include <gtest/gtest.h>

TEST(OneLine, FlattensLineBreaksAndTabs) {
  EXPECT_EQ(pt::one_line("ERROR:\n  bad\r\n\tthing"), "ERROR:   bad   thing");
  EXPECT_EQ(pt::one_line(""), "");
}

TEST(OneLine, CutsAtTheBudgetAndSaysSo) {
  EXPECT_EQ(pt::one_line("abcdef", 6), "abcdef");
  EXPECT_EQ(pt::one_line("abcdefg", 6), "abcdef...");
  EXPECT_EQ(pt::one_line("ab\ncdefg", 3), "ab ...");
  EXPECT_EQ(pt::one_line(std::string(500, 'x')).size(), 203u);  // the default budget is 200 bytes
}

TEST(OneLine, NeverCutsInsideAUtf8Character) {
  // "é" is 2 bytes (C3 A9), "€" 3 (E2 82 AC), "😀" 4 (F0 9F 98 80).
  EXPECT_EQ(pt::one_line("ab\xC3\xA9z", 3), "ab...");          // the cut fell after C3
  EXPECT_EQ(pt::one_line("ab\xC3\xA9z", 4), "ab\xC3\xA9...");  // at the boundary: kept whole
  EXPECT_EQ(pt::one_line("a\xE2\x82\xACz", 2), "a...");
  EXPECT_EQ(pt::one_line("a\xE2\x82\xACz", 3), "a...");
  EXPECT_EQ(pt::one_line("\xF0\x9F\x98\x80xyz", 3), "...");  // nothing whole fits
  EXPECT_EQ(pt::one_line("\xF0\x9F\x98\x80xyz", 4), "\xF0\x9F\x98\x80...");
}
