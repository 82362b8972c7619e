// Spreads the work of a streaming pass over a few threads while keeping its output in order:
// batches are submitted in order, worked on by whichever worker is free, and handed back in the
// order they were submitted. The caller bounds how many are in flight, so memory stays flat.
// With 0 workers, submit() does the work on the caller's thread.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace pt {

template <class Batch>
class OrderedPool {
 public:
  // work(batch, worker): worker is 0..workers-1 (0 when the caller works), for per-worker state.
  using Work = std::function<void(Batch&, unsigned worker)>;

  OrderedPool(unsigned workers, Work work) : work_(std::move(work)) {
    for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this, i] { loop(i); });
  }
  ~OrderedPool() {  // batches not yet handed back are dropped (after their work finishes)
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    ready_.notify_all();
    for (auto& t : threads_) t.join();
  }
  OrderedPool(const OrderedPool&) = delete;
  OrderedPool& operator=(const OrderedPool&) = delete;

  void submit(Batch batch) {
    auto slot = std::make_unique<Slot>(Slot{std::move(batch)});
    if (threads_.empty()) {
      work_(slot->batch, 0);
      slot->done = true;
    }
    {
      std::lock_guard lock(mu_);
      slots_.push_back(std::move(slot));
    }
    ready_.notify_one();
  }

  size_t in_flight() const {
    std::lock_guard lock(mu_);
    return slots_.size();
  }

  // The oldest batch not yet handed back, once its work is done (waiting for it when `wait`);
  // nullopt when none is in flight, or when it is not done and !wait.
  std::optional<Batch> pop_oldest(bool wait) {
    std::unique_lock lock(mu_);
    if (slots_.empty()) return std::nullopt;
    if (wait) done_.wait(lock, [&] { return slots_.front()->done; });
    if (!slots_.front()->done) return std::nullopt;
    Batch batch = std::move(slots_.front()->batch);
    slots_.pop_front();
    return batch;
  }

 private:
  struct Slot {
    Batch batch;
    bool taken = false, done = false;
  };

  void loop(unsigned worker) {
    std::unique_lock lock(mu_);
    for (;;) {
      Slot* slot = nullptr;
      ready_.wait(lock, [&] { return stop_ || (slot = first_untaken()) != nullptr; });
      if (stop_) return;
      slot->taken = true;
      lock.unlock();
      work_(slot->batch, worker);
      lock.lock();
      slot->done = true;
      done_.notify_all();
    }
  }

  Slot* first_untaken() {
    for (auto& s : slots_)
      if (!s->taken) return s.get();
    return nullptr;
  }

  Work work_;
  mutable std::mutex mu_;
  std::condition_variable ready_, done_;
  std::deque<std::unique_ptr<Slot>> slots_;  // submission order; Slots never move
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace pt
