// Strict decoding of a JWS compact-form token (RFC 7515 §7.1) without verifying it.
//
// verify() is what authorizers call; decode() exists for tools (`gatehouse token`), the fuzz
// target and tests. Neither ever looks at `jku`, `x5u`, `jwk` or `x5c` in a header: keys come
// only from configuration, never from the token.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/object.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "auth/jwt/alg.h"
#include "auth/jwt/auth_error.h"
#include "core/defaults.h"
#include "core/status.h"

namespace gatehouse::auth::jwt {

// Depth limit for header and payload JSON: claims nest a little (Auth0 namespaced objects,
// Keycloak realm_access.roles), never deeply.
inline constexpr size_t kMaxJsonDepth = 16;
// Default cap on the whole token. Real tokens are 0.5-2 KiB; Cognito ID tokens with many groups
// reach ~4 KiB.
inline constexpr size_t kDefaultMaxTokenBytes = core::defaults::kMaxTokenBytes;

// The JOSE header fields we act on.
struct JwtHeader {
  Alg alg = Alg::kRS256;
  std::optional<std::string> kid;  // a string when present (any other type is malformed)
  std::optional<std::string> typ;  // informational; not checked
};

struct DecodedJwt {
  JwtHeader header;
  boost::json::object payload;
  // "<header>.<payload>" exactly as received: a view into the token passed to decode(), valid
  // only while that string lives.
  std::string_view signing_input;
  std::string signature;  // decoded bytes; may be empty
};

// Splits and decodes `token`. Checks, in order: size (kTokenTooLarge when longer than
// max_token_bytes; kTokenMissing when empty), exactly three '.'-separated parts with non-empty
// header and payload, strict base64url (no padding, no stray bits), header JSON object with a
// string `alg` (kAlgNone for "none" in any case, kAlgNotAllowed for names we do not implement),
// `kid`/`typ` strings when present, no `crit` (we implement no extensions), then the payload JSON
// object. Any other failure is kTokenMalformed. JSON is limited to kMaxJsonDepth; for duplicate
// member names the last one wins (RFC 7519 §4 allows this).
core::Result<DecodedJwt, AuthError> decode(std::string_view token,
                                           size_t max_token_bytes = kDefaultMaxTokenBytes);

}  // namespace gatehouse::auth::jwt
