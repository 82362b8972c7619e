// Implementation of pipeline/collect/collect_util.h.
#include "pipeline/collect/collect_util.h"

#include <cstdint>

namespace pt {

size_t TokenMemo::count(std::string_view text) {
  if (text.size() < kMinCachedBytes) return count_(text);
  Hash128 h = hash128(text);
  if (h.low64 == FlatMap64::kEmpty) return count_(text);  // the table's empty marker: not memoized
  if (const uint64_t* at = memo_.find(h.low64)) {
    Entry& e = entries_[*at];
    if (e.high64 == h.high64 && e.length == text.size()) {
      ++reused_;
      return e.count;
    }
    e = Entry{h.high64, text.size(), count_(text)};  // a 64-bit clash: the newer text takes the slot
    return e.count;
  }
  size_t n = count_(text);
  if (memo_.size() >= kMaxEntries) {
    memo_.clear();
    entries_.clear();
    return n;
  }
  memo_.insert(h.low64, entries_.size());
  entries_.push_back(Entry{h.high64, text.size(), n});
  return n;
}

uint64_t input_hash(const TuningExample& example) {
  Hasher128 hasher;
  for_each_fingerprint_piece(example, [&](std::string_view piece) { hasher.update(piece); });
  return hasher.digest().low64;
}

}  // namespace pt
