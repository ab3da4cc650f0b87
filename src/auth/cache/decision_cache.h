// The authorizer decision cache: what API Gateway keeps per authorizer between calls.
//
// What is cached (docs/aws-compatibility.md §4 and our decisions in §13): an authorizer's
// successful output — Allow or Deny policy, principal, context, claims — keyed by the
// identity-source value(s) of one authorizer (each authorizer owns its cache). Not cached: missing
// identity, `Unauthorized`, failures. A hit is re-validated against the injected clock on every
// lookup: an entry lives until min(insert time + TTL, the token's own expiry), so a cached decision
// never outlives the token it was made for.
//
// Bounded: at most max_entries (split over shards, evicting the least recently used), and keys
// longer than max_key_bytes are never stored. Sharded by key hash with one mutex per shard.
//
// Usage:
//   DecisionCache<Decision> cache(options, clock, &stats);
//   if (auto d = cache.get(token)) ...           // hit
//   cache.put(token, decision, token_expiry);    // after a successful authorization
//
// Thread safety: all methods are thread-safe.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/defaults.h"
#include "core/stats.h"

namespace gatehouse::auth::cache {

struct CacheOptions {
  // Default 300 s (API Gateway's default); 0 turns caching off.
  uint32_t ttl_s = core::defaults::kAuthorizerCacheTtlS;
  // Default 10000 entries in all; more evicts the least recently used.
  size_t max_entries = core::defaults::kAuthorizerCacheMaxEntries;
  // Default 8 KiB: longer identity values are authorized every time rather than stored.
  size_t max_key_bytes = 8192;
  // Default 16 shards (one mutex each).
  size_t shards = 16;
};

struct CacheStats {
  core::Counter hits;
  core::Counter misses;
  core::Counter inserts;
  core::Counter evictions;  // removed to make room
  core::Counter expired;    // found past their expiry on lookup
};

template <class V>
class DecisionCache {
 public:
  DecisionCache(CacheOptions options, const core::Clock& clock, CacheStats* stats)
      : options_(options),
        clock_(clock),
        stats_(stats),
        shards_(std::max<size_t>(1, options.shards)) {
    per_shard_capacity_ = std::max<size_t>(1, options_.max_entries / shards_.size());
  }

  bool enabled() const { return options_.ttl_s > 0 && options_.max_entries > 0; }

  // The cached value for `key`, or nullptr on a miss or an expired entry.
  std::shared_ptr<const V> get(std::string_view key) {
    if (!enabled()) return nullptr;
    if (key.size() > options_.max_key_bytes) {
      stats_->misses.inc();
      return nullptr;
    }
    uint64_t h = std::hash<std::string_view>{}(key);
    Shard& shard = shard_for(h);
    auto now = clock_.now();
    std::lock_guard lock(shard.mu);
    auto it = shard.map.find(h);
    if (it == shard.map.end() || it->second.key != key) {
      stats_->misses.inc();
      return nullptr;
    }
    if (now >= it->second.expires_at) {
      shard.lru.erase(it->second.lru_pos);
      shard.map.erase(it);
      stats_->expired.inc();
      stats_->misses.inc();
      return nullptr;
    }
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second.lru_pos);
    stats_->hits.inc();
    return it->second.value;
  }

  // Stores `value` until min(now + TTL, not_after). No-op when caching is off, the key is too
  // long or the entry would already be expired.
  void put(std::string_view key, std::shared_ptr<const V> value,
           std::optional<core::SystemTime> not_after = std::nullopt) {
    if (!enabled() || key.size() > options_.max_key_bytes) return;
    auto now = clock_.now();
    auto expires_at = now + std::chrono::seconds(options_.ttl_s);
    if (not_after && *not_after < expires_at) expires_at = *not_after;
    if (expires_at <= now) return;
    uint64_t h = std::hash<std::string_view>{}(key);
    Shard& shard = shard_for(h);
    std::lock_guard lock(shard.mu);
    auto it = shard.map.find(h);
    if (it != shard.map.end()) {
      // Same key refreshed, or a hash collision: the newer entry wins.
      it->second.key.assign(key);
      it->second.value = std::move(value);
      it->second.expires_at = expires_at;
      shard.lru.splice(shard.lru.begin(), shard.lru, it->second.lru_pos);
      stats_->inserts.inc();
      return;
    }
    if (shard.map.size() >= per_shard_capacity_) {
      uint64_t victim = shard.lru.back();
      shard.lru.pop_back();
      shard.map.erase(victim);
      stats_->evictions.inc();
    }
    shard.lru.push_front(h);
    shard.map.emplace(h, Entry{std::string(key), std::move(value), expires_at, shard.lru.begin()});
    stats_->inserts.inc();
  }

  size_t size() const {
    size_t n = 0;
    for (auto& s : shards_) {
      std::lock_guard lock(s.mu);
      n += s.map.size();
    }
    return n;
  }

  void clear() {
    for (auto& s : shards_) {
      std::lock_guard lock(s.mu);
      s.map.clear();
      s.lru.clear();
    }
  }

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const V> value;
    core::SystemTime expires_at;
    std::list<uint64_t>::iterator lru_pos;
  };
  struct Shard {
    mutable std::mutex mu;
    // Guarded by mu. Keyed by the key's hash; Entry::key confirms the match.
    std::unordered_map<uint64_t, Entry> map;
    std::list<uint64_t> lru;  // most recently used first
  };
  Shard& shard_for(uint64_t h) { return shards_[(h >> 32) % shards_.size()]; }

  // Immutable after construction.
  const CacheOptions options_;
  const core::Clock& clock_;
  CacheStats* const stats_;
  size_t per_shard_capacity_;
  std::vector<Shard> shards_;
};

}  // namespace gatehouse::auth::cache
