// Implementation of store/newest_window.h: count, then scan newest first up to the window size.
#include "store/newest_window.h"

#include <algorithm>
#include <cmath>

#include "core/row.h"

namespace pt {

int64_t newest_window_size(double fraction, int64_t total) {
  if (!(fraction > 0) || total <= 0) return 0;
  auto n = static_cast<int64_t>(std::ceil(fraction * static_cast<double>(total) - 1e-9));
  return std::clamp<int64_t>(n, 1, total);
}

Result<NewestWindow> newest_window(Store& store, RowFilter base, double fraction) {
  if (!base.type) base.type = std::string(kGetRelevantFiles);
  base.limit.reset();
  NewestWindow w;
  PT_ASSIGN_OR_RETURN(w.total, store.count(Table::traces, base));
  const int64_t n = newest_window_size(fraction, w.total);
  if (n == 0) return w;
  base.order = RowFilter::Order::newest_first;
  base.limit = n;
  PT_TRY(store.scan(Table::traces, base, [&](Row&& row) {
    w.ids.push_back(std::move(row.id));
    return static_cast<int64_t>(w.ids.size()) < n;
  }));
  return w;
}

}  // namespace pt
