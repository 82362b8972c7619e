// The compiled form of a tokenizer.json (private to src/tokenizer): GemmaModel's tables (symbol
// ids, code-point symbols, merge and trie hash tables, byte tokens, word-cut tables) written
// flat, 8-byte aligned, behind a header naming the XXH3-128 hash of the source tokenizer.json
// and a hash of the payload. Loading it takes milliseconds where parsing the 33 MB JSON takes
// ~0.75 s. A cache file is trusted only when its magic, format version, source hash, length and
// payload hash all match; otherwise the caller rebuilds it from the JSON.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "tokenizer/gemma_model.h"
#include "util/result.h"

namespace pt::tok {

// The XXH3-128 of a file's bytes as 32 hex digits.
Result<std::string> file_hash_hex(const std::string& path);

// The model's tables as a cache file's bytes, tied to `source_hash_hex` (file_hash_hex of the JSON).
std::string serialize_model(const GemmaModel& m, const std::string& source_hash_hex);

// The model stored in `path`, if that file is a whole, undamaged cache of the source with
// `source_hash_hex`; an error saying why not otherwise (missing, stale, truncated, corrupt).
Result<std::unique_ptr<GemmaModel>> load_model_cache(const std::string& path, const std::string& source_hash_hex);

}  // namespace pt::tok
