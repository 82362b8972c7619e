// Heap policy for short-lived batch processes. glibc hands freed memory at the top of the heap back
// to the kernel once 128 KiB of it are free and serves large blocks with mmap/munmap, so a process
// that keeps building and freeing big buffers faults the same memory in again and again (on the
// paravirtualised VMs we measure on, a page fault costs several microseconds). keep_freed_heap()
// keeps freed memory in the process instead; a long-running server should not call it.
#pragma once

namespace pt {

// Blocks under 32 MiB come from the heap, and up to 256 MiB of free heap is kept. Returns false
// when the allocator refuses a setting (one that is not glibc's, e.g. AddressSanitizer's).
bool keep_freed_heap();

}  // namespace pt
