// Small helpers of collect: sha256 (OpenSSL) as hex or as a 64-bit key, a compact set of 64-bit
// input hashes for dedup (8 bytes per sample at most 50% load), and exact token counting of
// batches of texts: repeats (system prompts, conversation history) counted once, the rest spread
// over a few threads.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pipeline/sha256.h"

namespace pt {

uint64_t sha256_u64(std::string_view data);

// Open-addressing set of non-zero 64-bit hashes.
class HashSet64 {
 public:
  // Returns true when h was not present (and inserts it).
  bool insert(uint64_t h);
  size_t size() const { return size_; }
  size_t capacity() const { return slots_.size(); }

 private:
  void grow();
  std::vector<uint64_t> slots_ = std::vector<uint64_t>(1024, 0);
  size_t size_ = 0;
};

// Exact token counts for a batch of texts. A text seen before (at least kMinCachedBytes long,
// keyed by 128-bit XXH3 and length, at most kMaxEntries remembered, cleared when full) or repeated in
// the batch is counted once; the rest are shared out among `threads` threads (the caller's
// included, workers kept alive between batches). `count` must be safe to call concurrently.
class BatchTokenCounter {
 public:
  static constexpr size_t kMinCachedBytes = 64;
  static constexpr size_t kMaxEntries = 1 << 16;
  BatchTokenCounter(std::function<size_t(std::string_view)> count, unsigned threads);
  ~BatchTokenCounter();
  BatchTokenCounter(const BatchTokenCounter&) = delete;
  BatchTokenCounter& operator=(const BatchTokenCounter&) = delete;

  // counts[i] = count(texts[i]) for every i.
  void count(const std::vector<std::string_view>& texts, std::vector<size_t>& counts);
  uint64_t reused() const { return reused_; }  // texts answered from the memo or the batch

 private:
  struct Pool;
  void count_unique(const std::vector<std::string_view>& texts, std::vector<size_t>& counts);
  std::function<size_t(std::string_view)> count_;
  std::unique_ptr<Pool> pool_;
  struct MemoEntry {
    uint64_t high64;  // the rest of the text's XXH3-128 key
    size_t length, count;
  };
  std::unordered_map<uint64_t, MemoEntry> memo_;  // low 64 bits of XXH3-128 -> entry
  uint64_t reused_ = 0;
};

}  // namespace pt
