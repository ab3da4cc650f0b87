// Limits failed client authentications per client id from one peer address, and per peer
// address, so that guessing a secret online is slow and a flood of wrong secrets cannot keep the
// issuer busy hashing: the token endpoint asks retry_after_s() before it derives anything and
// answers 429 when it is non-zero.
//
// A client id is counted per peer, never alone: wrong secrets sent for a client from one address
// block that address, not the client, so nobody can lock a client out by knowing its id. Guessing
// from many addresses gets max_failures_per_client × addresses tries a window, and a client secret
// must be random and long enough for that rate (docs/security.md).
//
// Each key (a client id from a peer, a peer address) has a fixed window that starts at its first
// failure and lasts window_s on the monotonic clock; more than max failures in it blocks the key
// until the window ends. Successes do not reset the count: an attacker cannot clear it with one
// good guess of something else.
//
// Usage:
//   if (uint32_t wait = limiter.retry_after_s(id, peer)) return reply_429(wait);
//   if (!authenticated) limiter.record_failure(id, peer);
//
// Memory: at most kMaxTrackedKeys keys per kind; beyond that the entry whose window started
// first is forgotten, so random client ids from a flood cannot grow the maps without bound.
//
// Thread safety: every method may be called from any thread (one mutex).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "issuer/issuer.h"

namespace gatehouse::issuer {

inline constexpr size_t kMaxTrackedKeys = 10000;
// How long a successful authentication from a peer earns that client id priority there.
inline constexpr std::chrono::hours kSuccessMemory{24};

class FailureLimiter {
 public:
  // A max_failures_* of 0 disables that limit. `clock` must outlive the limiter.
  FailureLimiter(const RateLimitOptions& options, const core::Clock& clock);

  // 0 when both the client id and the peer may try; otherwise the whole seconds (at least 1)
  // until the later of their blocked windows ends. An empty peer is not limited.
  uint32_t retry_after_s(std::string_view client_id, std::string_view peer);

  // Counts one failed authentication against both.
  void record_failure(std::string_view client_id, std::string_view peer);

  // Remembers (for kSuccessMemory) that the client id authenticated from this peer.
  void record_success(std::string_view client_id, std::string_view peer);

  // Who is heard first while hashing is the bottleneck (a flood of wrong secrets from many
  // addresses): 0 for a client id that authenticated from this peer within kSuccessMemory (a
  // service renewing its token), 1 for a peer and pair with no failure in their windows, 2 for
  // the rest. No secret material is kept: only the ids and addresses.
  int priority(std::string_view client_id, std::string_view peer);

 private:
  struct Window {
    core::MonoTime start;
    uint32_t failures = 0;
  };
  using Map = std::unordered_map<std::string, Window>;

  uint32_t blocked_for_s(Map& map, std::string_view key, uint32_t max, core::MonoTime now);
  void count(Map& map, std::string_view key, uint32_t max, core::MonoTime now);
  bool failed_within_window(const Map& map, std::string_view key, core::MonoTime now) const;

  const RateLimitOptions options_;
  const core::Clock& clock_;
  std::mutex mu_;
  Map by_client_;  // (client id, peer) pairs; guarded by mu_
  Map by_peer_;    // guarded by mu_
  Map succeeded_;  // (client id, peer) pairs: when they last authenticated; guarded by mu_
};

}  // namespace gatehouse::issuer
