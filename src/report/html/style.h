// The one stylesheet of picktune's HTML: the evaluation report (inlined, the file stays
// self-contained) and the pages of `picktune serve` use the same rules, so a table, a trace's
// answers side by side or a chart look alike in both. Nothing in it can widen the page past the
// viewport: wide tables scroll inside their own box, long paths and text wrap.
#pragma once
#include <string>
#include <string_view>

namespace pt {

std::string_view stylesheet();

// A complete HTML document: charset, viewport, title, the stylesheet inline, `body` inside <main>.
// `head_extra` goes at the end of <head> (a script link for the pages; nothing for the report).
std::string html_document(std::string_view title, std::string_view body, std::string_view head_extra = {});

}  // namespace pt
