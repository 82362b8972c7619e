// The in-memory Gemma 3 tokenizer model (private to src/tokenizer): symbol tables, merge ranks
// and the added-token trie built once from tokenizer.json, and the encoder that reproduces
// @lenml/tokenizers' PreTrainedTokenizer._encode_text for this configuration exactly:
//   1. split the raw text on added tokens (leftmost, longest match; all 6415 of them, special
//      or not, e.g. "<start_of_turn>", "\n\n", "\t", "▁▁", "<unused0>", "<b>");
//   2. in every other section replace ' ' by '▁' (the Replace normalizer; the Split
//      pre-tokenizer on ' ' then finds nothing, so a whole section is one BPE word);
//   3. BPE over the section's code points: repeatedly merge the adjacent pair with the lowest
//      (merge rank, left symbol's first code-point index) — the JS heap's rank + i/len score.
//      Shortcut, exact: no merge can span a point where a space follows a character c unless
//      some merged token contains "c▁" (the loader finds them: only ">▁</" in Gemma 3), so a
//      section is cut into words at every other such point and each word is BPE'd (and cached)
//      alone — merges on either side of a cut never interact, so the result is the same (and
//      fuse_unk cannot join <unk>s across words, as BPE never yields <unk> when all 256 byte
//      tokens exist; when one is missing, sections stay whole);
//   4. a final symbol missing from the vocabulary becomes its UTF-8 bytes as <0xNN> tokens
//      (or <unk> when one is missing; with fuse_unk, a run of <unk>s is one).
// Invalid UTF-8 is first repaired as Node would decode it (each bad subpart → U+FFFD).
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "tokenizer/gemma_tokenizer.h"
#include "util/flat_map.h"

namespace pt::tok {

class GemmaModel final : public GemmaTokenizer {
 public:
  std::vector<int32_t> encode(std::string_view text) const override;
  size_t count(std::string_view text) const override;

  // --- tables, filled by the loader (gemma_tokenizer.cpp) ---
  static constexpr int32_t kNoSymbol = -1;
  std::vector<int32_t> symbol_token;  // symbol → token id, or -1 (not in vocabulary)
  std::vector<int32_t> cp_symbol;     // code point → symbol of that one-character string, or -1
  FlatMap64 merges;                   // (left << 32 | right) → (rank << 32 | merged symbol)
  FlatMap64 trie_edges{1 << 15};      // (node << 8 | byte) → child node
  std::vector<int32_t> trie_token;    // trie node → added token id ending there, or -1
  bool trie_first_byte[256] = {};     // bytes that can start an added token
  int32_t byte_token[256] = {};       // <0xNN> token ids, or -1
  int32_t unk_token = -1;
  int32_t space_symbol = kNoSymbol;  // the symbol of "▁" (what ' ' normalizes to)
  bool byte_fallback = true;
  bool fuse_unk = false;     // consecutive <unk>s of one section become one
  bool unk_possible = true;  // false when byte fallback covers all 256 bytes (Gemma 3)
  // Characters after which a space starts a new word (see 3. above): every code point c such
  // that no merged token contains c followed by '▁'. ASCII in a table, the rest listed.
  bool word_cut_after_ascii[128] = {};
  std::vector<uint32_t> no_word_cut_after;  // sorted non-ASCII code points that may not be cut after
  // What borrowed tables (merges, trie_edges) point into: the mapped cache file (gemma_cache.cpp).
  std::shared_ptr<const void> borrowed_from;

  // Unique per instance: per-thread caches are keyed by it (addresses can be reused).
  const uint64_t id = next_id();

 private:
  static uint64_t next_id();
};

}  // namespace pt::tok
