// Reading a token request (RFC 6749 §4.4.2) from the body and the Authorization header: the
// syntax, before anything about clients or keys is known.
//
// Bodies: application/x-www-form-urlencoded (the RFC's encoding: '&'-separated name=value, '+'
// is a space, %XX escapes must be well formed) or application/json (Auth0 accepts it; the top
// level must be an object and the known members strings). A `charset` parameter on the media
// type is accepted when it says UTF-8. Unknown parameters are ignored (RFC 6749 §3.2); an empty
// value counts as omitted (§3.1); a known parameter sent twice is an error (§3.1).
//
// Client authentication (§2.3.1): client_id and client_secret in the body (client_secret_post)
// or an `Authorization: Basic` header whose id and secret were form-urlencoded before base64
// (client_secret_basic), not both. A client_id in the body next to Basic must name the same
// client.
//
// Usage:
//   auto request = parse_token_request(req.content_type, req.body, req.authorization);
//   if (!request) return error_reply(request.error());
//
// Thread safety: pure function. Errors are OAuthErrors with a description that names the
// parameter but never echoes a value.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "issuer/oauth_error.h"

namespace gatehouse::issuer {

struct TokenRequest {
  TokenRequest() = default;
  // Not copyable or movable: the secret must not leave copies behind. Hold it in a unique_ptr.
  TokenRequest(const TokenRequest&) = delete;
  TokenRequest& operator=(const TokenRequest&) = delete;
  ~TokenRequest();  // wipes client_secret

  std::string grant_type;               // non-empty
  std::string client_id;                // non-empty
  std::string client_secret;            // non-empty
  std::optional<std::string> audience;  // nullopt: omitted (or empty)
  std::optional<std::string> scope;     // space-separated, as sent; nullopt: omitted
  bool basic_auth = false;              // the credentials came from HTTP Basic
};

// Parses a token request. Errors, in the order they are checked:
//  - invalid_request: no or an unsupported Content-Type (the description names the two
//    supported ones), a charset other than UTF-8, a malformed body (bad %-escape, JSON syntax, a
//    JSON top level that is not an object), a known parameter repeated or (JSON) not a string;
//  - invalid_client (basic_auth set, so the reply carries WWW-Authenticate): an Authorization
//    scheme other than Basic;
//  - invalid_request: malformed Basic credentials, credentials both in Basic and the body, a body
//    client_id that differs from the Basic one, missing grant_type;
//  - invalid_client: no client credentials at all;
//  - invalid_request: client_id without client_secret or the reverse.
core::Result<std::unique_ptr<TokenRequest>, OAuthError> parse_token_request(
    std::string_view content_type, std::string_view body, std::string_view authorization);

// Splits a `scope` value into its tokens (RFC 6749 §3.3: space-delimited), dropping empty tokens
// from repeated spaces and repeated scopes, keeping the first occurrence's order.
std::vector<std::string> split_scope(std::string_view scope);

}  // namespace gatehouse::issuer
