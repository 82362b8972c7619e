// Tests for keep_freed_heap(): a freed multi-megabyte block stays in the process's heap, ready for
// the next allocation, instead of going back to the kernel.
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <cstring>

#include "util/heap.h"

namespace pt {
namespace {

// AddressSanitizer's allocator replaces glibc's (g++ says so with __SANITIZE_ADDRESS__, clang
// with __has_feature).
#if defined(__SANITIZE_ADDRESS__)
#define PT_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PT_TEST_ASAN 1
#endif
#endif
#ifdef PT_TEST_ASAN
constexpr bool kGlibcAllocator = false;
#else
constexpr bool kGlibcAllocator = true;
#endif

TEST(Heap, AFreedLargeBlockStaysInTheHeap) {
  if (!kGlibcAllocator) {
    EXPECT_FALSE(keep_freed_heap()) << "another allocator refuses glibc's settings, and says so";
    return;
  }
  ASSERT_TRUE(keep_freed_heap());
  constexpr size_t kBlock = 4 << 20;
  const size_t mapped_before = mallinfo2().hblkhd;
  char* block = static_cast<char*>(std::malloc(kBlock));
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, kBlock);
  EXPECT_EQ(mallinfo2().hblkhd, mapped_before);  // not an mmap of its own
  std::free(block);
  EXPECT_GE(mallinfo2().fordblks, kBlock);  // kept as free heap, not trimmed
}

}  // namespace
}  // namespace pt
