// ASCII case folding for protocol tokens (header names, host names, keywords): bytes outside
// A-Z are left as they are, so UTF-8 text passes through unchanged.
#pragma once
#include <string>
#include <string_view>

namespace pt {

// `text` with A-Z turned into a-z.
std::string ascii_lower(std::string_view text);

}  // namespace pt
