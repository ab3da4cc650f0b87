#include "core/token_bucket.h"

#include <algorithm>

namespace gatehouse::core {

TokenBucket::TokenBucket(double rate_per_s, uint32_t burst)
    : rate_per_ns_(rate_per_s / 1e9), burst_(burst), tokens_(burst) {}

bool TokenBucket::try_take(MonoTime now) {
  std::lock_guard lock(mu_);
  if (!started_) {
    started_ = true;
    last_ = now;
  } else if (now > last_) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + static_cast<double>(elapsed) * rate_per_ns_);
    last_ = now;
  }
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

}  // namespace gatehouse::core
