// KeyProvider owns one issuer's current key set and keeps it fresh.
//
// Sources: static (a file, PEM text or shared secret the caller loaded once and passes as a
// KeySet), a JWKS URL, or an OpenID discovery URL (document -> jwks_uri -> JWKS). For URL
// sources it fetches through the injected Fetcher on a schedule driven by the injected Clock:
// the next fetch is due refresh_interval_s after a success and retry_interval_s after a failure,
// a failed fetch (network error, bad JSON, no usable key) keeps the last good set, and a kid
// miss pulls the next fetch forward at most once per refetch_min_interval_s. At most one fetch
// is in flight.
//
// Usage (gateway; one provider per issuer):
//   KeyProvider keys(options, fetcher, clock, stats);
//   keys.start();                                   // first fetch
//   every ~1 s on the owner's timer: keys.poll();   // starts a fetch when one is due
//   per request: auto set = keys.snapshot();        // nullptr until the first success
//                if (!set) -> AuthError::kKeysUnavailable
//                jwt::verify(token, set->keys(), ...) == kKidNotFound -> keys.on_kid_miss();
//
// Thread safety: every method may be called from any thread. snapshot() copies the current set's
// pointer out of a std::atomic<std::shared_ptr> (libstdc++ guards it with a short spin lock, held
// only for the copy, never while verifying): each request keeps its set alive while verifying,
// however long a refresh takes. Schedule state sits behind a small mutex
// that only poll(), on_kid_miss() and fetch completions take, never the request path.
// Lifetime: the Fetcher, Clock and stats must outlive the provider. Completions that arrive
// after the provider is destroyed, or for a fetch it gave up on, are dropped (they hold only a
// weak reference).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "auth/jwks/fetcher.h"
#include "auth/jwks/key_set.h"
#include "auth/jwks/parse.h"
#include "core/clock.h"
#include "core/defaults.h"
#include "core/stats.h"
#include "core/status.h"

namespace gatehouse::auth::jwks {

// Handed in by the owner; observability/ registers and exports them.
struct KeyProviderStats {
  core::Counter fetch_ok;            // a fetch produced a new key set
  core::Counter fetch_failed;        // a fetch failed (network, parse, no usable key, timeout)
  core::Counter kid_miss_refetches;  // fetches started early by on_kid_miss()
};

struct KeyProviderOptions {
  enum class Kind {
    kJwks,       // `url` serves the JWKS itself
    kDiscovery,  // `url` serves an OpenID configuration; its jwks_uri serves the JWKS
  };
  std::string url;
  Kind kind = Kind::kJwks;
  // Discovery only: when non-empty, the document's `issuer` must equal it exactly (OpenID
  // Connect Discovery §4.3), or the fetch fails. Empty: not checked.
  std::string expected_issuer;
  // After a success. Default 3600 (API Gateway caches keys up to an hour); shorter picks up
  // rotations sooner at the cost of more requests to the issuer.
  int64_t refresh_interval_s = core::defaults::kJwksRefreshIntervalS;
  // After a failure. Default 30: quick recovery without hammering a struggling issuer.
  int64_t retry_interval_s = core::defaults::kJwksRetryIntervalS;
  // A kid miss starts a fetch only if none started in the last this-many seconds. Default 30:
  // new keys are found fast, and tokens with random kids cannot make us flood the issuer.
  int64_t refetch_min_interval_s = core::defaults::kJwksRefetchMinIntervalS;
  // Per request (discovery makes two). Default 1500, as API Gateway.
  int64_t timeout_ms = core::defaults::kJwksFetchTimeoutMs;
  // Per response. Default 150,000 bytes, API Gateway's JWKS limit.
  size_t max_bytes = kDefaultMaxJwksBytes;
};

// Requests waiting on one kid-miss refetch; more are refused (answered at once) so a flood of
// tokens with random kids cannot pile up memory.
inline constexpr size_t kMaxKidMissWaiters = 10'000;

class KeyProvider {
 public:
  // A static source: ready at once, with `keys` forever; poll() and on_kid_miss() do nothing.
  // Requires: keys != nullptr.
  explicit KeyProvider(std::shared_ptr<const KeySet> keys);
  // A URL source; nothing happens until start().
  KeyProvider(KeyProviderOptions options, Fetcher& fetcher, core::Clock& clock,
              KeyProviderStats& stats);
  ~KeyProvider();
  KeyProvider(const KeyProvider&) = delete;
  KeyProvider& operator=(const KeyProvider&) = delete;

  // Starts the first fetch. Idempotent.
  void start();
  // Starts a fetch if one is due and none is in flight; gives up on a fetch whose completion is
  // overdue (timeout_ms per request plus a second) and counts it as failed. Never blocks.
  void poll();
  // The verifier met an unknown kid: fetch now unless a fetch is in flight or one started less
  // than refetch_min_interval_s ago. Returns true if it started a fetch.
  bool on_kid_miss();
  // As above, and when a fetch is started or already in flight, `refreshed` is called once that
  // fetch ends (success or failure), on the thread that ends it; returns false (and never calls
  // `refreshed`) when no fetch will happen. At most kMaxKidMissWaiters callers wait at once.
  bool on_kid_miss(std::function<void()> refreshed);

  // Static sources only: replaces the key set (the embedded issuer's keys after a rotation).
  // Requests already verifying keep the set they took. Requires: keys != nullptr.
  void publish(std::shared_ptr<const KeySet> keys);

  // The current key set; nullptr before the first successful fetch.
  std::shared_ptr<const KeySet> snapshot() const;
  bool ready() const { return snapshot() != nullptr; }
  // Why the last fetch failed (ok after a success or before any fetch), for logs and health.
  core::Status last_error() const;

 private:
  class State;
  std::shared_ptr<State> state_;  // shared with in-flight completions through weak_ptr
};

}  // namespace gatehouse::auth::jwks
