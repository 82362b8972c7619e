// The one non-cryptographic hash of the project: XXH3 (libxxhash), for hash tables and
// fingerprints. `StringHash` is the transparent hasher of string-keyed tables (find by
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

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return static_cast<size_t>(hash64(s)); }
};

}  // namespace pt
