// Producing compact JWS tokens: for the embedded token issuer (OAuth2 client_credentials) and for
// tests. Not on the request hot path.
//
// Thread safety: a SigningKey is immutable and may sign from many threads at once.
#pragma once

#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/jwt/alg.h"
#include "auth/jwt/key.h"
#include "core/status.h"

namespace gatehouse::auth::jwt {

namespace detail {
class Secret;
}  // namespace detail

// A private key (or HMAC secret) bound to one algorithm and an optional kid.
class SigningKey {
 public:
  // Takes ownership of a private key. Errors (kInvalidArgument): not a private key, a key type
  // that cannot do `alg`, or one Key::from_pkey refuses (RSA < 2048 bits, unsupported curve).
  static core::Result<SigningKey> from_pkey(PkeyPtr pkey, Alg alg,
                                            std::optional<std::string> kid = std::nullopt);
  // A PEM private key ("BEGIN PRIVATE KEY", PKCS#8, or the traditional RSA/EC forms; unencrypted).
  // Errors: kInvalidArgument when the text is not such a key, plus those of from_pkey.
  static core::Result<SigningKey> from_pem(std::string_view pem, Alg alg,
                                           std::optional<std::string> kid = std::nullopt);
  // An HMAC secret (raw bytes) for HS256/384/512. Errors (kInvalidArgument): `alg` is not HS*, or
  // the secret is shorter than the hash (RFC 7518 §3.2).
  static core::Result<SigningKey> from_secret(std::string_view secret, Alg alg,
                                              std::optional<std::string> kid = std::nullopt);

  Alg alg() const { return alg_; }
  const std::optional<std::string>& kid() const { return kid_; }

  // The key that verifies what this key signs (the public half, or the same secret), with the
  // same kid and restricted to alg().
  core::Result<Key> verification_key() const;

  // Borrowed private key; null for HMAC keys. Valid while any copy of this SigningKey lives.
  EVP_PKEY* pkey() const { return pkey_.get(); }
  // The HMAC secret bytes (HS* only; empty otherwise). Never log or print them.
  std::string_view secret_bytes() const;

 private:
  SigningKey() = default;

  // Immutable after construction.
  Alg alg_ = Alg::kRS256;
  std::optional<std::string> kid_;
  std::shared_ptr<EVP_PKEY> pkey_;
  std::shared_ptr<const detail::Secret> secret_;
};

// Signs `claims` with `key` and returns "<header>.<payload>.<signature>". The header is `header`
// with "alg" set to key.alg() and, when the key has a kid, "kid" set to it (both overwrite what
// the caller put there, so a token can never name an algorithm other than the one that signed
// it). Errors: kInternal when OpenSSL fails to sign.
core::Result<std::string> sign(const boost::json::object& header, const boost::json::object& claims,
                               const SigningKey& key);

}  // namespace gatehouse::auth::jwt
