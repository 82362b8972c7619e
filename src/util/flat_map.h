// The one hand-made hash table: open addressing from 64-bit keys to 64-bit values (keys scrambled
// by util/hash.h mix64), for hot loops: the tokenizer's merge ranks and trie edges, collect's
// dedup set and token memo. Grows at 50% load; linear probing; no erase. Key ~0 is reserved as
// the empty marker. A map may borrow a saved table (borrow_words: the tokenizer's mapped cache
// file) instead of copying it; it copies the table the first time it is changed.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "util/hash.h"

namespace pt {

class FlatMap64 {
  struct Slot {
    uint64_t key;
    uint64_t value;
  };

 public:
  static constexpr uint64_t kEmpty = ~uint64_t{0};

  explicit FlatMap64(size_t expected = 16) {
    size_t cap = 16;
    while (cap < expected * 2) cap <<= 1;
    owned_.assign(cap, Slot{kEmpty, 0});
    slots_ = owned_.data();
    mask_ = cap - 1;
  }
  FlatMap64(const FlatMap64& o) : owned_(o.owned_), mask_(o.mask_), size_(o.size_) {
    slots_ = o.borrowed() ? o.slots_ : owned_.data();
  }
  FlatMap64(FlatMap64&& o) noexcept : owned_(std::move(o.owned_)), slots_(o.slots_), mask_(o.mask_), size_(o.size_) {
    o.slots_ = kNoSlots;  // moved from: empty (borrows one free slot) until its first put
    o.mask_ = o.size_ = 0;
  }
  FlatMap64& operator=(FlatMap64 o) noexcept {
    owned_.swap(o.owned_);
    std::swap(slots_, o.slots_);
    mask_ = o.mask_;
    size_ = o.size_;
    return *this;
  }

  // Inserts or overwrites (the last value for a key wins, like a JS Map built in order).
  void put(uint64_t key, uint64_t value) {
    if (borrowed()) own();
    if ((size_ + 1) * 2 > capacity()) grow();
    Slot& s = slots_[probe(key)];
    if (s.key == kEmpty) {
      s.key = key;
      ++size_;
    }
    s.value = value;
  }

  // Inserts key -> value unless the key is present; true when it was inserted.
  bool insert(uint64_t key, uint64_t value) {
    if (borrowed()) own();
    if ((size_ + 1) * 2 > capacity()) grow();
    Slot& s = slots_[probe(key)];
    if (s.key != kEmpty) return false;
    s = Slot{key, value};
    ++size_;
    return true;
  }

  // Empties the map, keeping its capacity.
  void clear() {
    if (borrowed()) own();
    owned_.assign(owned_.size(), Slot{kEmpty, 0});
    size_ = 0;
  }

  // Returns a pointer to the value, or nullptr.
  const uint64_t* find(uint64_t key) const {
    const Slot& s = slots_[probe(key)];
    return s.key == kEmpty ? nullptr : &s.value;
  }

  size_t size() const { return size_; }
  size_t capacity() const { return mask_ + 1; }

  // The raw table (key, value pairs; kEmpty keys are free slots), to save it as is and rebuild
  // the same map from those words (both check the capacity is a power of two >= 16).
  const uint64_t* words() const { return &slots_[0].key; }
  size_t word_count() const { return capacity() * 2; }
  // A copy of the saved table.
  static bool from_words(const uint64_t* words, size_t word_count, size_t size, FlatMap64& out) {
    if (!borrow_words(words, word_count, size, out)) return false;
    out.own();
    return true;
  }
  // The saved table itself, not copied: `words` (8-byte aligned) must stay valid and unchanged
  // while `out` or a copy of it reads them; the first change copies them.
  static bool borrow_words(const uint64_t* words, size_t word_count, size_t size, FlatMap64& out) {
    size_t cap = word_count / 2;
    if (word_count % 2 || cap < 16 || (cap & (cap - 1)) || size * 2 > cap) return false;
    out.owned_ = {};
    out.slots_ = reinterpret_cast<Slot*>(const_cast<uint64_t*>(words));  // only read while borrowed
    out.mask_ = cap - 1;
    out.size_ = size;
    return true;
  }
  bool borrowed() const { return slots_ != owned_.data(); }

 private:
  void own() {
    if (!borrowed()) return;
    owned_.assign(slots_, slots_ + capacity());
    slots_ = owned_.data();
  }

  size_t probe(uint64_t key) const {
    size_t i = mix64(key) & mask_;
    while (slots_[i].key != kEmpty && slots_[i].key != key) i = (i + 1) & mask_;
    return i;
  }

  void grow() {
    std::vector<Slot> old;
    old.swap(owned_);
    owned_.assign(std::max<size_t>(16, old.size() * 2), Slot{kEmpty, 0});
    slots_ = owned_.data();
    mask_ = owned_.size() - 1;
    size_ = 0;
    for (const Slot& s : old)
      if (s.key != kEmpty) put(s.key, s.value);
  }

  static inline Slot kNoSlots[1] = {Slot{kEmpty, 0}};  // only ever read (borrowed)
  std::vector<Slot> owned_;                            // the table, unless it is borrowed
  Slot* slots_ = nullptr;                              // owned_.data() or the borrowed table
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace pt
