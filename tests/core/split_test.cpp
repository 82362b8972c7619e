// Tests for core/split (production's validation rule) and pipeline/collect_util (the input hash, the
// dedup hash set, the token-count memo).
#include "core/split.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "pipeline/collect/collect_util.h"
#include "util/sha256.h"

namespace pt {
namespace {

TEST(Split, ProductionRuleOnFirstEightHexDigits) {
  // sha256("abc") = ba7816bf…: 0xba7816bf / 0xffffffff = 0.72839…
  std::string h = sha256_hex("abc");
  EXPECT_EQ(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(in_validation(h, 0.7284));
  EXPECT_FALSE(in_validation(h, 0.7283));
  EXPECT_TRUE(in_validation("00000000ffff", 0.0));
  EXPECT_TRUE(in_validation("FFFFFFFF", 1.0));
  EXPECT_FALSE(in_validation("FFFFFFFF", 0.999));
  EXPECT_FALSE(in_validation("ba78", 0.99));      // too short: training
  EXPECT_FALSE(in_validation("zz7816bf", 0.99));  // not hex: training
}

TEST(Split, KeysAndSeed) {
  EXPECT_EQ(split_key(SplitBy::step, "s", "u", "t"), "s");
  EXPECT_EQ(split_key(SplitBy::user, "s", "u", "t"), "u");
  EXPECT_EQ(split_key(SplitBy::trace, "s", "u", "t"), "t");
  EXPECT_EQ(split_hash_input("step-1", std::nullopt), "step-1");
  EXPECT_EQ(split_hash_input("step-1", 42), "42:step-1");
  EXPECT_EQ(*parse_split_by("trace"), SplitBy::trace);
  EXPECT_EQ(parse_split_by("session").error().kind, ErrorKind::usage);
}

TEST(Split, FractionIsRoughlyRespectedAndSeedChangesAssignment) {
  int val = 0, moved = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string key = "step-" + std::to_string(i);
    bool a = in_validation(sha256_hex(split_hash_input(key, std::nullopt)), 0.1);
    bool b = in_validation(sha256_hex(split_hash_input(key, 7)), 0.1);
    val += a;
    moved += a != b;
  }
  EXPECT_NEAR(val / 4000.0, 0.1, 0.02);
  EXPECT_GT(moved, 200);
}

TEST(Split, BadFractions) {
  for (double f : {0.0, 1.0, -0.1, 1.5, std::nan("")}) {
    auto r = check_validation_fraction(f);
    ASSERT_FALSE(r.ok()) << f;
    EXPECT_EQ(r.error().kind, ErrorKind::usage);
  }
  EXPECT_TRUE(check_validation_fraction(0.05).ok());
}

TEST(CollectUtil, HashSetDedupsAcrossGrowth) {  // collect's dedup set: a util/flat_map.h table
  FlatMap64 set{1024};
  for (uint64_t i = 1; i <= 100000; ++i) ASSERT_TRUE(set.insert(i * 0x9e3779b97f4a7c15ULL, 0));
  for (uint64_t i = 1; i <= 100000; i += 97) EXPECT_FALSE(set.insert(i * 0x9e3779b97f4a7c15ULL, 0));
  EXPECT_EQ(set.size(), 100000u);
  EXPECT_LE(set.capacity(), 262144u);
  EXPECT_TRUE(set.insert(0, 0));
  EXPECT_FALSE(set.insert(0, 0));
}

TEST(CollectUtil, TokenMemoCountsLongRepeatsOnce) {
  int calls = 0;
  auto count = [&](std::string_view t) {
    ++calls;
    return t.size() / 3 + static_cast<size_t>(std::count(t.begin(), t.end(), 'z'));
  };
  TokenMemo memo(count);
  std::string big(2000, 'x'), big2(2000, 'z'), small = "short";
  std::vector<size_t> counts;
  for (std::string_view t : {std::string_view(big), std::string_view(small), std::string_view(big2),
                             std::string_view(big), std::string_view(small)})
    counts.push_back(memo.count(t));
  EXPECT_EQ(counts, (std::vector<size_t>{666, 1, 2666, 666, 1}));
  EXPECT_EQ(calls, 4);  // the second big from the memo; short texts are always counted
  EXPECT_EQ(memo.reused(), 1u);
  // same length, different text: never confused
  std::string big3 = big;
  big3[1000] = 'z';
  EXPECT_EQ(memo.count(big3), 667u);
  EXPECT_EQ(memo.count(big), 666u);
  // more distinct texts than the memo holds: still exact
  for (size_t i = 0; i < TokenMemo::kMaxEntries + 10; ++i) {
    std::string t = std::to_string(i) + std::string(TokenMemo::kMinCachedBytes, 'z');
    ASSERT_EQ(memo.count(t), t.size() / 3 + TokenMemo::kMinCachedBytes) << i;
  }
  EXPECT_EQ(memo.count(big2), 2666u);
}

TEST(CollectUtil, InputHashCoversInputOnly) {
  TuningExample a;
  a.system = {"TREE"};
  a.contents = {{false, {"hello"}}, {true, {"a.ts"}}};
  TuningExample b = a;
  b.contents.back().parts = {"b.ts"};  // another answer, same input
  EXPECT_EQ(input_hash(a), input_hash(b));
  TuningExample c = a;
  c.system = {"TREEhello"};
  c.contents.front().parts = {""};  // the same bytes, another boundary
  EXPECT_NE(input_hash(a), input_hash(c));
  TuningExample d = a;
  d.contents.front().model = true;
  EXPECT_NE(input_hash(a), input_hash(d));
}

}  // namespace
}  // namespace pt
