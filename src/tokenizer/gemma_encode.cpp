// The Gemma 3 encoder: added-token splitting, space normalization, heap-driven BPE with the
// reference's tie-break, and byte fallback. See gemma_model.h for the exact algorithm; the
// cross-check test (tests/tokenizer) compares its ids with the npm package's JavaScript.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <type_traits>

#include <xxhash.h>

#include "tokenizer/gemma_model.h"
#include "util/utf8.h"
#include "util/zeroed_array.h"

namespace pt::tok {
namespace {

// One symbol of the BPE word being merged: a run of bytes of the section.
struct Node {
  int32_t symbol;  // kNoSymbol when the text is not a known symbol (cannot merge)
  uint32_t start;  // byte offset in the section
  uint32_t len;    // byte length (0 once merged into its left neighbour)
  int32_t prev;
  int32_t next;
};

// A candidate merge of nodes `left` and `right`; ordered by (rank, left) like the reference's
// score rank + left/len. It is stale unless left is alive, still followed by right, and their
// lengths still sum to `len` (symbols only grow, so equal sums mean nothing changed).
struct Candidate {
  uint32_t rank;
  uint32_t left;
  uint32_t right;
  uint32_t len;
  int32_t merged;
  bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : left > o.left; }
};

// A short word and its ids in one cache line (most words: ≤ 24 bytes, ≤ 9 tokens).
struct alignas(64) ShortWord {
  static constexpr size_t kMaxText = 24, kMaxIds = 9;
  char text[kMaxText];
  uint8_t len;  // all zero (a fresh slot) reads as the empty word, whose ids are none: true
  uint8_t n_ids;
  int32_t ids[kMaxIds];
};
static_assert(sizeof(ShortWord) == 64);

// Per-thread working memory and caches. The caches belong to one model (`owner`, a unique
// instance id) and are emptied when the thread switches models. All are exact: the word
// caches compare whole texts, the merge cache whole pair keys. Their all-zero entries are
// empty, so they live in untouched zero pages (util/zeroed_array.h) until used: a short run
// pays for the few pages it uses, not for ~14 MB of caches.
struct Scratch {
  static constexpr size_t kShortWords = 1 << 17;  // direct-mapped, one cache line per word
  static constexpr size_t kSections = 1 << 16;    // direct-mapped, longer words and sections
  static constexpr size_t kMerges = 1 << 14;      // direct-mapped merge-lookup cache
  static constexpr size_t kCounts = 1 << 16;      // direct-mapped section counts (counting only)
  struct CachedSection {
    std::string text;
    std::vector<int32_t> ids;
  };
  struct CachedMerge {
    uint64_t not_key;  // ~key: zero is ~FlatMap64::kEmpty, which no pair of symbols (>= 0) is
    uint64_t value;    // FlatMap64::kEmpty when the pair has no merge
  };
  uint64_t owner = 0;
  std::vector<Node> nodes;
  std::vector<Candidate> heap;
  std::vector<int32_t> word_ids;
  struct CachedCount {
    XXH128_hash_t key;  // XXH3-128 of the section (all zero: empty)
    size_t count;
  };
  ZeroedArray<ShortWord> short_words{kShortWords};
  ZeroedArray<CachedCount> counts{kCounts};
  ZeroedArray<CachedSection*> sections{kSections};  // made on first use, owned
  ZeroedArray<CachedMerge> merges{kMerges};

  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { drop_sections(); }

  CachedSection& section(size_t i) {
    if (!sections[i]) {
      sections[i] = new CachedSection;
      ++made_;
    }
    return *sections[i];
  }

  void bind(uint64_t model_id) {
    if (owner == model_id) return;
    short_words.reset();
    counts.reset();
    drop_sections();
    merges.reset();
    owner = model_id;
  }

