// One verification key: a public key (RSA, EC P-256/P-384, Ed25519) held as an OpenSSL EVP_PKEY,
// or a shared HMAC secret, plus its optional `kid` and optional JWK `alg` restriction.
//
// Keys are cheap to copy (the key material is shared and immutable) and safe to use for
// verification from many threads at once: OpenSSL 3 EVP_PKEYs are read-only during
// verification. HMAC secret bytes are wiped when the last copy goes away and are never printed:
// there is no operator<< and no to_string on purpose.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/jwt/alg.h"
#include "core/status.h"

namespace gatehouse::auth::jwt {

struct PkeyDeleter {
  void operator()(EVP_PKEY* pkey) const;
};
// Owns one reference to an EVP_PKEY.
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// RSA keys smaller than this are refused: 1024-bit moduli are factorable by a motivated attacker.
inline constexpr int kMinRsaBits = 2048;
// And larger than this: a verify with a 16k modulus costs ~1 ms on the I/O thread, a cheap way to
// slow the gateway down through a hostile JWKS.
inline constexpr int kMaxRsaBits = 8192;
// RFC 7518 §3.2: an HMAC key must be at least as long as the hash output. 32 bytes is the floor
// for any HS* key; an alg restriction raises it to 48 (HS384) or 64 (HS512).
inline constexpr size_t kMinHmacSecretBytes = 32;

namespace detail {
class Secret;
class VerifyContexts;
struct KeyAccess;
}  // namespace detail

class Key {
 public:
  // A key from an OpenSSL key object; takes ownership. Only the public half is ever used, so a
  // private key works too. `kid` and `alg` come from the JWK, when there is one.
  // Errors (kInvalidArgument, message names the problem): unsupported key type (RSA-PSS-only
  // keys, EC curves other than P-256/P-384, Ed448, X25519), RSA outside [2048, 8192] bits, or an
  // `alg` this key type cannot do (an RSA key restricted to ES256).
  // Requires: pkey is not null.
  static core::Result<Key> from_pkey(PkeyPtr pkey, std::optional<std::string> kid = std::nullopt,
                                     std::optional<Alg> alg = std::nullopt);

  // An HMAC key from a configured shared secret (raw bytes; the caller decodes any encoding).
  // Errors (kInvalidArgument): shorter than kMinHmacSecretBytes (or than the hash size of `alg`),
  // or `alg` is not an HS* algorithm.
  static core::Result<Key> from_secret(std::string_view secret,
                                       std::optional<std::string> kid = std::nullopt,
                                       std::optional<Alg> alg = std::nullopt);

  KeyType type() const { return type_; }
  const std::optional<std::string>& kid() const { return kid_; }
  // The JWK `alg`, when present: the only algorithm this key may verify.
  const std::optional<Alg>& alg() const { return alg_; }

  // True if a token signed with `alg` may be verified with this key: the key type fits the
  // algorithm family and the key's `alg` restriction, if any, is exactly `alg`. This is what
  // stops an HS256 token "signed" with an RSA public key's bytes from ever reaching HMAC.
  bool can_verify(Alg alg) const { return key_type_for(alg) == type_ && (!alg_ || *alg_ == alg); }

  // Whether `other` holds the same key material (the same public key, or the same secret bytes,
  // compared in constant time), whatever its kid: a key set reloaded from disk or refetched has
  // new objects for the keys it kept.
  bool same_material(const Key& other) const;

  // Borrowed; valid while any copy of this Key lives. Null for kOct keys.
  EVP_PKEY* pkey() const { return pkey_.get(); }
  // The HMAC secret bytes (kOct only; empty otherwise). Never log or print them.
  std::string_view secret_bytes() const;

 private:
  friend struct detail::KeyAccess;
  Key() = default;

  // Immutable after construction.
  KeyType type_ = KeyType::kOct;
  std::optional<std::string> kid_;
  std::optional<Alg> alg_;
  std::shared_ptr<EVP_PKEY> pkey_;                // asymmetric keys
  std::shared_ptr<const detail::Secret> secret_;  // kOct keys
  // Verification contexts prepared once per algorithm this key can verify (not EdDSA), which each
  // thread copies once and reuses: setting one up per token costs ~2 us, 15% of an RS256 verify.
  std::shared_ptr<const detail::VerifyContexts> contexts_;
};

// The key type of an OpenSSL key, or kInvalidArgument naming what it is instead (and for RSA,
// the size problem). Used by Key::from_pkey and by SigningKey.
core::Result<KeyType> key_type_of(EVP_PKEY* pkey);

}  // namespace gatehouse::auth::jwt
