// Implementation of pipeline/collect_util.h.
#include "pipeline/collect_util.h"

#include <openssl/sha.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <thread>

#include <xxhash.h>

namespace pt {

uint64_t sha256_u64(std::string_view data) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d);
  uint64_t h;
  std::memcpy(&h, d, sizeof h);
  return h;
}

bool HashSet64::insert(uint64_t h) {
  if (h == 0) h = 1;  // 0 marks an empty slot
  if (2 * (size_ + 1) > slots_.size()) grow();
  size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    if (slots_[i] == h) return false;
    if (slots_[i] == 0) {
      slots_[i] = h;
      ++size_;
      return true;
    }
  }
}

void HashSet64::grow() {
  std::vector<uint64_t> old = std::move(slots_);
  slots_.assign(old.size() * 2, 0);
  size_t mask = slots_.size() - 1;
  for (uint64_t h : old) {
    if (!h) continue;
    size_t i = h & mask;
    while (slots_[i]) i = (i + 1) & mask;
    slots_[i] = h;
  }
}

// Workers waiting for a job: a list of texts whose counts they fill in, item by item.
struct BatchTokenCounter::Pool {
  const std::function<size_t(std::string_view)>& count;
  std::vector<std::thread> workers;
  std::mutex mu;
  std::condition_variable wake, idle;
  uint64_t generation = 0;
  bool stop = false;
  int active = 0;
  const std::vector<std::string_view>* texts = nullptr;
  std::vector<size_t>* out = nullptr;
  std::atomic<size_t> next{0};

  Pool(const std::function<size_t(std::string_view)>& c, unsigned n) : count(c) {
    for (unsigned i = 0; i < n; ++i) workers.emplace_back([this] { loop(); });
  }
  ~Pool() {
    {
      std::lock_guard lock(mu);
      stop = true;
    }
    wake.notify_all();
    for (auto& w : workers) w.join();
  }
  void work() {
    for (size_t i; (i = next.fetch_add(1)) < texts->size();) (*out)[i] = count((*texts)[i]);
  }
  void loop() {
    uint64_t seen = 0;
    std::unique_lock lock(mu);
    for (;;) {
      // a job still open (texts set) that this worker has not joined yet
      wake.wait(lock, [&] { return stop || (generation != seen && texts); });
      if (stop) return;
      seen = generation;
      ++active;
      lock.unlock();
      work();
      lock.lock();
      if (--active == 0) idle.notify_all();
    }
  }
  void run(const std::vector<std::string_view>& t, std::vector<size_t>& o) {
    {
      std::lock_guard lock(mu);
      texts = &t;
      out = &o;
      next = 0;
      ++generation;
    }
    wake.notify_all();
    work();
    std::unique_lock lock(mu);
    idle.wait(lock, [&] { return active == 0; });
    texts = nullptr;  // workers that had not woken yet skip this finished job
  }
};

BatchTokenCounter::BatchTokenCounter(std::function<size_t(std::string_view)> count, unsigned threads)
    : count_(std::move(count)) {
  if (threads > 1) pool_ = std::make_unique<Pool>(count_, threads - 1);
}

BatchTokenCounter::~BatchTokenCounter() = default;

void BatchTokenCounter::count_unique(const std::vector<std::string_view>& texts, std::vector<size_t>& counts) {
  counts.assign(texts.size(), 0);
  if (pool_ && texts.size() > 1) return pool_->run(texts, counts);
  for (size_t i = 0; i < texts.size(); ++i) counts[i] = count_(texts[i]);
}

void BatchTokenCounter::count(const std::vector<std::string_view>& texts, std::vector<size_t>& counts) {
  counts.assign(texts.size(), 0);
  std::vector<std::string_view> todo;
  std::vector<XXH128_hash_t> todo_hash;
  std::vector<size_t> slot(texts.size());  // index into todo for texts not in the memo
  std::unordered_map<uint64_t, size_t> in_batch;  // low 64 bits of the key -> todo index
  constexpr size_t kFromMemo = SIZE_MAX;
  for (size_t i = 0; i < texts.size(); ++i) {
    XXH128_hash_t h = XXH3_128bits(texts[i].data(), texts[i].size());
    if (texts[i].size() >= kMinCachedBytes) {
      if (auto m = memo_.find(h.low64); m != memo_.end() && m->second.high64 == h.high64 && m->second.length == texts[i].size()) {
        counts[i] = m->second.count;
        slot[i] = kFromMemo;
        ++reused_;
        continue;
      }
    }
    auto [it, fresh] = in_batch.emplace(h.low64, todo.size());
    // A repeat only when the whole key and length match (a 64-bit clash is counted on its own).
    if (!fresh && todo_hash[it->second].high64 == h.high64 && todo[it->second].size() == texts[i].size()) {
      slot[i] = it->second;
      ++reused_;
      continue;
    }
    slot[i] = todo.size();
    todo.push_back(texts[i]);
    todo_hash.push_back(h);
  }
  std::vector<size_t> todo_counts;
  count_unique(todo, todo_counts);
  for (size_t i = 0; i < texts.size(); ++i)
    if (slot[i] != kFromMemo) counts[i] = todo_counts[slot[i]];
  for (size_t j = 0; j < todo.size(); ++j) {
    if (todo[j].size() < kMinCachedBytes) continue;
    if (memo_.size() >= kMaxEntries) memo_.clear();
    memo_[todo_hash[j].low64] = MemoEntry{todo_hash[j].high64, todo[j].size(), todo_counts[j]};
  }
}

}  // namespace pt
