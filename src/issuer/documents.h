// The issuer's public documents: the JWKS (RFC 7517), the OpenID discovery document (OpenID
// Connect Discovery 1.0 §3, the subset that describes a client_credentials-only provider) and the
// endpoint paths they point at.
//
// Usage:
//   std::string jwks = jwks_document(visible_keys);          // active key first
//   std::string discovery = discovery_document({...});
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/object.hpp>

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwt/alg.h"
#include "issuer/key_store.h"

namespace gatehouse::issuer {

inline constexpr std::string_view kTokenPath = "/oauth/token";
inline constexpr std::string_view kJwksPath = "/.well-known/jwks.json";
inline constexpr std::string_view kDiscoveryPath = "/.well-known/openid-configuration";
inline constexpr std::string_view kPemPath = "/pem";
// Every path the issuer answers.
inline constexpr std::array<std::string_view, 4> kEndpointPaths = {kTokenPath, kJwksPath,
                                                                   kDiscoveryPath, kPemPath};

// The claims every issued token carries (`scope` only when non-empty).
inline constexpr std::string_view kIssuedClaims[] = {"iss",   "sub", "aud", "iat", "exp",
                                                     "scope", "jti", "azp", "gty"};

// One key as the JWKS publishes it: kty, use "sig", alg, kid, the public parameters, x5c (the
// certificate, standard base64 DER) and x5t (base64url SHA-1 of that DER, as Auth0 serves it).
boost::json::object published_jwk(const StoredKey& key);

// {"keys":[…]} with the keys in the given order.
std::string jwks_document(std::span<const StoredKey* const> keys);

struct DiscoveryInfo {
  std::string_view issuer_url;  // `issuer`, exactly as tokens carry it
  std::string_view public_url;  // base of jwks_uri and token_endpoint; a trailing '/' is dropped
  auth::jwt::Alg alg;
  std::vector<std::string> scopes;  // scopes_supported
};

std::string discovery_document(const DiscoveryInfo& info);

}  // namespace gatehouse::issuer
