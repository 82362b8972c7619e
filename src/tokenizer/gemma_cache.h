// The compiled form of a tokenizer.json (private to src/tokenizer): GemmaModel's tables (symbol
// ids, code-point symbols, merge and trie hash tables, byte tokens, word-cut tables) written
// flat, 8-byte aligned, behind a header naming the XXH3-128 hash of the source tokenizer.json,
// the source's size, times and inode when it was hashed, and a hash of the payload. Loading it
// takes milliseconds where parsing the 33 MB JSON takes ~0.75 s. A cache file is trusted only when
// its magic, format version, source hash, length and payload hash all match; otherwise the caller
// rebuilds it from the JSON. As git does with its index, the source is hashed again only when its
// stat differs from the recorded one, or when it had changed just before the cache was written
// (a change in the same clock tick leaves its times alone).
#pragma once
#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "tokenizer/gemma_model.h"
#include "util/result.h"

namespace pt::tok {

// What identifies a version of the source file short of its bytes (from stat(2)).
struct SourceStat {
  uint64_t size = 0, mtime_ns = 0, ctime_ns = 0, ino = 0, dev = 0;
  static SourceStat of(const struct stat& st);
  bool operator==(const SourceStat&) const = default;
  // Whether a cache written at `written_ns` (file-system time) may have missed a change made in
  // the same clock tick as the source's last one: its times cannot vouch for its bytes then.
  bool racy_at(uint64_t written_ns) const;
  bool racy_now() const;  // racy_at(the current time)
};

// The XXH3-128 of a file's bytes as 32 hex digits.
Result<std::string> file_hash_hex(const std::string& path);

// The model's tables as a cache file's bytes, tied to the source with that hash (file_hash_hex of
// the JSON) and, read before hashing it, that stat.
std::string serialize_model(const GemmaModel& m, const std::string& source_hash_hex, const SourceStat& source);

struct CachedModel {
  std::unique_ptr<GemmaModel> model;
  bool source_hashed = false;  // the source's stat did not vouch for it: source_hash_hex() was called
};
// The model stored in `path`, if that file is a whole, undamaged cache of the source whose stat is
// `source` (taken before any hashing) and whose bytes hash to source_hash_hex() (called only when
// the stat cannot vouch); an error saying why not otherwise (missing, stale, truncated, corrupt).
Result<CachedModel> load_model_cache(const std::string& path, const SourceStat& source,
                                     const std::function<Result<std::string>()>& source_hash_hex);

}  // namespace pt::tok