 private:
  void drop_sections() {
    if (made_ == 0) return;  // (not even the pointers' pages are touched)
    for (size_t i = 0; i < sections.size(); ++i) delete sections[i];
    sections.reset();
    made_ = 0;
  }
  size_t made_ = 0;
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

uint64_t hash_bytes(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

struct VectorSink {
  std::vector<int32_t>& out;
  void operator()(int32_t id) { out.push_back(id); }
};

struct CountSink {
  size_t n = 0;
  void operator()(int32_t) { ++n; }
};

// The longest added token starting at p (0 if none); its id goes to `token`.
size_t match_added(const GemmaModel& m, const unsigned char* p, size_t n, int32_t& token) {
  uint64_t node = 0;
  size_t best = 0;
  for (size_t j = 0; j < n; ++j) {
    const uint64_t* child = m.trie_edges.find(node << 8 | p[j]);
    if (!child) break;
    node = *child;
    if (m.trie_token[node] >= 0) {
      best = j + 1;
      token = m.trie_token[node];
    }
  }
  return best;
}

// A symbol missing from the vocabulary: its bytes as <0xNN> tokens (or <unk> if one is missing).
template <class Sink>
void emit_fallback(const GemmaModel& m, std::string_view bytes, Sink& sink) {
  // The reference falls back on the normalized text, where ' ' is "▁" (E2 96 81).
  static constexpr unsigned char kSpace[3] = {0xE2, 0x96, 0x81};
  bool all_known = m.byte_fallback;
  for (unsigned char b : bytes) {
    if (b == ' ') {
      for (unsigned char s : kSpace) all_known = all_known && m.byte_token[s] >= 0;
    } else {
      all_known = all_known && m.byte_token[b] >= 0;
    }
  }
  if (!all_known) {
    sink(m.unk_token);
    return;
  }
  for (unsigned char b : bytes) {
    if (b == ' ') {
      for (unsigned char s : kSpace) sink(m.byte_token[s]);
    } else {
      sink(m.byte_token[b]);
    }
  }
}

// The merge of two adjacent symbols, through the per-thread cache: (rank << 32 | merged
// symbol), or FlatMap64::kEmpty when the pair never merges.
uint64_t lookup_merge(const GemmaModel& m, Scratch& s, int32_t left, int32_t right) {
  uint64_t key = static_cast<uint64_t>(left) << 32 | static_cast<uint32_t>(right);
  auto& slot = s.merges[(key * 0x9E3779B97F4A7C15ULL) >> 40 & (Scratch::kMerges - 1)];
  if (slot.not_key != ~key) {
    const uint64_t* v = m.merges.find(key);
    slot.not_key = ~key;
    slot.value = v ? *v : FlatMap64::kEmpty;
  }
  return slot.value;
}

// The merge of node `left` with its next node — (rank << 32 | merged symbol) — or
// FlatMap64::kEmpty when there is no next node or the pair never merges.
uint64_t merge_after(const GemmaModel& m, Scratch& s, int32_t left) {
  const auto& nodes = s.nodes;
  int32_t right = nodes[left].next;
  if (right < 0 || nodes[left].symbol < 0 || nodes[right].symbol < 0) return FlatMap64::kEmpty;
  return lookup_merge(m, s, nodes[left].symbol, nodes[right].symbol);
}

// Node `left` absorbs its next node and becomes `symbol`.
void join_with_next(std::vector<Node>& nodes, int32_t left, int32_t symbol) {
  Node& l = nodes[left];
  Node& r = nodes[l.next];
  l.symbol = symbol;
  l.len += r.len;
  l.next = r.next;
  if (r.next >= 0) nodes[r.next].prev = left;
  r.len = 0;
}

// Short words (most of them): the merge of each adjacent pair kept in an array by position (a
// value ordered by rank, then merged symbol; kEmpty, the maximum, where nothing merges), and each
// round merges the smallest, the leftmost on ties — the heap's (rank, left) order, as equal
// ranks mean the same merge. A plain array scan: no pushes, stale entries or list chasing.
constexpr size_t kLinearMaxNodes = 48;

void merge_linear(const GemmaModel& m, Scratch& s) {
  auto& nodes = s.nodes;
  const auto n = static_cast<int32_t>(nodes.size());
  uint64_t pair[kLinearMaxNodes];  // pair[i]: merge_after(i)
  for (int32_t i = 0; i < n; ++i) pair[i] = merge_after(m, s, i);
  for (;;) {
    int32_t best = 0;
    for (int32_t i = 1; i < n; ++i)
      if (pair[i] < pair[best]) best = i;
    if (pair[best] == FlatMap64::kEmpty) return;
    pair[nodes[best].next] = FlatMap64::kEmpty;
    join_with_next(nodes, best, static_cast<int32_t>(pair[best] & 0xffffffffu));
    pair[best] = merge_after(m, s, best);
    if (nodes[best].prev >= 0) pair[nodes[best].prev] = merge_after(m, s, nodes[best].prev);
  }
}

// Longer sections: candidate merges in a min-heap ordered by (rank, left).
void merge_heap(const GemmaModel& m, Scratch& s) {
  auto& nodes = s.nodes;
  auto& heap = s.heap;
  heap.clear();
  auto candidate = [&](int32_t left) {  // appends the merge of left and its next, if any
    uint64_t merge = merge_after(m, s, left);
    if (merge == FlatMap64::kEmpty) return false;
    int32_t right = nodes[left].next;
    heap.push_back(Candidate{static_cast<uint32_t>(merge >> 32), static_cast<uint32_t>(left),
                             static_cast<uint32_t>(right), nodes[left].len + nodes[right].len,
                             static_cast<int32_t>(merge & 0xffffffffu)});
    return true;
  };
  auto consider = [&](int32_t left) {
    if (candidate(left)) std::push_heap(heap.begin(), heap.end(), std::greater<>{});
  };
  // The initial pairs' lookups are independent (their memory latencies overlap); heapify once.
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(nodes.size()); ++i) candidate(i);
  std::make_heap(heap.begin(), heap.end(), std::greater<>{});

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), std::greater<>{});
    Candidate c = heap.back();
    heap.pop_back();
    const Node& l = nodes[c.left];
    if (l.len == 0 || l.next != static_cast<int32_t>(c.right)) continue;
    if (l.len + nodes[c.right].len != c.len) continue;
    join_with_next(nodes, static_cast<int32_t>(c.left), c.merged);
    if (l.prev >= 0) consider(l.prev);
    consider(static_cast<int32_t>(c.left));
  }
}

