#include "issuer/rate_limiter.h"

#include <gtest/gtest.h>

namespace gatehouse::issuer {
namespace {

using std::chrono::seconds;

RateLimitOptions limits(uint32_t per_client, uint32_t per_peer, uint32_t window_s = 60) {
  RateLimitOptions options;
  options.max_failures_per_client = per_client;
  options.max_failures_per_peer = per_peer;
  options.window_s = window_s;
  return options;
}

// A client id is blocked after `max` failures, from any peer, until its window ends; other ids
// are not affected.
TEST(FailureLimiter, BlocksClientFromOnePeerAfterMaxFailures) {
  core::ManualClock clock;
  FailureLimiter limiter(limits(3, 100), clock);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.retry_after_s("svc", "10.0.0.9"), 0u) << i;
    limiter.record_failure("svc", "10.0.0.9");
  }
  EXPECT_EQ(limiter.retry_after_s("svc", "10.0.0.9"), 60u);
  EXPECT_EQ(limiter.retry_after_s("other", "10.0.0.9"), 0u);
  clock.advance(seconds(20));
  EXPECT_EQ(limiter.retry_after_s("svc", "10.0.0.9"), 40u);
  clock.advance(std::chrono::milliseconds(39'500));
  EXPECT_EQ(limiter.retry_after_s("svc", "10.0.0.9"), 1u);  // rounded up, never 0 while blocked
  clock.advance(std::chrono::milliseconds(500));
  EXPECT_EQ(limiter.retry_after_s("svc", "10.0.0.9"), 0u);  // the window ended
  // A new window starts with the next failure.
  limiter.record_failure("svc", "10.0.0.9");
  EXPECT_EQ(limiter.retry_after_s("svc", "10.0.0.9"), 0u);
}

// Nobody can lock a client out: failures for it from other addresses, however many, never block
// it for a peer that has not failed itself.
TEST(FailureLimiter, FailuresFromOtherPeersDoNotBlockAClient) {
  core::ManualClock clock;
  FailureLimiter limiter(limits(3, 100), clock);
  for (int i = 0; i < 50; ++i)
    limiter.record_failure("svc", "10.0.0." + std::to_string(i % 5));
  EXPECT_EQ(limiter.retry_after_s("svc", "10.0.0.1"), 60u);
  EXPECT_EQ(limiter.retry_after_s("svc", "10.0.0.200"), 0u);
  EXPECT_EQ(limiter.retry_after_s("svc", ""), 0u);
}

// A peer is blocked after its own limit, whichever client ids it tried.
TEST(FailureLimiter, BlocksPeerAcrossClientIds) {
  core::ManualClock clock;
  FailureLimiter limiter(limits(100, 4), clock);
  for (int i = 0; i < 4; ++i)
    limiter.record_failure("guess-" + std::to_string(i), "192.0.2.1");
  EXPECT_EQ(limiter.retry_after_s("svc", "192.0.2.1"), 60u);
  EXPECT_EQ(limiter.retry_after_s("svc", "192.0.2.2"), 0u);
  clock.advance(seconds(60));
  EXPECT_EQ(limiter.retry_after_s("svc", "192.0.2.1"), 0u);
}

// Failures spread over the window still count; the window starts at the first one.
TEST(FailureLimiter, WindowStartsAtFirstFailure) {
  core::ManualClock clock;
  FailureLimiter limiter(limits(2, 100, 10), clock);
  limiter.record_failure("svc", "p");
  clock.advance(seconds(9));
  limiter.record_failure("svc", "p");
  EXPECT_EQ(limiter.retry_after_s("svc", "p"), 1u);
  clock.advance(seconds(1));
  EXPECT_EQ(limiter.retry_after_s("svc", "p"), 0u);
}

// 0 disables a limit; an empty peer address is not limited.
TEST(FailureLimiter, ZeroDisablesAndEmptyPeerIsFree) {
  core::ManualClock clock;
  FailureLimiter limiter(limits(0, 1), clock);
  for (int i = 0; i < 50; ++i)
    limiter.record_failure("svc", "");
  EXPECT_EQ(limiter.retry_after_s("svc", ""), 0u);
  limiter.record_failure("svc", "p");
  EXPECT_EQ(limiter.retry_after_s("svc", "p"), 60u);
}

// The tables stay bounded: once full, the oldest window is forgotten.
TEST(FailureLimiter, ForgetsOldestWhenFull) {
  core::ManualClock clock;
  FailureLimiter limiter(limits(1, 0), clock);
  limiter.record_failure("first", "");
  EXPECT_EQ(limiter.retry_after_s("first", ""), 60u);
  clock.advance(seconds(1));
  for (size_t i = 0; i < kMaxTrackedKeys; ++i)
    limiter.record_failure("id-" + std::to_string(i), "");
  EXPECT_EQ(limiter.retry_after_s("first", ""), 0u);
  EXPECT_EQ(limiter.retry_after_s("id-0", ""), 60u);
  EXPECT_EQ(limiter.retry_after_s("id-9999", ""), 60u);
}

// Priority while hashing is the bottleneck: a client that authenticated from a peer before goes
// first there (for kSuccessMemory), a clean peer next, a peer or pair with failures last.
TEST(FailureLimiter, PriorityFavoursKnownClientsThenCleanPeers) {
  core::ManualClock clock;
  FailureLimiter limiter(limits(3, 100), clock);
  EXPECT_EQ(limiter.priority("svc", "10.0.0.1"), 1);
  limiter.record_success("svc", "10.0.0.1");
  EXPECT_EQ(limiter.priority("svc", "10.0.0.1"), 0);
  EXPECT_EQ(limiter.priority("svc", "10.0.0.2"), 1) << "another peer earned nothing";
  EXPECT_EQ(limiter.priority("other", "10.0.0.1"), 1) << "another client earned nothing";
  limiter.record_failure("ghost", "10.0.0.3");
  EXPECT_EQ(limiter.priority("svc", "10.0.0.3"), 2) << "the peer failed";
  limiter.record_failure("svc", "10.0.0.1");
  EXPECT_EQ(limiter.priority("svc", "10.0.0.1"), 0) << "known beats a failure from the same peer";
  clock.advance(seconds(60));
  EXPECT_EQ(limiter.priority("svc", "10.0.0.3"), 1) << "the window ended";
  clock.advance(kSuccessMemory);
  EXPECT_EQ(limiter.priority("svc", "10.0.0.1"), 1) << "remembered for kSuccessMemory only";
}

}  // namespace
}  // namespace gatehouse::issuer
