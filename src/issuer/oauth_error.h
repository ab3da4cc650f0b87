// OAuth 2.0 error responses of the token endpoint (RFC 6749 §5.2) and the HTTP replies that carry
// them: {"error":"<code>","error_description":"<what exactly was wrong>"} with the status and
// headers each code needs. Descriptions never contain a secret, a token or key material.
//
// Usage:
//   return error_reply({OAuthErrorCode::kInvalidRequest, "missing grant_type"});
//
// Thread safety: values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "issuer/issuer.h"

namespace gatehouse::issuer {

enum class OAuthErrorCode {
  kInvalidRequest,          // 400: missing, repeated or malformed parameter; bad body
  kInvalidClient,           // 401: unknown client, wrong secret, unsupported auth scheme
  kUnauthorizedClient,      // 400: the client may not use this grant type
  kUnsupportedGrantType,    // 400
  kInvalidScope,            // 400: a scope the client may not have
  kAccessDenied,            // 403: an audience the client may not call
  kTooManyRequests,         // 429: too many failed authentications (with Retry-After)
  kTemporarilyUnavailable,  // 503: the issuer's queue is full or it is shutting down
};

// The RFC 6749 error code, e.g. "invalid_request".
std::string_view to_string(OAuthErrorCode code);
unsigned http_status(OAuthErrorCode code);

struct OAuthError {
  OAuthErrorCode code = OAuthErrorCode::kInvalidRequest;
  std::string description;
  // The client authenticated (or tried to) with HTTP Basic: a 401 then carries
  // `WWW-Authenticate: Basic realm="gatehouse"` (RFC 6749 §5.2).
  bool basic_auth = false;
  uint32_t retry_after_s = 0;  // kTooManyRequests, kTemporarilyUnavailable: the Retry-After
};

// Headers every token endpoint reply carries: the body is JSON and must not be cached
// (RFC 6749 §5.1).
void add_no_store_headers(HttpReply& reply);

// The reply for `error`: its status, the JSON body, Content-Type, Cache-Control: no-store,
// Pragma: no-cache, and WWW-Authenticate / Retry-After when they apply.
HttpReply error_reply(const OAuthError& error);

// 405 for `method` on `path`, with Allow: `allowed` and a JSON body in the same shape.
HttpReply method_not_allowed(std::string_view method, std::string_view path,
                             std::string_view allowed);

}  // namespace gatehouse::issuer
