// Implementation of pipeline/collect/collect_util.h.
#include "pipeline/collect/collect_util.h"

#include <cstdint>

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack
#include <xxhash.h>

namespace pt {

bool HashSet64::insert(uint64_t h) {
  if (h == 0) h = 1;  // 0 marks an empty slot
  if (2 * (size_ + 1) > slots_.size()) grow();
  size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    if (slots_[i] == h) return false;
    if (slots_[i] == 0) {
      slots_[i] = h;
      ++size_;
      return true;
    }
  }
}

void HashSet64::grow() {
  std::vector<uint64_t> old = std::move(slots_);
  slots_.assign(old.size() * 2, 0);
  size_t mask = slots_.size() - 1;
  for (uint64_t h : old) {
    if (!h) continue;
    size_t i = h & mask;
    while (slots_[i]) i = (i + 1) & mask;
    slots_[i] = h;
  }
}

size_t TokenMemo::count(std::string_view text) {
  if (text.size() < kMinCachedBytes) return count_(text);
  XXH128_hash_t h = XXH3_128bits(text.data(), text.size());
  auto [it, fresh] = memo_.try_emplace(h.low64, Entry{h.high64, text.size(), 0});
  if (!fresh && it->second.high64 == h.high64 && it->second.length == text.size()) {
    ++reused_;
    return it->second.count;
  }
  size_t n = count_(text);
  if (!fresh) {  // a 64-bit clash: the newer text takes the slot
    it->second = Entry{h.high64, text.size(), n};
    return n;
  }
  if (memo_.size() > kMaxEntries) {
    memo_.clear();
    return n;
  }
  it->second.count = n;
  return n;
}

uint64_t input_hash(const TuningExample& example) {
  XXH3_state_t state;
  XXH3_128bits_reset(&state);
  for_each_fingerprint_piece(example,
                             [&](std::string_view piece) { XXH3_128bits_update(&state, piece.data(), piece.size()); });
  return XXH3_128bits_digest(&state).low64;
}

}  // namespace pt
