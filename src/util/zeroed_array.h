// ZeroedArray<T>: a fixed-size array of trivially copyable T in zero pages straight from the
// kernel (an anonymous mapping), for big direct-mapped caches whose all-zero entry means "empty".
// No page is touched until an entry on it is, so a 16 MB cache that a short run barely uses costs
// a few page faults instead of 4,000 (std::vector value-initializes every byte; calloc does too
// when it reuses freed heap memory). reset() makes every entry zero again and returns the pages.
#pragma once
#include <sys/mman.h>

#include <cstddef>
#include <new>
#include <type_traits>

namespace pt {

template <typename T>
class ZeroedArray {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
  static_assert(alignof(T) <= 4096);

 public:
  explicit ZeroedArray(size_t n) : n_(n), bytes_(n * sizeof(T)) {
    if (bytes_ == 0) return;
    void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    items_ = static_cast<T*>(p);
  }
  ZeroedArray(const ZeroedArray&) = delete;
  ZeroedArray& operator=(const ZeroedArray&) = delete;
  ~ZeroedArray() {
    if (items_) ::munmap(items_, bytes_);
  }

  T& operator[](size_t i) { return items_[i]; }
  const T& operator[](size_t i) const { return items_[i]; }
  size_t size() const { return n_; }

  // Every entry zero again; the pages go back to the kernel (a private anonymous mapping reads
  // as zeros after MADV_DONTNEED).
  void reset() {
    if (items_) ::madvise(items_, bytes_, MADV_DONTNEED);
  }

 private:
  size_t n_;
  size_t bytes_;
  T* items_ = nullptr;
};

}  // namespace pt
