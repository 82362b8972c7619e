// The one hand-made hash table: open addressing from 64-bit keys to 64-bit values (keys scrambled
// by util/hash.h mix64), for hot loops: the tokenizer's merge ranks and trie edges, collect's
// dedup set and token memo. Grows at 50% load; linear probing; no erase. Key ~0 is reserved as
// the empty marker.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
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
    slots_.assign(cap, Slot{kEmpty, 0});
    mask_ = cap - 1;
  }

  // Inserts or overwrites (the last value for a key wins, like a JS Map built in order).
  void put(uint64_t key, uint64_t value) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    Slot& s = slots_[probe(key)];
    if (s.key == kEmpty) {
      s.key = key;
      ++size_;
    }
    s.value = value;
  }

  // Inserts key -> value unless the key is present; true when it was inserted.
  bool insert(uint64_t key, uint64_t value) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    Slot& s = slots_[probe(key)];
    if (s.key != kEmpty) return false;
    s = Slot{key, value};
    ++size_;
    return true;
  }

  // Empties the map, keeping its capacity.
  void clear() {
    slots_.assign(slots_.size(), Slot{kEmpty, 0});
    size_ = 0;
  }

  // Returns a pointer to the value, or nullptr.
  const uint64_t* find(uint64_t key) const {
    const Slot& s = slots_[probe(key)];
    return s.key == kEmpty ? nullptr : &s.value;
  }

  size_t size() const { return size_; }
  size_t capacity() const { return slots_.size(); }

  // The raw table (key, value pairs; kEmpty keys are free slots), to save it as is and rebuild
  // the same map from those words (from_words checks the capacity is a power of two >= 16).
  const uint64_t* words() const { return &slots_[0].key; }
  size_t word_count() const { return slots_.size() * 2; }
  static bool from_words(const uint64_t* words, size_t word_count, size_t size, FlatMap64& out) {
    size_t cap = word_count / 2;
    if (word_count % 2 || cap < 16 || (cap & (cap - 1)) || size * 2 > cap) return false;
    out.slots_.resize(cap);
    std::memcpy(out.slots_.data(), words, cap * sizeof(Slot));
    out.mask_ = cap - 1;
    out.size_ = size;
    return true;
  }

 private:
  size_t probe(uint64_t key) const {
    size_t i = mix64(key) & mask_;
    while (slots_[i].key != kEmpty && slots_[i].key != key) i = (i + 1) & mask_;
    return i;
  }

  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, Slot{kEmpty, 0});
    mask_ = slots_.size() - 1;
    size_ = 0;
    for (const Slot& s : old)
      if (s.key != kEmpty) put(s.key, s.value);
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace pt
