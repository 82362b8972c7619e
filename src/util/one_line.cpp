// util/one_line.h: flattening a message to one line, cut to a byte budget.
#include "util/one_line.h"

namespace pt {

std::string one_line(std::string_view text, size_t max_bytes) {
  const bool cut = text.size() > max_bytes;
  std::string out(cut ? text.substr(0, max_bytes) : text);
  for (char& c : out)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (cut) out += "...";
  return out;
}

}  // namespace pt