// The merged symbols' token ids (byte fallback for symbols missing from the vocabulary).
template <class Sink>
void emit_symbols(const GemmaModel& m, const Scratch& s, std::string_view section, Sink& sink) {
  const auto& nodes = s.nodes;
  bool last_unk = false;
  auto out = [&](int32_t id) {
    bool unk = id == m.unk_token;
    if (!(unk && last_unk && m.fuse_unk)) sink(id);
    last_unk = unk;
  };
  for (int32_t i = 0; i >= 0; i = nodes[i].next) {
    const Node& n = nodes[i];
    int32_t token = n.symbol >= 0 ? m.symbol_token[n.symbol] : -1;
    if (token >= 0) {
      out(token);
    } else {
      emit_fallback(m, section.substr(n.start, n.len), out);
    }
  }
}

// BPE over one section (a run of text between added tokens), emitting its token ids.
template <class Sink>
void bpe_section(const GemmaModel& m, Scratch& s, std::string_view section, Sink& sink) {
  auto& nodes = s.nodes;
  nodes.clear();
  const auto* p = reinterpret_cast<const unsigned char*>(section.data());
  for (size_t i = 0; i < section.size();) {
    uint32_t cp;
    int len = utf8_decode(p + i, cp);
    int32_t sym = cp == ' ' ? m.space_symbol : m.cp_symbol[cp];
    int32_t idx = static_cast<int32_t>(nodes.size());
    nodes.push_back(Node{sym, static_cast<uint32_t>(i), static_cast<uint32_t>(len), idx - 1, idx + 1});
    i += static_cast<size_t>(len);
  }
  if (nodes.empty()) return;
  nodes.back().next = -1;
  if (nodes.size() <= kLinearMaxNodes) {
    merge_linear(m, s);
  } else {
    merge_heap(m, s);
  }
  emit_symbols(m, s, section, sink);
}

// A word's (or an uncut section's) ids through the per-thread cache (short texts only).
template <class Sink>
void encode_word(const GemmaModel& m, Scratch& s, std::string_view section, Sink& sink) {
  static constexpr size_t kMaxCached = 256;
  if (section.size() > kMaxCached) {
    bpe_section(m, s, section, sink);
    return;
  }
  const uint64_t h = hash_bytes(section);
  if (section.size() <= ShortWord::kMaxText) {
    ShortWord& w = s.short_words[h & (Scratch::kShortWords - 1)];
    if (w.len == section.size() && std::memcmp(w.text, section.data(), section.size()) == 0) {
      for (uint8_t i = 0; i < w.n_ids; ++i) sink(w.ids[i]);
      return;
    }
    s.word_ids.clear();
    VectorSink into{s.word_ids};
    bpe_section(m, s, section, into);
    for (int32_t id : s.word_ids) sink(id);
    if (s.word_ids.size() > ShortWord::kMaxIds) return;
    std::memcpy(w.text, section.data(), section.size());
    w.len = static_cast<uint8_t>(section.size());
    w.n_ids = static_cast<uint8_t>(s.word_ids.size());
    std::copy(s.word_ids.begin(), s.word_ids.end(), w.ids);
    return;
  }
  auto& entry = s.section((h >> 16) & (Scratch::kSections - 1));
  if (entry.text != section) {
    entry.ids.clear();
    VectorSink into{entry.ids};
    bpe_section(m, s, section, into);
    entry.text.assign(section);
  }
  for (int32_t id : entry.ids) sink(id);
}

