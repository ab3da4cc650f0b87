#include "auth/jwt/auth_error.h"

namespace gatehouse::auth {

std::string_view to_string(AuthError error) {
  switch (error) {
    case AuthError::kTokenMissing:
      return "token_missing";
    case AuthError::kIdentityRepeated:
      return "identity_repeated";
    case AuthError::kTokenMalformed:
      return "token_malformed";
    case AuthError::kTokenTooLarge:
      return "token_too_large";
    case AuthError::kAlgNone:
      return "alg_none";
    case AuthError::kAlgNotAllowed:
      return "alg_not_allowed";
    case AuthError::kKeyTypeMismatch:
      return "key_type_mismatch";
    case AuthError::kKidMissing:
      return "kid_missing";
    case AuthError::kKidNotFound:
      return "kid_not_found";
    case AuthError::kBadSignature:
      return "bad_signature";
    case AuthError::kExpMissing:
      return "exp_missing";
    case AuthError::kExpired:
      return "expired";
    case AuthError::kNotYetValid:
      return "not_yet_valid";
    case AuthError::kIssuedInFuture:
      return "issued_in_future";
    case AuthError::kIssuerMismatch:
      return "issuer_mismatch";
    case AuthError::kAudienceMismatch:
      return "audience_mismatch";
    case AuthError::kInsufficientScope:
      return "insufficient_scope";
    case AuthError::kKeysUnavailable:
      return "keys_unavailable";
    case AuthError::kIdentityInvalid:
      return "identity_invalid";
    case AuthError::kFunctionUnauthorized:
      return "function_unauthorized";
    case AuthError::kFunctionError:
      return "function_failed";
    case AuthError::kFunctionOutputInvalid:
      return "function_output_invalid";
    case AuthError::kFunctionUnavailable:
      return "function_unavailable";
    case AuthError::kPolicyExplicitDeny:
      return "explicit_deny";
    case AuthError::kPolicyImplicitDeny:
      return "implicit_deny";
  }
  return "unknown";
}

}  // namespace gatehouse::auth
