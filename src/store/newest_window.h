// The one definition of "the newest fraction F of the traces" (issue 17): `student train
// --holdout-newest F`, `eval relabel --newest F` and `eval score --newest F` all take the same
// window: of the get-relevant-files traces matching a filter, the newest ceil(F × N) by created_at
// (at least one when F > 0), ties broken the way the store orders rows.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "store/store.h"
#include "util/result.h"

namespace pt {

// How many of `total` traces the newest fraction F covers: 0 when F <= 0 or total == 0, else
// ceil(F × total) (a hair of slack so 0.2 × 300 is 60, not 61), at least 1, at most total.
int64_t newest_window_size(double fraction, int64_t total);

struct NewestWindow {
  int64_t total = 0;             // traces matching the filter
  std::vector<std::string> ids;  // the window, newest first
};

// The window over `base` (its type defaults to get-relevant-files; its order and limit are ignored).
Result<NewestWindow> newest_window(Store& store, RowFilter base, double fraction);

}  // namespace pt
