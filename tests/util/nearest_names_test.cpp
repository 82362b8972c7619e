// Tests of the edit distance and the "did you mean" suggestions (util/nearest_names.h).
#include "util/nearest_names.h"

#include <gtest/gtest.h>

namespace {

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(pt::edit_distance("", ""), 0u);
  EXPECT_EQ(pt::edit_distance("abc", ""), 3u);
  EXPECT_EQ(pt::edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(pt::edit_distance("tracs", "traces"), 1u);
  EXPECT_EQ(pt::edit_distance("relabel", "relabels"), 1u);
}

TEST(NearestNames, NearestFirstPrefixesIncludedFarOnesDropped) {
  std::vector<std::string> names = {"init", "traces", "relabels", "relabel", "export", "tokens", "quickstart"};
  EXPECT_EQ(pt::nearest_names("relabl", names), (std::vector<std::string>{"relabel", "relabels"}));
  EXPECT_EQ(pt::nearest_names("tracs", names), (std::vector<std::string>{"traces"}));
  EXPECT_EQ(pt::nearest_names("quick", names), (std::vector<std::string>{"quickstart"}));
  EXPECT_TRUE(pt::nearest_names("zzzzzzzz", names).empty());
  EXPECT_EQ(pt::nearest_names("t", names, 2).size(), 2u);
}

}  // namespace
