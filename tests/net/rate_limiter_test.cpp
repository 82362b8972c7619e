// Tests for net/rate_limiter: request and token buckets with an explicit clock.
#include <gtest/gtest.h>

#include "net/rate_limiter.h"

namespace pt {
namespace {

TEST(RateLimiter, RequestsPerMinuteAllowsABurstThenPaces) {
  RateLimiter lim(60, 0, 0);
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(lim.try_acquire(0, 0)) << i;
  EXPECT_FALSE(lim.try_acquire(0, 0));
  EXPECT_EQ(lim.wait_ms(0, 0), 1000);
  EXPECT_EQ(lim.wait_ms(0, 400), 600);
  EXPECT_FALSE(lim.try_acquire(0, 999));
  EXPECT_TRUE(lim.try_acquire(0, 1000));
  EXPECT_FALSE(lim.try_acquire(0, 1000));
}

TEST(RateLimiter, TokensPerMinuteWaitsForEnoughTokens) {
  RateLimiter lim(0, 60000, 0);  // 1000 tokens per second
  EXPECT_TRUE(lim.try_acquire(50000, 0));
  EXPECT_EQ(lim.wait_ms(10000, 0), 0);
  EXPECT_EQ(lim.wait_ms(20000, 0), 10000);
  EXPECT_TRUE(lim.try_acquire(10000, 0));
  EXPECT_EQ(lim.wait_ms(5000, 0), 5000);
  EXPECT_EQ(lim.wait_ms(5000, 2000), 3000);
  EXPECT_TRUE(lim.try_acquire(5000, 5000));
}

TEST(RateLimiter, OversizedRequestWaitsForAFullBucketOnly) {
  RateLimiter lim(0, 1000, 0);
  EXPECT_TRUE(lim.try_acquire(500, 0));
  EXPECT_EQ(lim.wait_ms(5000, 0), 30000);  // needs the whole 1000-token bucket
  EXPECT_TRUE(lim.try_acquire(5000, 30000));
}

TEST(RateLimiter, BothLimitsApplyAndAdjustmentsCount) {
  RateLimiter lim(120, 6000, 0);
  EXPECT_TRUE(lim.limits_requests());
  EXPECT_TRUE(lim.limits_tokens());
  EXPECT_TRUE(lim.try_acquire(6000, 0));
  EXPECT_EQ(lim.wait_ms(100, 0), 1000);  // tokens are the binding limit
  lim.adjust_tokens(600, 0);             // used 600 more than estimated
  EXPECT_EQ(lim.wait_ms(100, 0), 7000);
  lim.adjust_tokens(-700, 0);  // refund
  EXPECT_EQ(lim.wait_ms(100, 0), 0);
}

TEST(RateLimiter, ZeroMeansUnlimited) {
  RateLimiter lim(0, 0, 0);
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(lim.try_acquire(1000000, 0));
  EXPECT_FALSE(lim.limits_requests());
}

}  // namespace
}  // namespace pt
