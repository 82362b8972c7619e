// UTF-8 helpers for the tokenizer: validation (with the offset of the first bad byte),
// WHATWG-style repair (each maximal invalid subpart becomes U+FFFD, exactly what Node's
// TextDecoder / fs.readFileSync(..., "utf8") do), and a fast decoder for valid text.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pt::tok {

// Offset of the first byte of the first invalid sequence, or std::string_view::npos if valid.
size_t utf8_invalid_offset(std::string_view text);

// `text` with every maximal invalid subpart replaced by U+FFFD (the WHATWG decode algorithm).
std::string utf8_repair(std::string_view text);

// Decodes the code point starting at p (valid UTF-8 assumed); returns its byte length.
inline int utf8_decode(const unsigned char* p, uint32_t& cp) {
  unsigned char b = p[0];
  if (b < 0x80) {
    cp = b;
    return 1;
  }
  if (b < 0xE0) {
    cp = ((b & 0x1Fu) << 6) | (p[1] & 0x3Fu);
    return 2;
  }
  if (b < 0xF0) {
    cp = ((b & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    return 3;
  }
  cp = ((b & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
  return 4;
}

}  // namespace pt::tok
