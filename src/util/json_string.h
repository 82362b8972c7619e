// Writing JSON string literals fast: the one escaper every JSON/JSONL writer in the tree uses.
// Only what JSON requires is escaped ('"', '\\' and bytes below 0x20); UTF-8 passes through.
#pragma once

#include <string>
#include <string_view>

namespace pt {

// Appends `text` as a JSON string literal (quotes included) to `out`. Runs that need no escaping
// (nearly all text) are found 8 bytes at a time and copied whole.
void append_json_string(std::string& out, std::string_view text);
// The same without the quotes: escaping works byte by byte, so the bodies of consecutive pieces
// appended one after another are the body of the pieces joined.
void append_json_string_body(std::string& out, std::string_view text);

}  // namespace pt
