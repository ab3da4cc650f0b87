// The auth stage of one request: from the request's facts to a verdict, for one authorizer.
//
// Order of checks (each refusal ends the stage; "not invoked" means the authorizer never runs):
//   1. identity (identity.h): every source present, non-empty and sent once; else 401, not
//      invoked, nothing cached;
//   2. validation_regex (token authorizers): the token must match it whole; else 401, not invoked;
//   3. the decision cache, keyed by the identity (and the method ARN with cache_scope: method):
//      a hit skips the authorizer;
//   4. on a miss, the authorizer decides; its successful output (Allow or Deny policy, principal,
//      context, claims) is cached until min(now + TTL, the token's exp). Never cached: a missing
//      or repeated identity, a failed validation_regex, `Unauthorized`, any failure;
//   5. the decision's policy, if any, is evaluated against this request's method ARN (a cached
//      decision too: a policy for GET /resource may not cover DELETE /resource/7): explicit Deny
//      or no Allow is 403;
//   6. the route's scopes (any-of) against the decision's scopes: none held is 403.
//
// Every AuthError maps to one Verdict in verdict_for(); the gateway turns a Verdict into its
// gateway response and never looks at the AuthError beyond logging it.
//
// Threads: run() is called on the request's I/O thread. Steps 1-3 (and 4-6 for the JWT
// authorizer, which decides in process) run there before run() returns; a function authorizer's
// decision arrives later on the function pool's thread, where steps 4-6 run and `done` is called.
// All methods are thread-safe (the cache locks per shard; stats are atomic).
//
// Usage:
//   auth::stage::Stage stage(options, std::move(authorizer), cache_options, clock);
//   stage.run(facts, route_scopes, [](const Outcome& o) {
//     if (o.verdict == Verdict::kAllow) integrate(o.decision); else respond(o.verdict);
//   });
#pragma once

#include <boost/regex.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authorizers/authorizer.h"
#include "auth/cache/decision_cache.h"
#include "auth/jwt/auth_error.h"
#include "auth/stage/identity.h"
#include "core/clock.h"
#include "core/stats.h"
#include "functions/events/request_facts.h"

namespace gatehouse::auth::stage {

enum class Verdict {
  kAllow,                         // run the integration
  kUnauthorized,                  // 401 UNAUTHORIZED
  kAccessDenied,                  // 403 ACCESS_DENIED
  kAccessDeniedExplicitly,        // 403 ACCESS_DENIED, "...with an explicit deny"
  kAuthorizerFailure,             // 500 AUTHORIZER_FAILURE
  kAuthorizerConfigurationError,  // 500 AUTHORIZER_CONFIGURATION_ERROR
};

// The one mapping from why a request was refused to what the client is told.
Verdict verdict_for(AuthError error);

enum class CacheStatus {
  kNone,  // caching is off, or the stage ended before the cache (steps 1-2)
  kHit,
  kMiss,
};
// "hit", "miss", or "" for kNone: the access log's `cache` field.
std::string_view to_string(CacheStatus status);

struct Outcome {
  Verdict verdict = Verdict::kUnauthorized;
  std::optional<AuthError> reason;  // why it was refused (for the log); nullopt when allowed
  // The authorizer's decision: set when allowed, and when its policy or scopes refused.
  DecisionPtr decision;
  CacheStatus cache = CacheStatus::kNone;
  uint64_t authorizer_us = 0;  // cache lookup plus the authorizer's time, microseconds
};
using Done = std::function<void(const Outcome&)>;

struct StageOptions {
  std::string name;  // the authorizer's name, for logs
  // Where the identity comes from: one source for jwt and token authorizers, one or more for
  // request authorizers; none only for a request authorizer without a cache (cache_ttl_s: 0),
  // which is then invoked for every request (nothing is ever cached under an empty identity).
  std::vector<IdentitySource> sources;
  // Token authorizers: the whole token must match, else 401 without invoking.
  std::optional<boost::regex> validation_regex;
  // REQUEST authorizers are shown the whole request (AuthRequest::request); the others only the
  // token.
  bool request_event = false;
  // cache_scope: method: entries keyed by identity and method ARN.
  bool cache_by_method = false;
};

// Handed in by the owner, who exports them.
struct StageStats {
  core::Counter allow;         // authorized (fresh or cached)
  core::Counter unauthorized;  // 401
  core::Counter forbidden;     // 403 (scope, or the function's policy)
  core::Counter failure;       // 500
  cache::CacheStats cache;
};

class Stage {
 public:
  // `clock` and `stats` must outlive the stage.
  Stage(StageOptions options, std::unique_ptr<Authorizer> authorizer,
        cache::CacheOptions cache_options, const core::Clock& clock, StageStats& stats);

  // Runs the stage for one request and calls `done` exactly once, before returning or later on
  // another thread. `facts` (with method_arn set) and `required_scopes` — and what they view —
  // must stay valid until `done` has run; the stage copies nothing it does not keep.
  void run(const functions::events::RequestFacts& facts,
           std::span<const std::string> required_scopes, Done done);

  Authorizer& authorizer() { return *authorizer_; }
  const Authorizer& authorizer() const { return *authorizer_; }
  size_t cache_entries() const { return cache_.size(); }
  const std::string& name() const { return options_.name; }

 private:
  // Steps 5-6 and the stats; calls done.
  void judge(const functions::events::RequestFacts& facts,
             std::span<const std::string> required_scopes, Outcome outcome, const Done& done) const;
  void refuse(AuthError why, Outcome outcome, const Done& done) const;

  // Immutable after construction.
  const StageOptions options_;
  const std::unique_ptr<Authorizer> authorizer_;
  StageStats& stats_;
  const core::Clock& clock_;
  // Thread-safe.
  cache::DecisionCache<Decision> cache_;
};

}  // namespace gatehouse::auth::stage
