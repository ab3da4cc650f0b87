// Why a token was refused. One precise value per failed check, so the access log says exactly
// what went wrong; only gateway/responses turns these into 401/403/500 bodies, and the client
// never sees the reason.
//
// Thread safety: plain values.
#pragma once

#include <string_view>

namespace gatehouse::auth {

enum class AuthError {
  kTokenMissing,       // an identity source is absent or empty: 401, the authorizer never runs
  kIdentityRepeated,   // an identity-source header or query parameter is sent more than once:
                       // 401 before any cache lookup, the authorizer never runs
  kTokenMalformed,     // not three base64url parts, not JSON objects, wrong claim types, `crit`
  kTokenTooLarge,      // longer than VerifyOptions::max_token_bytes (checked before anything else)
  kAlgNone,            // header alg is "none" (any case): never accepted
  kAlgNotAllowed,      // alg unknown to us or not on the configured allow-list
  kKeyTypeMismatch,    // the selected key cannot verify this alg (type, curve or its JWK `alg`)
  kKidMissing,         // no kid in the token and more than one key could verify it
  kKidNotFound,        // the token's kid is not in the key set (the caller may refetch keys)
  kBadSignature,       // the signature does not verify (or has the wrong length)
  kExpMissing,         // no `exp` claim
  kExpired,            // now >= exp + leeway
  kNotYetValid,        // now + leeway < nbf
  kIssuedInFuture,     // iat > now + leeway
  kIssuerMismatch,     // `iss` missing or not exactly the configured issuer
  kAudienceMismatch,   // neither `aud` (nor `client_id` when `aud` is absent) names an audience
  kInsufficientScope,  // valid token, but none of the route's scopes (the only 403)
  kKeysUnavailable,    // no key set yet (first fetch pending or failed): fail closed
  // Lambda authorizers (TOKEN / REQUEST):
  kIdentityInvalid,        // the token does not match the validation regex: 401, not invoked
  kFunctionUnauthorized,   // the function failed with exactly "Unauthorized": 401
  kFunctionError,          // it failed with any other message: 500
  kFunctionOutputInvalid,  // it answered something that is not a valid authorizer output: 500
  kFunctionUnavailable,    // timeout, crash, init failure, full queue, shutdown: 500
  kPolicyExplicitDeny,     // a Deny statement matches the method ARN: 403
  kPolicyImplicitDeny,     // no Allow statement matches it: 403
};

// Short snake_case reason for the access log, e.g. "expired", "bad_signature".
std::string_view to_string(AuthError error);

}  // namespace gatehouse::auth
