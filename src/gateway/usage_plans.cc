#include "gateway/usage_plans.h"

#include <chrono>
#include <utility>

#include "aws/sigv4.h"

namespace gatehouse::gateway {
namespace {

using Period = config::UsagePlan::Period;

// Which period `wall` falls in, as a number that changes when the period does (UTC).
int64_t window_of(Period period, core::SystemTime wall) {
  using namespace std::chrono;
  const sys_days day = floor<days>(wall);
  const int64_t n = day.time_since_epoch().count();
  switch (period) {
    case Period::kDay:
      return n;
    case Period::kWeek: {
      // 1970-01-01 was a Thursday: Monday-based weeks start 3 days later in the count.
      const int64_t shifted = n + 3;
      return shifted >= 0 ? shifted / 7 : (shifted - 6) / 7;
    }
    case Period::kMonth: {
      const year_month_day ymd{day};
      return static_cast<int64_t>(static_cast<int>(ymd.year())) * 12 +
             static_cast<int64_t>(static_cast<unsigned>(ymd.month()));
    }
  }
  return n;
}

}  // namespace

core::Result<std::unique_ptr<UsagePlans>> UsagePlans::build(
    const std::vector<config::UsagePlan>& plans, const UsagePlans* previous) {
  auto out = std::make_unique<UsagePlans>();
  if (previous) out->invalid_ = previous->invalid_;
  for (const config::UsagePlan& plan : plans) {
    for (const config::ApiKey& k : plan.api_keys) {
      auto value = config::resolve_secret(k.value);
      if (!value) {
        return core::invalid_argument("API key " + k.name + ": " + value.error().message());
      }
      if (value->size() > kMaxKeyBytes) {
        return core::invalid_argument("API key " + k.name + ": its value is longer than " +
                                      std::to_string(kMaxKeyBytes) + " characters");
      }
      if (value->size() < 20) {
        return core::invalid_argument("API key " + k.name +
                                      ": its value is shorter than 20 characters (API Gateway's "
                                      "minimum); a short key is a guessable one");
      }
      std::string digest = aws::sha256_hex(*value);
      if (out->by_digest_.count(digest) != 0) {
        return core::invalid_argument("API key " + k.name +
                                      " has the value of another key: each key needs its own");
      }
      Key key;
      key.plan = plan.name;
      key.quota = plan.quota;
      if (plan.throttle) {
        key.bucket = std::make_unique<core::TokenBucket>(plan.throttle->rate, plan.throttle->burst);
      }
      // The counts and counters of the same key in the same plan go on across a reload.
      if (previous) {
        for (const auto& [d, before] : previous->by_digest_) {
          if (before.stats->key != k.name || before.plan != plan.name) continue;
          key.stats = before.stats;
          if (before.quota == plan.quota) key.count = before.count;
        }
      }
      if (!key.stats) {
        key.stats = std::make_shared<KeyStats>();
        key.stats->key = k.name;
        key.stats->plan = plan.name;
      }
      if (plan.quota && !key.count) key.count = std::make_shared<QuotaCount>();
      out->stats_.push_back(key.stats);
      out->by_digest_.emplace(std::move(digest), std::move(key));
    }
  }
  return out;
}

UsagePlans::Admission UsagePlans::admit(std::string_view value, core::MonoTime now,
                                        core::SystemTime wall) {
  // No key is longer: an oversized value is refused without the cost of hashing it.
  auto it = value.empty() || value.size() > kMaxKeyBytes ? by_digest_.end()
                                                         : by_digest_.find(aws::sha256_hex(value));
  if (it == by_digest_.end()) {
    invalid_->inc();
    return {Verdict::kInvalidKey, {}};
  }
  Key& key = it->second;
  if (key.bucket && !key.bucket->try_take(now)) {
    key.stats->throttled.inc();
    return {Verdict::kThrottled, key.stats->key};
  }
  if (key.quota) {
    std::lock_guard lock(key.count->mu);
    const int64_t window = window_of(key.quota->period, wall);
    if (window != key.count->window) {
      key.count->window = window;
      key.count->used = 0;
    }
    if (key.count->used >= key.quota->limit) {
      key.stats->quota_exceeded.inc();
      return {Verdict::kQuotaExceeded, key.stats->key};
    }
    ++key.count->used;
  }
  key.stats->allowed.inc();
  return {Verdict::kAllowed, key.stats->key};
}

}  // namespace gatehouse::gateway