// Whether a space at `i` (> 0) of `section` starts a new word (gemma_model.h, step 3).
bool word_cut_before(const GemmaModel& m, std::string_view section, size_t i) {
  auto b = static_cast<unsigned char>(section[i - 1]);
  if (b < 0x80) return m.word_cut_after_ascii[b];
  size_t start = i - 1;
  while (start > 0 && (static_cast<unsigned char>(section[start]) & 0xC0) == 0x80) --start;
  uint32_t cp = 0;
  utf8_decode(reinterpret_cast<const unsigned char*>(section.data() + start), cp);
  return !std::binary_search(m.no_word_cut_after.begin(), m.no_word_cut_after.end(), cp);
}

// BPE of a section word by word (gemma_model.h, step 3), or whole when <unk>s may fuse.
template <class Sink>
void encode_words(const GemmaModel& m, Scratch& s, std::string_view section, Sink& sink) {
  if (m.fuse_unk && m.unk_possible) return encode_word(m, s, section, sink);
  size_t start = 0;
  for (size_t i = 1; i < section.size(); ++i) {
    const void* space = std::memchr(section.data() + i, ' ', section.size() - i);
    if (!space) break;
    i = static_cast<size_t>(static_cast<const char*>(space) - section.data());
    if (!word_cut_before(m, section, i)) continue;
    encode_word(m, s, section.substr(start, i - start), sink);
    start = i;
  }
  encode_word(m, s, section.substr(start), sink);
}

// A section's ids: word by word where that is exact (always, unless <unk>s fuse across words).
// When only counting, a long section's count is cached whole, keyed by its 128-bit XXH3 hash
// (lines of history and file trees repeat across a session's prompts).
template <class Sink>
void encode_section(const GemmaModel& m, std::string_view section, Sink& sink) {
  static constexpr size_t kMinCountCached = 32;
  Scratch& s = scratch();
  s.bind(m.id);
  if constexpr (std::is_same_v<Sink, CountSink>) {
    if (section.size() >= kMinCountCached) {
      XXH128_hash_t key = XXH3_128bits(section.data(), section.size());
      auto& entry = s.counts[key.low64 & (Scratch::kCounts - 1)];
      if (XXH128_isEqual(entry.key, key)) {
        sink.n += entry.count;
        return;
      }
      CountSink fresh;
      encode_words(m, s, section, fresh);
      entry.key = key;
      entry.count = fresh.n;
      sink.n += fresh.n;
      return;
    }
  }
  encode_words(m, s, section, sink);
}

// Splits valid UTF-8 text on added tokens and encodes the sections between them.
template <class Sink>
void encode_valid(const GemmaModel& m, std::string_view text, Sink& sink) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t section_start = 0;
  for (size_t i = 0; i < n;) {
    if (m.trie_first_byte[p[i]]) {
      int32_t token = -1;
      size_t len = match_added(m, p + i, n - i, token);
      if (len > 0) {
        if (section_start < i) encode_section(m, text.substr(section_start, i - section_start), sink);
        sink(token);
        i += len;
        section_start = i;
        continue;
      }
    }
    ++i;
  }
  if (section_start < n) encode_section(m, text.substr(section_start), sink);
}

}  // namespace

uint64_t GemmaModel::next_id() {
  static std::atomic<uint64_t> counter{0};
  return ++counter;
}

std::vector<int32_t> GemmaModel::encode(std::string_view text) const {
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 4);
  VectorSink sink{out};
  if (utf8_invalid_offset(text) != std::string_view::npos) {
    std::string repaired = utf8_repair(text);
    encode_valid(*this, repaired, sink);
  } else {
    encode_valid(*this, text, sink);
  }
  return out;
}

size_t GemmaModel::count(std::string_view text) const {
  CountSink sink;
  if (utf8_invalid_offset(text) != std::string_view::npos) {
    std::string repaired = utf8_repair(text);
    encode_valid(*this, repaired, sink);
  } else {
    encode_valid(*this, text, sink);
  }
  return sink.n;
}

}  // namespace pt::tok
