// The Gemma 3 encoder: added-token splitting, space normalization, heap-driven BPE with the
// reference's tie-break, and byte fallback. See gemma_model.h for the exact algorithm; the
// cross-check test (tests/tokenizer) compares its ids with the npm package's JavaScript.
#include <algorithm>
#include <atomic>
#include <string>

#include "tokenizer/gemma_model.h"
#include "tokenizer/utf8.h"

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

// Per-thread working memory and caches. The caches belong to one model (`owner`, a unique
// instance id) and are emptied when the thread switches models. Both are exact: the section
// cache compares whole section texts, the merge cache whole pair keys.
struct Scratch {
  static constexpr size_t kSections = 1 << 14;  // direct-mapped section cache
  static constexpr size_t kMerges = 1 << 14;    // direct-mapped merge-lookup cache
  struct CachedSection {
    std::string text;
    std::vector<int32_t> ids;
  };
  struct CachedMerge {
    uint64_t key = FlatMap64::kEmpty;
    uint64_t value = 0;  // FlatMap64::kEmpty when the pair has no merge
  };
  uint64_t owner = 0;
  std::vector<Node> nodes;
  std::vector<Candidate> heap;
  std::vector<CachedSection> sections{kSections};
  std::vector<CachedMerge> merges{kMerges};

  void bind(uint64_t model_id) {
    if (owner == model_id) return;
    for (auto& c : sections) c.text.clear(), c.ids.clear();
    for (auto& m : merges) m = CachedMerge{};
    owner = model_id;
  }
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

uint64_t hash_bytes(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h ^ (h >> 29);
}

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
  if (slot.key != key) {
    const uint64_t* v = m.merges.find(key);
    slot.key = key;
    slot.value = v ? *v : FlatMap64::kEmpty;
  }
  return slot.value;
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

  auto& heap = s.heap;
  heap.clear();
  auto candidate = [&](int32_t left) {  // appends the merge of left and its next, if any
    int32_t right = nodes[left].next;
    if (right < 0 || nodes[left].symbol < 0 || nodes[right].symbol < 0) return false;
    uint64_t merge = lookup_merge(m, s, nodes[left].symbol, nodes[right].symbol);
    if (merge == FlatMap64::kEmpty) return false;
    heap.push_back(Candidate{static_cast<uint32_t>(merge >> 32), static_cast<uint32_t>(left), static_cast<uint32_t>(right),
                             nodes[left].len + nodes[right].len, static_cast<int32_t>(merge & 0xffffffffu)});
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
    Node& l = nodes[c.left];
    if (l.len == 0 || l.next != static_cast<int32_t>(c.right)) continue;
    Node& r = nodes[c.right];
    if (l.len + r.len != c.len) continue;
    l.symbol = c.merged;
    l.len = c.len;
    l.next = r.next;
    if (r.next >= 0) nodes[r.next].prev = static_cast<int32_t>(c.left);
    r.len = 0;
    if (l.prev >= 0) consider(l.prev);
    consider(static_cast<int32_t>(c.left));
  }

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

// A section's ids through the per-thread section cache (short sections only).
template <class Sink>
void encode_section(const GemmaModel& m, std::string_view section, Sink& sink) {
  static constexpr size_t kMaxCached = 256;
  Scratch& s = scratch();
  s.bind(m.id);
  if (section.size() > kMaxCached) {
    bpe_section(m, s, section, sink);
    return;
  }
  auto& entry = s.sections[hash_bytes(section) & (Scratch::kSections - 1)];
  if (entry.text != section) {
    entry.ids.clear();
    VectorSink into{entry.ids};
    bpe_section(m, s, section, into);
    entry.text.assign(section);
  }
  for (int32_t id : entry.ids) sink(id);
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
