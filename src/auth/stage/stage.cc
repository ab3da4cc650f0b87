#include "auth/stage/stage.h"

#include <chrono>
#include <utility>

#include "auth/jwt/verify.h"
#include "auth/policy/policy.h"
#include "core/assert.h"

namespace gatehouse::auth::stage {
namespace {

uint64_t micros_since(const core::Clock& clock, core::MonoTime t) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(clock.monotonic() - t).count());
}

}  // namespace

Verdict verdict_for(AuthError error) {
  // No default: a new AuthError does not compile until it is given a verdict here.
  switch (error) {
    case AuthError::kTokenMissing:
    case AuthError::kIdentityRepeated:
    case AuthError::kTokenMalformed:
    case AuthError::kTokenTooLarge:
    case AuthError::kAlgNone:
    case AuthError::kAlgNotAllowed:
    case AuthError::kKeyTypeMismatch:
    case AuthError::kKidMissing:
    case AuthError::kKidNotFound:
    case AuthError::kBadSignature:
    case AuthError::kExpMissing:
    case AuthError::kExpired:
    case AuthError::kNotYetValid:
    case AuthError::kIssuedInFuture:
    case AuthError::kIssuerMismatch:
    case AuthError::kAudienceMismatch:
    case AuthError::kIdentityInvalid:
    case AuthError::kFunctionUnauthorized:
      return Verdict::kUnauthorized;
    case AuthError::kInsufficientScope:
    case AuthError::kPolicyImplicitDeny:
      return Verdict::kAccessDenied;
    case AuthError::kPolicyExplicitDeny:
      return Verdict::kAccessDeniedExplicitly;
    case AuthError::kKeysUnavailable:
    case AuthError::kFunctionUnavailable:
      return Verdict::kAuthorizerFailure;
    case AuthError::kFunctionError:
    case AuthError::kFunctionOutputInvalid:
      return Verdict::kAuthorizerConfigurationError;
  }
  return Verdict::kAuthorizerFailure;  // not reached; fails closed
}

std::string_view to_string(CacheStatus status) {
  switch (status) {
    case CacheStatus::kHit:
      return "hit";
    case CacheStatus::kMiss:
      return "miss";
    case CacheStatus::kNone:
      break;
  }
  return "";
}

Stage::Stage(StageOptions options, std::unique_ptr<Authorizer> authorizer,
             cache::CacheOptions cache_options, const core::Clock& clock, StageStats& stats)
    : options_(std::move(options)),
      authorizer_(std::move(authorizer)),
      stats_(stats),
      clock_(clock),
      cache_(cache_options, clock, &stats.cache) {
  GH_ASSERT(authorizer_ != nullptr);
}

void Stage::refuse(AuthError why, Outcome outcome, const Done& done) const {
  outcome.verdict = verdict_for(why);
  outcome.reason = why;
  switch (outcome.verdict) {
    case Verdict::kAllow:
      break;
    case Verdict::kUnauthorized:
      stats_.unauthorized.inc();
      break;
    case Verdict::kAccessDenied:
    case Verdict::kAccessDeniedExplicitly:
      stats_.forbidden.inc();
      break;
    case Verdict::kAuthorizerFailure:
    case Verdict::kAuthorizerConfigurationError:
      stats_.failure.inc();
      break;
  }
  done(outcome);
}

void Stage::judge(const functions::events::RequestFacts& facts,
                  std::span<const std::string> required_scopes, Outcome outcome,
                  const Done& done) const {
  const Decision& decision = *outcome.decision;
  if (decision.policy) {
    switch (policy::evaluate(*decision.policy, facts.method_arn)) {
      case policy::Effect::kAllow:
        break;
      case policy::Effect::kExplicitDeny:
        return refuse(AuthError::kPolicyExplicitDeny, std::move(outcome), done);
      case policy::Effect::kImplicitDeny:
        return refuse(AuthError::kPolicyImplicitDeny, std::move(outcome), done);
    }
  }
  if (!jwt::has_any_scope(decision.scopes, required_scopes)) {
    return refuse(AuthError::kInsufficientScope, std::move(outcome), done);
  }
  stats_.allow.inc();
  outcome.verdict = Verdict::kAllow;
  done(outcome);
}

void Stage::run(const functions::events::RequestFacts& facts,
                std::span<const std::string> required_scopes, Done done) {
  Outcome outcome;
  auto identity = read_identity(options_.sources, facts);
  if (!identity) return refuse(identity.error(), std::move(outcome), done);
  if (options_.validation_regex) {
    // A full match, as our decision in docs/aws-compatibility.md §13; a pattern too costly for
    // this input (boost::regex throws) fails closed.
    std::string_view token = identity->token();
    bool matches = false;
    try {
      matches = boost::regex_match(token.begin(), token.end(), *options_.validation_regex);
    } catch (const std::exception&) {
      matches = false;
    }
    if (!matches) return refuse(AuthError::kIdentityInvalid, std::move(outcome), done);
  }

  // The cache key: the identity itself, or with the method ARN appended (cache_scope: method).
  // Without identity sources there is nothing to key by (config turns the cache off then).
  const bool caching = cache_.enabled() && !options_.sources.empty();
  std::string method_key;
  std::string_view key = identity->key();
  if (caching && options_.cache_by_method) {
    method_key.reserve(key.size() + facts.method_arn.size() + 16);
    append_key_part(method_key, key);
    method_key += facts.method_arn;
    key = method_key;
  }

  auto started = clock_.monotonic();
  if (caching) {
    // A hit counts only while what the decision rested on stands (a retired key's decisions go
    // with it); otherwise the authorizer decides afresh and its answer replaces the entry.
    if (DecisionPtr hit = cache_.get(key); hit && authorizer_->still_valid(*hit)) {
      outcome.cache = CacheStatus::kHit;
      outcome.decision = std::move(hit);
      outcome.authorizer_us = micros_since(clock_, started);
      return judge(facts, required_scopes, std::move(outcome), done);
    }
    outcome.cache = CacheStatus::kMiss;
  }

  // The authorizer is shown exactly what the key was made from: the token (TOKEN event, JWT) or
  // the request's facts (REQUEST event), whose identity-source values read_identity() checked.
  AuthRequest request{identity->token(), facts.method_arn, facts.request_id,
                      options_.request_event ? &facts : nullptr};
  // The completion keeps the key only while caching; `facts` and the scopes are the caller's.
  authorizer_->authorize(
      request, [this, &facts, required_scopes, outcome, started, done = std::move(done),
                key = caching ? std::string(key) : std::string()](AuthResult result) mutable {
        outcome.authorizer_us = micros_since(clock_, started);
        if (!result) return refuse(result.error(), std::move(outcome), done);
        if (!key.empty()) cache_.put(key, *result, (*result)->expires_at);
        outcome.decision = std::move(*result);
        judge(facts, required_scopes, std::move(outcome), done);
      });
}

}  // namespace gatehouse::auth::stage
