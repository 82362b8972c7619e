// The one non-cryptographic hash of the project: XXH3 (libxxhash), for hash tables and
// fingerprints (64 and 128 bits, one-shot or streamed), plus mix64 for integer keys of
// util/flat_map.h. `StringHash` is the transparent hasher of string-keyed tables (find by
// string_view without a copy). SHA-256 (util/sha256.h) stays only where a format requires it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

// Inlined: table lookups hash short keys, where a library call costs more than the hash.
#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

namespace pt {

// 64-bit XXH3 of the bytes of `text`.
inline uint64_t hash64(std::string_view text) { return XXH3_64bits(text.data(), text.size()); }

// 128-bit XXH3 of the bytes of `text` (low, high halves).
struct Hash128 {
  uint64_t low64 = 0, high64 = 0;
};
inline Hash128 hash128(std::string_view text) {
  XXH128_hash_t h = XXH3_128bits(text.data(), text.size());
  return {h.low64, h.high64};
}

// 128-bit XXH3 of pieces fed one after another (equal to hash128 of their concatenation).
class Hasher128 {
 public:
  Hasher128() { XXH3_128bits_reset(&state_); }
  void update(std::string_view piece) { XXH3_128bits_update(&state_, piece.data(), piece.size()); }
  Hash128 digest() const {
    XXH128_hash_t h = XXH3_128bits_digest(&state_);
    return {h.low64, h.high64};
  }

 private:
  XXH3_state_t state_;
};

// Scrambles an integer key that may not be random (ids, packed pairs) before it picks a slot:
// the 64-bit finalizer of MurmurHash3. Stable: FlatMap64 tables are saved to disk probed by it.
inline uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return static_cast<size_t>(hash64(s)); }
};

}  // namespace pt
