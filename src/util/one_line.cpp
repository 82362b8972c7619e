// util/one_line.h: flattening a message to one line, cut to a byte budget at a character boundary.
#include "util/one_line.h"

namespace pt {

std::string one_line(std::string_view text, size_t max_bytes) {
  const bool cut = text.size() > max_bytes;
  size_t keep = cut ? max_bytes : text.size();
  // Never end inside a UTF-8 sequence: back off over continuation bytes (10xxxxxx) at the cut.
  while (cut && keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
  std::string out(text.substr(0, keep));
  for (char& c : out)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (cut) out += "...";
  return out;
}

}  // namespace pt
