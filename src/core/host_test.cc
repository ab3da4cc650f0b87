#include "core/host.h"

#include <gtest/gtest.h>
#include <sched.h>

namespace gatehouse::core {
namespace {

// The count is the affinity mask's: narrowing the mask (as taskset does) narrows it.
TEST(Host, UsableCoresFollowTheAffinityMask) {
  cpu_set_t original;
  CPU_ZERO(&original);
  ASSERT_EQ(::sched_getaffinity(0, sizeof original, &original), 0);
  EXPECT_EQ(usable_cores(), static_cast<unsigned>(CPU_COUNT(&original)));

  cpu_set_t one;
  CPU_ZERO(&one);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &original)) {
      CPU_SET(cpu, &one);
      break;
    }
  }
  ASSERT_EQ(::sched_setaffinity(0, sizeof one, &one), 0);
  EXPECT_EQ(usable_cores(), 1u);
  ASSERT_EQ(::sched_setaffinity(0, sizeof original, &original), 0);
}

}  // namespace
}  // namespace gatehouse::core
