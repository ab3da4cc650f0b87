#include "core/clock.h"

#include <gtest/gtest.h>

namespace gatehouse::core {
namespace {

// The manual clock moves only when advanced, both wall and monotonic.
TEST(ManualClock, MovesOnlyWhenAdvanced) {
  ManualClock clock(1000);
  EXPECT_EQ(clock.unix_seconds(), 1000);
  auto m0 = clock.monotonic();
  clock.advance(std::chrono::seconds(5));
  EXPECT_EQ(clock.unix_seconds(), 1005);
  EXPECT_EQ(clock.monotonic() - m0, std::chrono::seconds(5));
  clock.set_unix_seconds(42);
  EXPECT_EQ(clock.unix_seconds(), 42);
}

// The system clock reports a time after 2020.
TEST(SystemClock, IsRecent) {
  EXPECT_GT(system_clock().unix_seconds(), 1'577'836'800);
}

}  // namespace
}  // namespace gatehouse::core
