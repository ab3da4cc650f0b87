// Key material into KeySets: JWKS documents (RFC 7517/7518/8037), PEM certificates and public
// keys, and OpenID Connect discovery documents. Invalid material is an error that names the key,
// never a silently smaller set: verification fails closed on keys we do not have.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "auth/jwks/key_set.h"
#include "core/defaults.h"
#include "core/status.h"

namespace gatehouse::auth::jwks {

// API Gateway's limit on a JWKS response; also our default for discovery documents.
inline constexpr size_t kDefaultMaxJwksBytes = core::defaults::kMaxJwksBytes;
// More keys than this in one JWKS is a misconfiguration or an attack (real sets hold 1-10);
// every key costs a linear scan step on each kid lookup.
inline constexpr size_t kMaxJwksKeys = 100;
// PEM files hold one certificate or key of a few KiB.
inline constexpr size_t kMaxPemBytes = 64 * 1024;

// Parses {"keys":[...]} into a KeySet named `source`.
// Keys used: kty "RSA" (n, e; 2048 to 8192 bits, e odd and > 1), "EC" (crv P-256 or P-384, x and
// y of exactly the curve's size, the point checked to be on the curve), "OKP" (crv Ed25519, x of
// 32 bytes). A key's `alg`, when present, restricts it to that algorithm.
// Keys skipped (not errors): `use` other than "sig", `key_ops` without "verify", kty "oct"
// (a shared secret has no business in a published document), other kty, other curves (P-521,
// secp256k1, Ed448, X25519), and an `alg` we do not implement. `x5c`/`x5t` are ignored: n/e are
// what is used.
// Errors (kInvalidArgument unless noted; the message names the key as keys[i] and its kid):
// larger than max_bytes (kResourceExhausted), not JSON or nested too deep, no "keys" array, a
// key that is not an object, wrong member types, invalid base64url, sizes above, an `alg` that
// does not fit the key type, duplicate kids, more than kMaxJwksKeys keys, and no usable key.
core::Result<KeySet> parse_jwks(std::string_view json, size_t max_bytes = kDefaultMaxJwksBytes,
                                std::string source = "JWKS");

// Parses one PEM block: "BEGIN CERTIFICATE" (X.509, as Auth0 serves at /pem; only its public key
// is used, validity dates and issuer are not checked) or "BEGIN PUBLIC KEY" (SubjectPublicKeyInfo).
// The key has no kid and no alg restriction. Text after the first block is ignored.
// Errors (kInvalidArgument): private keys (a clear message rather than a silent public half),
// other block types (e.g. PKCS#1 "RSA PUBLIC KEY"), unparsable PEM, key types or sizes Key
// refuses; kResourceExhausted above kMaxPemBytes.
core::Result<KeySet> parse_pem(std::string_view pem, std::string source = "PEM");

// The two fields of an OpenID Provider configuration document we use.
struct Discovery {
  std::string issuer;    // non-empty
  std::string jwks_uri;  // an absolute http:// or https:// URL with a host
};

// Parses /.well-known/openid-configuration. Errors (kInvalidArgument): not a JSON object, no
// string `issuer`, no string `jwks_uri`, or a jwks_uri that is not an http(s) URL with a host
// (file:, ftp:, relative); kResourceExhausted above max_bytes.
core::Result<Discovery> parse_discovery(std::string_view json,
                                        size_t max_bytes = kDefaultMaxJwksBytes);

}  // namespace gatehouse::auth::jwks
