// JWT verification: the pure core of the JWT authorizer. No clock, socket or thread
// inside: the caller passes the key set and the current time.
//
// Usage (authorizer, per request):
//   std::shared_ptr<const jwks::KeySet> keys = provider.snapshot();   // nullptr: kKeysUnavailable
//   auto token = jwt::verify(bearer, keys->keys(), options, clock.unix_seconds());
//   if (!token && token.error() == AuthError::kKidNotFound) provider.on_kid_miss();
//   if (token && !jwt::has_any_scope(token->scopes, route_scopes)) -> kInsufficientScope (403)
//
// Thread safety: pure functions; many threads may verify with the same keys at once.
#pragma once

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwt/alg.h"
#include "auth/jwt/auth_error.h"
#include "auth/jwt/decode.h"
#include "auth/jwt/key.h"
#include "core/defaults.h"
#include "core/status.h"

namespace gatehouse::auth::jwt {

struct VerifyOptions {
  // Required `iss`, compared exactly (a trailing slash matters: Auth0's ends in '/'). Empty: not
  // checked. config/ requires it for every JWT authorizer, so empty is for tests and tools.
  std::string issuer;
  // Accepted audiences: the token's `aud` (a string or an array of strings) must contain one of
  // them; when `aud` is absent, `client_id` is compared instead (Cognito access tokens, as API
  // Gateway does). Empty: not checked.
  std::vector<std::string> audiences;
  // Allow-list. Default: every public-key algorithm; HS* must be listed explicitly. Empty allows
  // nothing (fails closed).
  std::vector<Alg> algorithms{kAsymmetricAlgs.begin(), kAsymmetricAlgs.end()};
  // Clock skew tolerated on exp/nbf/iat, in seconds: absorbs clock drift between the token issuer
  // and us at the cost of accepting tokens that long after expiry.
  int64_t leeway_s = core::defaults::kJwtLeewayS;
  // Tokens longer than this are refused before any decoding (kTokenTooLarge).
  size_t max_token_bytes = kDefaultMaxTokenBytes;
};

struct VerifiedToken {
  boost::json::object claims;  // the whole payload
  std::string subject;         // `sub`; empty when absent
  // From `scope` (space-separated string) and `scp` (array of strings, or a space-separated
  // string), in that order; values of other types are ignored.
  std::vector<std::string> scopes;
  int64_t expires_at = 0;  // `exp`, Unix seconds (fractional seconds truncated)
  // The key whose signature checked out (a copy: shares the key material). A decision made from
  // this token lives only as long as the key stays among the trusted ones.
  std::optional<Key> key;
};

// Verifies `token` (the bare compact JWS, without "Bearer ") against `keys` at `now_unix`.
// Order of checks, each with its own error (see AuthError): size, format and header (decode());
// alg on opts.algorithms (kAlgNotAllowed); key selection; signature (kBadSignature); then the
// payload: `iss` (kIssuerMismatch), `aud`/`client_id` (kAudienceMismatch), `exp` (kExpMissing,
// kExpired when now >= exp + leeway), `nbf` (kNotYetValid when now + leeway < nbf), `iat`
// (kIssuedInFuture when iat > now + leeway). Non-numeric exp/nbf/iat, non-string `sub` or `aud`
// of the wrong type are kTokenMalformed.
//
// Key selection (a key "fits" when Key::can_verify(alg): right type, and its JWK `alg`, if any,
// equals the token's):
//  - token with a `kid`: the first key with that kid that fits (keys with that kid but none that
//    fits: kKeyTypeMismatch). If no key has that kid, a key configured without a kid (a PEM
//    certificate or a shared secret) is used when exactly one such key fits; otherwise
//    kKidNotFound, on which the caller may refetch the key set.
//  - token without a `kid`: the single key that fits (several: kKidMissing; none:
//    kKeyTypeMismatch).
// Empty `keys`: kKeysUnavailable. The payload JSON is parsed only after the signature verifies,
// so unsigned garbage never reaches the JSON parser beyond the small header.
core::Result<VerifiedToken, AuthError> verify(std::string_view token, std::span<const Key> keys,
                                              const VerifyOptions& opts, int64_t now_unix);

// True if `granted` (a token's scopes, VerifiedToken::scopes) holds at least one of `required`
// (API Gateway's authorizationScopes are any-of), or if `required` is empty (the route asks for no
// scope). Scopes compare exactly (case-sensitive).
bool has_any_scope(std::span<const std::string> granted, std::span<const std::string> required);

}  // namespace gatehouse::auth::jwt
