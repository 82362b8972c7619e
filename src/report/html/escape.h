// The one escaper of every HTML picktune writes (the report, the pages of `picktune serve`):
// element text and quoted attributes, and query-string values for links. Any text that came from
// a trace, a relabel, a flag or a file goes through html_escape before it reaches a page.
#pragma once
#include <string>
#include <string_view>
#include "net/http.h"

namespace pt {

// &, <, >, ", ' escaped: safe in element text and in quoted attributes.
std::string html_escape(std::string_view text);

// url_encode (percent-encoding for links) is net/http.h's, the one encoder of the tree.

}  // namespace pt
