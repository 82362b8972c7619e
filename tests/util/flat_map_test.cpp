// Tests for util/flat_map.h's saved tables: a map rebuilt from words() (copied or borrowed) finds
// what the original held; a borrowed map copies the table before its first change, so the saved
// words never change; copies and moved-from maps stay usable.
#include <gtest/gtest.h>

#include <vector>

#include "util/flat_map.h"

namespace pt {
namespace {

FlatMap64 filled(uint64_t n) {
  FlatMap64 m(n);
  for (uint64_t k = 0; k < n; ++k) m.put(k * 7919, k + 1);
  return m;
}

TEST(FlatMap, BorrowedTableFindsWhatWasSavedAndCopiesBeforeChanging) {
  const FlatMap64 original = filled(1000);
  const std::vector<uint64_t> saved(original.words(), original.words() + original.word_count());
  std::vector<uint64_t> words = saved;
  FlatMap64 borrowed;
  ASSERT_TRUE(FlatMap64::borrow_words(words.data(), words.size(), original.size(), borrowed));
  EXPECT_TRUE(borrowed.borrowed());
  EXPECT_EQ(borrowed.words(), words.data());  // not copied
  for (uint64_t k = 0; k < 1000; ++k) {
    const uint64_t* v = borrowed.find(k * 7919);
    ASSERT_NE(v, nullptr) << k;
    EXPECT_EQ(*v, k + 1);
  }
  EXPECT_EQ(borrowed.find(3), nullptr);

  FlatMap64 copy = borrowed;  // a copy borrows the same table
  EXPECT_EQ(copy.words(), words.data());
  borrowed.put(3, 33);  // the first change copies the table: the saved words stay as they were
  borrowed.put(0, 99);
  EXPECT_FALSE(borrowed.borrowed());
  EXPECT_EQ(words, saved);
  EXPECT_EQ(*borrowed.find(3), 33u);
  EXPECT_EQ(*borrowed.find(0), 99u);
  EXPECT_EQ(*copy.find(0), 1u);
  EXPECT_EQ(copy.find(3), nullptr);
  for (uint64_t k = 1000; k < 5000; ++k) borrowed.insert(k * 7919, 0);  // grows past the borrowed size
  EXPECT_EQ(borrowed.size(), 5001u);
  EXPECT_EQ(*borrowed.find(999 * 7919), 1000u);
  EXPECT_EQ(words, saved);
}

TEST(FlatMap, FromWordsCopiesAndChecksTheShape) {
  const FlatMap64 original = filled(100);
  std::vector<uint64_t> words(original.words(), original.words() + original.word_count());
  FlatMap64 copied;
  ASSERT_TRUE(FlatMap64::from_words(words.data(), words.size(), original.size(), copied));
  EXPECT_FALSE(copied.borrowed());
  words.assign(words.size(), 0);  // the copy does not read the words again
  EXPECT_EQ(*copied.find(99 * 7919), 100u);
  FlatMap64 bad;
  EXPECT_FALSE(FlatMap64::borrow_words(words.data(), 30, 1, bad));               // not a power of two
  EXPECT_FALSE(FlatMap64::borrow_words(words.data(), 16, 1, bad));               // under 16 slots
  EXPECT_FALSE(FlatMap64::borrow_words(words.data(), words.size(), 1000, bad));  // over half full
}

TEST(FlatMap, MovedFromMapIsEmptyAndUsable) {
  FlatMap64 a = filled(50);
  FlatMap64 b = std::move(a);
  EXPECT_EQ(*b.find(49 * 7919), 50u);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  EXPECT_EQ(a.find(0), nullptr);
  a.put(5, 6);
  EXPECT_EQ(*a.find(5), 6u);
  EXPECT_EQ(b.find(5), nullptr);
  b = a;  // copy-assigned from an owning map: its own table
  a.put(5, 7);
  EXPECT_EQ(*b.find(5), 6u);
}

}  // namespace
}  // namespace pt
