// The one escaper of every HTML picktune writes (the report, the pages of `picktune serve`):
// element text and quoted attributes, and query-string values for links. Any text that came from
// a trace, a relabel, a flag or a file goes through html_escape before it reaches a page.
#pragma once
#include <string>
#include <string_view>

namespace pt {

// &, <, >, ", ' escaped: safe in element text and in quoted attributes.
std::string html_escape(std::string_view text);

// Percent-encodes everything but unreserved characters (RFC 3986): safe as a query value or path segment.
std::string url_encode(std::string_view text);

}  // namespace pt
