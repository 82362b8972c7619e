// util/one_line: line breaks and tabs become spaces; past the budget the text is cut and marked.
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
