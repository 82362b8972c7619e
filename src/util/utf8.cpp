// UTF-8 validation and WHATWG repair (see utf8.h). One state machine serves both: it follows
// the WHATWG Encoding Standard's UTF-8 decoder, so "invalid" means exactly what a browser or
// Node would replace with U+FFFD (overlongs, surrogates, > U+10FFFF, truncated sequences).
#include "util/utf8.h"

namespace pt::tok {
namespace {

// Calls on_valid(begin, end) for each run of valid bytes and on_bad(offset) for each
// maximal invalid subpart, in order.
template <class OnValid, class OnBad>
void scan_utf8(std::string_view text, OnValid on_valid, OnBad on_bad) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t run = 0;  // start of the current run of valid bytes
  size_t i = 0;
  while (i < n) {
    unsigned char b = s[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    int needed = 0;
    unsigned char lower = 0x80, upper = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      needed = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      needed = 2;
      if (b == 0xE0) lower = 0xA0;
      if (b == 0xED) upper = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      needed = 3;
      if (b == 0xF0) lower = 0x90;
      if (b == 0xF4) upper = 0x8F;
    }
    size_t j = i + 1;
    int seen = 0;
    if (needed > 0) {
      while (seen < needed && j < n && s[j] >= lower && s[j] <= upper) {
        lower = 0x80;
        upper = 0xBF;
        ++j;
        ++seen;
      }
    }
    if (needed > 0 && seen == needed) {
      i = j;
      continue;
    }
    // Invalid: the subpart is [i, j) (the lead byte plus the continuation bytes accepted).
    if (run < i) on_valid(run, i);
    on_bad(i);
    i = j;
    run = j;
  }
  if (run < n) on_valid(run, n);
}

}  // namespace

size_t utf8_invalid_offset(std::string_view text) {
  size_t bad = std::string_view::npos;
  scan_utf8(
      text, [](size_t, size_t) {},
      [&](size_t offset) {
        if (bad == std::string_view::npos) bad = offset;
      });
  return bad;
}

std::string utf8_repair(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  scan_utf8(
      text, [&](size_t b, size_t e) { out.append(text.data() + b, e - b); },
      [&](size_t) { out.append("\xEF\xBF\xBD"); });
  return out;
}

}  // namespace pt::tok
