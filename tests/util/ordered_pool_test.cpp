// Tests for util/ordered_pool.h: batches come back in submission order whatever order the
// workers finish them in, each worked on exactly once; 0 workers work on the caller's thread;
// destroying the pool with batches in flight neither hangs nor loses track of running work.
#include "util/ordered_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <set>
#include <thread>

namespace pt {
namespace {

struct Job {
  int seq = 0;
  int sleep_us = 0;
  int worked = 0;
  unsigned worker = 99;
  std::thread::id thread;
};

Job job(int seq, int sleep_us = 0) {
  Job j;
  j.seq = seq;
  j.sleep_us = sleep_us;
  return j;
}

TEST(OrderedPool, HandsBatchesBackInSubmissionOrder) {
  std::atomic<int> calls{0};
  OrderedPool<Job> pool(3, [&](Job& j, unsigned w) {
    std::this_thread::sleep_for(std::chrono::microseconds(j.sleep_us));
    ++j.worked;
    j.worker = w;
    j.thread = std::this_thread::get_id();
    ++calls;
  });
  std::mt19937 rng(5);
  std::vector<Job> back;
  std::set<std::thread::id> threads;
  for (int i = 0; i < 300; ++i) {
    pool.submit(job(i, static_cast<int>(rng() % 2000)));
    while (auto done = pool.pop_oldest(pool.in_flight() >= 6)) back.push_back(*done);
    ASSERT_LE(pool.in_flight(), 6u);
  }
  while (auto done = pool.pop_oldest(true)) back.push_back(*done);
  ASSERT_EQ(back.size(), 300u);
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(back[i].seq, i);
    EXPECT_EQ(back[i].worked, 1);
    EXPECT_LT(back[i].worker, 3u);
    threads.insert(back[i].thread);
  }
  EXPECT_EQ(calls.load(), 300);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
  EXPECT_GE(threads.size(), 2u);
  EXPECT_FALSE(pool.pop_oldest(true).has_value());  // nothing in flight: no wait
}

TEST(OrderedPool, NoWorkersMeansTheCallerWorks) {
  OrderedPool<Job> pool(0, [](Job& j, unsigned w) {
    ++j.worked;
    j.worker = w;
    j.thread = std::this_thread::get_id();
  });
  pool.submit(job(1));
  pool.submit(job(2));
  EXPECT_EQ(pool.in_flight(), 2u);
  auto a = pool.pop_oldest(false), b = pool.pop_oldest(false);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->seq, 1);
  EXPECT_EQ(b->seq, 2);
  EXPECT_EQ(a->worked, 1);
  EXPECT_EQ(a->worker, 0u);
  EXPECT_EQ(a->thread, std::this_thread::get_id());
  EXPECT_FALSE(pool.pop_oldest(false).has_value());
}

TEST(OrderedPool, NotWaitingReturnsNothingUntilTheOldestIsDone) {
  std::atomic<bool> release{false};
  OrderedPool<Job> pool(2, [&](Job& j, unsigned) {
    while (j.seq == 0 && !release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ++j.worked;
  });
  pool.submit(job(0));
  pool.submit(job(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // batch 1 is done by now
  EXPECT_FALSE(pool.pop_oldest(false).has_value());            // but batch 0 is not
  release = true;
  auto first = pool.pop_oldest(true);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->seq, 0);
  EXPECT_EQ(pool.pop_oldest(true)->seq, 1);
}

TEST(OrderedPool, DestroyedWithBatchesInFlight) {
  std::atomic<int> started{0}, finished{0};
  {
    OrderedPool<Job> pool(2, [&](Job&, unsigned) {
      ++started;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      ++finished;
    });
    for (int i = 0; i < 50; ++i) pool.submit(job(i));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(started.load(), finished.load());  // running work finished before the pool went away
  EXPECT_LT(started.load(), 50);               // queued work was dropped
}

}  // namespace
}  // namespace pt
