// Public keys as JWK members (RFC 7517, RFC 7518 §6, RFC 8037 §2) and the RFC 7638 JWK
// thumbprint that names a signing key (its `kid`).
//
// Usage:
//   auto members = public_jwk_members(pkey);       // {"kty":"RSA","n":...,"e":...}
//   auto kid = jwk_thumbprint(*members);           // base64url(SHA-256(canonical JSON))
//
// Thread safety: pure functions.
#pragma once

#include <openssl/types.h>

#include <boost/json/object.hpp>

#include <string>

#include "core/status.h"

namespace gatehouse::issuer {

// The members that describe the public half of `pkey`, and nothing else: `kty` plus `n`,`e`
// (RSA), `crv`,`x`,`y` (EC P-256/P-384, coordinates left-padded to the field size) or `crv`,`x`
// (OKP Ed25519), all base64url without padding. Errors (kInvalidArgument): a key type auth/jwt
// does not support.
core::Result<boost::json::object> public_jwk_members(EVP_PKEY* pkey);

// RFC 7638 §3: SHA-256 over the JSON of the required members for the key's `kty`, in
// lexicographic order and without whitespace, as base64url. Other members of `jwk` are ignored.
// Errors (kInvalidArgument): unknown `kty`, or a required member missing or not a string.
core::Result<std::string> jwk_thumbprint(const boost::json::object& jwk);

}  // namespace gatehouse::issuer
