// A message flattened to one line for an error or warning: what a server or a library said may
// hold newlines, and picktune's errors are one line each.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace pt {

// `text` with each newline, carriage return and tab turned into a space; when it is longer than
// `max_bytes`, its first `max_bytes` bytes (fewer when the cut would split a UTF-8 sequence: the
// cut moves back to the start of that character) followed by "...".
std::string one_line(std::string_view text, size_t max_bytes = 200);

}  // namespace pt
