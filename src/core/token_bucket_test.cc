#include "core/token_bucket.h"

#include <gtest/gtest.h>

namespace gatehouse::core {
namespace {

using std::chrono::milliseconds;

TEST(TokenBucket, TheBurstAtOnceThenTheRate) {
  TokenBucket b(10, 3);  // one token per 100 ms
  MonoTime t0{};
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(b.try_take(t0)) << i;
  EXPECT_FALSE(b.try_take(t0));
  EXPECT_FALSE(b.try_take(t0 + milliseconds(99)));
  EXPECT_TRUE(b.try_take(t0 + milliseconds(100)));
  EXPECT_FALSE(b.try_take(t0 + milliseconds(150)));
  // A long quiet spell refills up to the burst, not beyond.
  MonoTime later = t0 + milliseconds(60'000);
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(b.try_take(later)) << i;
  EXPECT_FALSE(b.try_take(later));
}

TEST(TokenBucket, ZeroRateIsTheBurstOnlyAndZeroBurstRefusesAll) {
  TokenBucket burst_only(0, 2);
  MonoTime t0{};
  EXPECT_TRUE(burst_only.try_take(t0));
  EXPECT_TRUE(burst_only.try_take(t0 + milliseconds(1'000'000)));
  EXPECT_FALSE(burst_only.try_take(t0 + milliseconds(2'000'000)));
  TokenBucket closed(1000, 0);
  EXPECT_FALSE(closed.try_take(t0));
  EXPECT_FALSE(closed.try_take(t0 + milliseconds(1000)));
}

TEST(TokenBucket, TimeGoingBackRefillsNothing) {
  TokenBucket b(1, 1);
  MonoTime t0 = MonoTime{} + milliseconds(10'000);
  EXPECT_TRUE(b.try_take(t0));
  EXPECT_FALSE(b.try_take(t0 - milliseconds(5'000)));
  EXPECT_FALSE(b.try_take(t0 + milliseconds(500)));
  EXPECT_TRUE(b.try_take(t0 + milliseconds(1'000)));
}

}  // namespace
}  // namespace gatehouse::core
