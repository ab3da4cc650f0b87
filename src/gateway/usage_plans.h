// API keys and usage plans (config::UsagePlan, api.api_key_source), as API Gateway's: a route
// with api_key_required admits a request only with the value of a key of a plan; each key is then
// held to its plan's throttle (a token bucket per key) and quota (requests per UTC day, week from
// Monday, or month). Refused: 403 INVALID_API_KEY ({"message":"Forbidden"}), 429 THROTTLED, 429
// QUOTA_EXCEEDED ({"message":"Limit Exceeded"}). Per gatehouse instance.
//
// Keys are found by the SHA-256 of the value presented, never by comparing values: what a lookup
// takes reveals nothing of a key. Names, never values, reach logs and metrics.
//
// Thread safety: admit() from any thread; buckets and quota counts take their own locks.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "core/stats.h"
#include "core/status.h"
#include "core/token_bucket.h"

namespace gatehouse::gateway {

class UsagePlans {
 public:
  // A key's value is 20 to this many characters.
  static constexpr size_t kMaxKeyBytes = 1024;

  // Resolves every key's value: kInvalidArgument naming the key (never its value) for a value
  // shorter than 20 characters or longer than kMaxKeyBytes, or one another key has too; a
  // secret's own errors as they are.
  // Keys of `previous` whose plan keeps its quota keep their counts (a reload resets no quota).
  static core::Result<std::unique_ptr<UsagePlans>> build(
      const std::vector<config::UsagePlan>& plans, const UsagePlans* previous);

  enum class Verdict { kAllowed, kInvalidKey, kThrottled, kQuotaExceeded };
  struct Admission {
    Verdict verdict;
    std::string_view key;  // the key's name; empty for kInvalidKey
  };
  // The request presented `value` (empty: none) at `now` (its bucket) and `wall` (its quota's
  // period, UTC).
  Admission admit(std::string_view value, core::MonoTime now, core::SystemTime wall);

  // What /metrics shows, per key.
  struct KeyStats {
    std::string key;
    std::string plan;
    core::Counter allowed;
    core::Counter throttled;
    core::Counter quota_exceeded;
  };
  const std::vector<std::shared_ptr<KeyStats>>& stats() const { return stats_; }
  const core::Counter& invalid() const { return *invalid_; }

 private:
  struct QuotaCount {
    std::mutex mu;
    int64_t window = INT64_MIN;  // the period the count is of; guarded by mu
    uint64_t used = 0;           // guarded by mu
  };
  struct Key {
    std::string plan;
    std::optional<config::UsagePlan::Quota> quota;
    std::shared_ptr<QuotaCount> count;          // with a quota; carried over a reload
    std::unique_ptr<core::TokenBucket> bucket;  // with a throttle
    std::shared_ptr<KeyStats> stats;
  };
  std::unordered_map<std::string, Key> by_digest_;  // SHA-256 (hex) of the value -> its key
  std::vector<std::shared_ptr<KeyStats>> stats_;
  std::shared_ptr<core::Counter> invalid_ = std::make_shared<core::Counter>();
};

}  // namespace gatehouse::gateway
