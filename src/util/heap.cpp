// Implementation of util/heap.h with glibc's mallopt.
#include "util/heap.h"

#include <malloc.h>

namespace pt {

bool keep_freed_heap() {
  bool ok = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1;
  ok = mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1 && ok;
  return ok;
}

}  // namespace pt
