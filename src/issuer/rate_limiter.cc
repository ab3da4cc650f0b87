#include "issuer/rate_limiter.h"

#include <algorithm>
#include <string>

namespace gatehouse::issuer {

FailureLimiter::FailureLimiter(const RateLimitOptions& options, const core::Clock& clock)
    : options_(options), clock_(clock) {}

uint32_t FailureLimiter::blocked_for_s(Map& map, std::string_view key, uint32_t max,
                                       core::MonoTime now) {
  if (max == 0 || key.empty()) return 0;
  auto it = map.find(std::string(key));
  if (it == map.end()) return 0;
  const auto end = it->second.start + std::chrono::seconds(options_.window_s);
  if (now >= end) {
    map.erase(it);
    return 0;
  }
  if (it->second.failures < max) return 0;
  auto left = std::chrono::ceil<std::chrono::seconds>(end - now).count();
  return static_cast<uint32_t>(std::max<int64_t>(left, 1));
}

void FailureLimiter::count(Map& map, std::string_view key, uint32_t max, core::MonoTime now) {
  if (max == 0 || key.empty()) return;
  auto it = map.find(std::string(key));
  if (it != map.end() && now >= it->second.start + std::chrono::seconds(options_.window_s)) {
    it->second = Window{now, 0};
  }
  if (it == map.end()) {
    if (map.size() >= kMaxTrackedKeys) {
      // Expired windows first; if none, the oldest window goes. O(n), but only when full.
      std::erase_if(map, [&](const auto& entry) {
        return now >= entry.second.start + std::chrono::seconds(options_.window_s);
      });
      if (map.size() >= kMaxTrackedKeys) {
        map.erase(std::min_element(map.begin(), map.end(), [](const auto& a, const auto& b) {
          return a.second.start < b.second.start;
        }));
      }
    }
    it = map.emplace(std::string(key), Window{now, 0}).first;
  }
  ++it->second.failures;
}

namespace {

// The client id as tried from one peer: failures from one address never block the client for
// anyone else. A NUL cannot occur in a client id that reached here (form and JSON decoding refuse
// it), so two pairs cannot collide.
std::string client_from_peer(std::string_view client_id, std::string_view peer) {
  if (client_id.empty()) return {};
  std::string key(client_id);
  key += '\0';
  key += peer;
  return key;
}

}  // namespace

uint32_t FailureLimiter::retry_after_s(std::string_view client_id, std::string_view peer) {
  const core::MonoTime now = clock_.monotonic();
  const std::string pair = client_from_peer(client_id, peer);
  std::lock_guard lock(mu_);
  return std::max(blocked_for_s(by_client_, pair, options_.max_failures_per_client, now),
                  blocked_for_s(by_peer_, peer, options_.max_failures_per_peer, now));
}

void FailureLimiter::record_success(std::string_view client_id, std::string_view peer) {
  const core::MonoTime now = clock_.monotonic();
  const std::string pair = client_from_peer(client_id, peer);
  if (pair.empty()) return;
  std::lock_guard lock(mu_);
  auto it = succeeded_.find(pair);
  if (it == succeeded_.end()) {
    if (succeeded_.size() >= kMaxTrackedKeys) {
      succeeded_.erase(std::min_element(
          succeeded_.begin(), succeeded_.end(),
          [](const auto& a, const auto& b) { return a.second.start < b.second.start; }));
    }
    it = succeeded_.emplace(pair, Window{}).first;
  }
  it->second.start = now;
}

bool FailureLimiter::failed_within_window(const Map& map, std::string_view key,
                                          core::MonoTime now) const {
  if (key.empty()) return false;
  auto it = map.find(std::string(key));
  return it != map.end() && it->second.failures > 0 &&
         now < it->second.start + std::chrono::seconds(options_.window_s);
}

int FailureLimiter::priority(std::string_view client_id, std::string_view peer) {
  const core::MonoTime now = clock_.monotonic();
  const std::string pair = client_from_peer(client_id, peer);
  std::lock_guard lock(mu_);
  if (auto it = succeeded_.find(pair);
      it != succeeded_.end() && now < it->second.start + kSuccessMemory) {
    return 0;
  }
  if (failed_within_window(by_client_, pair, now) || failed_within_window(by_peer_, peer, now)) {
    return 2;
  }
  return 1;
}

void FailureLimiter::record_failure(std::string_view client_id, std::string_view peer) {
  const core::MonoTime now = clock_.monotonic();
  const std::string pair = client_from_peer(client_id, peer);
  std::lock_guard lock(mu_);
  count(by_client_, pair, options_.max_failures_per_client, now);
  count(by_peer_, peer, options_.max_failures_per_peer, now);
}

}  // namespace gatehouse::issuer
