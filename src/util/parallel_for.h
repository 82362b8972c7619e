// Runs fn(i) for every i in [0, n) on up to `threads` threads (the caller's included), each taking
// the next index as it becomes free. Callers keep results deterministic by writing item i's result
// to its own slot; fn must not throw.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace pt {

template <class Fn>
void parallel_for(size_t n, unsigned threads, Fn&& fn) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) fn(i);
  };
  const size_t used = std::min<size_t>(std::max(threads, 1u), n);
  std::vector<std::thread> pool;
  for (size_t t = 1; t < used; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

}  // namespace pt
