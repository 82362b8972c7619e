// Small helpers of collect: the hash of an example's input (deduplicated in a util/flat_map.h
// set), and exact token counting that counts repeats (system prompts, conversation history) once.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tuning_record.h"
#include "util/flat_map.h"
#include "util/hash.h"

namespace pt {

// Exact token counts through a memo: a text seen before (at least kMinCachedBytes long, keyed by
// its 128-bit XXH3 hash and length; at most kMaxEntries remembered, cleared when full) is not
// counted again (system prompts and conversation history repeat across a session's traces).
// One per thread; `count` itself must be safe to call from several threads at once.
class TokenMemo {
 public:
  static constexpr size_t kMinCachedBytes = 64;
  static constexpr size_t kMaxEntries = 1 << 16;
  explicit TokenMemo(std::function<size_t(std::string_view)> count) : count_(std::move(count)) {}
  size_t count(std::string_view text);
  uint64_t reused() const { return reused_; }  // texts answered from the memo

 private:
  struct Entry {
    uint64_t high64;  // the rest of the text's XXH3-128 key
    size_t length, count;
  };
  std::function<size_t(std::string_view)> count_;
  FlatMap64 memo_{1024};  // low 64 bits of XXH3-128 -> index in entries_
  std::vector<Entry> entries_;
  uint64_t reused_ = 0;
};

// A 64-bit hash of the example's input (core's fingerprint serialization, through XXH3-128):
// equal for identical inputs.
uint64_t input_hash(const TuningExample& example);

}  // namespace pt
