// The pieces of decode() that verify() runs in a different order. Internal to auth/jwt.
#pragma once

#include <boost/json/object.hpp>

#include <string_view>

#include "auth/jwt/auth_error.h"
#include "auth/jwt/decode.h"
#include "core/status.h"

namespace gatehouse::auth::jwt::detail {

struct JwsParts {
  std::string_view header_b64;
  std::string_view payload_b64;
  std::string_view signature_b64;
  std::string_view signing_input;  // header_b64 + '.' + payload_b64
};

// Size and shape only: kTokenMissing, kTokenTooLarge, kTokenMalformed.
core::Result<JwsParts, AuthError> split_token(std::string_view token, size_t max_token_bytes);
// kTokenMalformed, kAlgNone, kAlgNotAllowed (unknown alg).
core::Result<JwtHeader, AuthError> parse_header(std::string_view header_b64);
// kTokenMalformed.
core::Result<boost::json::object, AuthError> parse_payload(std::string_view payload_b64);

}  // namespace gatehouse::auth::jwt::detail
