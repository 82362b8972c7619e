// Implementation of store/trace_page.h.
#include "store/trace_page.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/picker_call.h"
#include "core/picker_prompt.h"

namespace pt {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string trace_request_text(const Row& trace) {
  if (trace.type != kGetRelevantFiles) return "";
  auto call = parse_picker_call(trace.payload);
  if (!call.ok()) return "";
  return std::string(request_from_prompt(last_user_text(*call)));
}

Result<TracePage> trace_page(Store& store, const TracePageQuery& query) {
  TracePage page;
  RowFilter f = query.filter;
  f.order = RowFilter::Order::newest_first;
  const int64_t size = std::max<int64_t>(1, query.page_size);
  if (query.text.empty()) {
    f.limit = size + 1;  // one more tells whether a next page exists
    PT_TRY(store.scan(Table::traces, f, [&](Row&& r) {
      ++page.examined;
      page.rows.push_back(std::move(r));
      return true;
    }));
    if (static_cast<int64_t>(page.rows.size()) > size) {
      page.rows.resize(static_cast<size_t>(size));
      page.next = RowFilter::Keyset{page.rows.back().created_at_us, page.rows.back().id};
    }
    return page;
  }
  const std::string needle = lower(query.text);
  std::optional<RowFilter::Keyset> last;
  bool more = true;
  while (more && static_cast<int64_t>(page.rows.size()) < size && page.examined < query.scan_budget) {
    const int64_t chunk = std::min<int64_t>(2000, query.scan_budget - page.examined);
    f.limit = chunk;
    int64_t got = 0;
    PT_TRY(store.scan(Table::traces, f, [&](Row&& r) {
      ++got;
      ++page.examined;
      last = RowFilter::Keyset{r.created_at_us, r.id};
      if (lower(trace_request_text(r)).find(needle) != std::string::npos) page.rows.push_back(std::move(r));
      return static_cast<int64_t>(page.rows.size()) < size;
    }));
    more = got == chunk || static_cast<int64_t>(page.rows.size()) >= size;
    f.after = last;
  }
  if (page.examined >= query.scan_budget && static_cast<int64_t>(page.rows.size()) < size) page.budget_hit = true;
  // A full page or a spent budget may have more behind it; a short scan reached the end.
  if (more && last) page.next = last;
  return page;
}

std::string format_cursor(const RowFilter::Keyset& k) { return std::to_string(k.created_at_us) + "_" + k.id; }

std::optional<RowFilter::Keyset> parse_cursor(std::string_view text) {
  size_t us = text.find('_');
  if (us == std::string_view::npos || us == 0) return std::nullopt;
  int64_t at = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + us, at);
  if (ec != std::errc() || p != text.data() + us) return std::nullopt;
  return RowFilter::Keyset{at, std::string(text.substr(us + 1))};
}

}  // namespace pt
