// The Authorizer seam: the built-in JWT authorizer and the Lambda function authorizers (TOKEN and
// REQUEST). The auth stage (auth/stage) reads the identity, consults the decision cache (a hit
// stands only while still_valid() says so), and only on a miss calls authorize(); it then checks
// the decision against the request (scopes, policy) itself, so a cached decision is re-checked
// for every request exactly like a fresh one.
//
// Usage:
//   authorizer.authorize(request, [](auth::AuthResult r) {
//     if (!r) answer(r.error());                 // AuthError -> 401/403/500 in gateway/responses
//     else cache.put(identity, *r, (*r)->expires_at);
//   });
//
// Thread safety: authorize() may be called from any I/O thread concurrently.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/jwt/auth_error.h"
#include "auth/jwt/key.h"
#include "auth/policy/policy.h"
#include "core/clock.h"
#include "core/stats.h"
#include "core/status.h"

namespace gatehouse::functions::events {
struct RequestFacts;
}

namespace gatehouse::auth {

// What the gateway tells an authorizer about one request. The views are valid only during the
// authorize() call: an asynchronous authorizer copies what it keeps.
struct AuthRequest {
  std::string_view identity;    // the identity-source value, unmodified (e.g. "Bearer eyJ...")
  std::string_view method_arn;  // arn:aws:execute-api:...:{api}/{stage}/{METHOD}/{path}
  std::string_view request_id;
  // REQUEST authorizers: the whole request, for the event. Null for the others.
  const functions::events::RequestFacts* request = nullptr;
};

// An authorizer's successful output; immutable and shared between cache and requests.
struct Decision {
  std::string principal_id;                    // JWT `sub`, or the function's principalId
  boost::json::object claims;                  // the JWT payload (empty for function authorizers)
  std::vector<std::string> scopes;             // from `scope` / `scp`
  std::optional<core::SystemTime> expires_at;  // token expiry: caps the cache entry's life
  // JWT: the key that verified the token. A cached decision is good only while that key is still
  // trusted (a key past its rotation grace retires the decisions it made).
  std::optional<jwt::Key> verified_by;
  // Function authorizers: the returned policy, evaluated against every request's method ARN
  // (cached or not), and the context, values stringified. Null / empty for the JWT authorizer.
  std::shared_ptr<const policy::Policy> policy;
  std::vector<std::pair<std::string, std::string>> context;
  std::string usage_identifier_key;
  uint64_t integration_latency_ms = 0;  // how long the function took to decide
};
using DecisionPtr = std::shared_ptr<const Decision>;
using AuthResult = core::Result<DecisionPtr, AuthError>;
using AuthCallback = std::function<void(AuthResult)>;

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // Decides on `request` and calls `done` exactly once, possibly before returning (the JWT
  // authorizer always does) or later from another thread. Never blocks.
  virtual void authorize(const AuthRequest& request, AuthCallback done) = 0;
  // Whether a decision this authorizer made earlier (now in the cache) still stands: false when
  // what it rested on is gone (the JWT authorizer: the key that verified the token). Called on
  // every cache hit; cheap, never blocks.
  virtual bool still_valid(const Decision&) const { return true; }
  // Starts background work (the first key fetch). Called once when serving starts, never by
  // `gatehouse check`.
  virtual void start() {}
  // Periodic housekeeping (key refresh), called about once a second from one thread.
  virtual void poll() {}
  // True once the authorizer can decide (keys loaded); /readyz reports it.
  virtual bool ready() const { return true; }
  // The authorizer's own counters (e.g. key fetches) as (metric suffix, handle) for export.
  virtual std::vector<std::pair<std::string, const core::Counter*>> counters() const { return {}; }
};

}  // namespace gatehouse::auth
