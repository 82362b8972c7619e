// Tests for util/zeroed_array.h: entries start zero, and no page is resident until an entry on it
// is written (the point of the class: std::vector would have written every page); reset() makes
// them zero and returns the pages.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

#include "util/zeroed_array.h"

namespace pt {
namespace {

struct Entry {
  uint64_t key;
  uint64_t value;
};

// How many pages of the array's memory are resident.
template <typename T>
size_t resident_pages(ZeroedArray<T>& a) {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t pages = (a.size() * sizeof(T) + page - 1) / page;
  std::vector<unsigned char> in(pages);
  EXPECT_EQ(::mincore(&a[0], pages * page, in.data()), 0);
  size_t n = 0;
  for (unsigned char c : in) n += c & 1;
  return n;
}

TEST(ZeroedArray, PagesAreResidentOnlyOnceWrittenAndResetMakesThemZeroAgain) {
  ZeroedArray<Entry> a(1 << 20);  // 16 MiB
  EXPECT_EQ(a.size(), 1u << 20);
  EXPECT_EQ(resident_pages(a), 0u);
  a[12345] = Entry{1, 2};
  a[(1 << 20) - 1].value = 9;
  EXPECT_EQ(resident_pages(a), 2u);
  EXPECT_EQ(a[12345].key, 1u);
  EXPECT_EQ(a[12346].key, 0u);
  EXPECT_EQ(a[(1 << 20) - 1].value, 9u);
  a.reset();
  EXPECT_EQ(resident_pages(a), 0u);
  EXPECT_EQ(a[12345].key, 0u);
  EXPECT_EQ(a[(1 << 20) - 1].value, 0u);
}

}  // namespace
}  // namespace pt
