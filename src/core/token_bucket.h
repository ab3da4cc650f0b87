// A token bucket: `burst` tokens at most, refilled at `rate` per second; each allowed event takes
// one. What API Gateway's throttling is (rate and burst limits), for one gatehouse instance.
//
// Usage:
//   core::TokenBucket bucket(100, 200);          // 100 per second, 200 at once
//   if (!bucket.try_take(clock.monotonic())) return too_many_requests();
//
// Thread safety: try_take() from any thread (a mutex; held for a few instructions).
#pragma once

#include <cstdint>
#include <mutex>

#include "core/clock.h"

namespace gatehouse::core {

class TokenBucket {
 public:
  // Starts full. rate >= 0 (0: only the burst, never refilled).
  TokenBucket(double rate_per_s, uint32_t burst);

  // Takes a token if there is one at `now`, after the refill since the last call. A `now` earlier
  // than a previous one refills nothing.
  bool try_take(MonoTime now);

 private:
  const double rate_per_ns_;
  const double burst_;
  std::mutex mu_;
  double tokens_;         // guarded by mu_
  MonoTime last_;         // guarded by mu_; of the last refill
  bool started_ = false;  // guarded by mu_
};

}  // namespace gatehouse::core
