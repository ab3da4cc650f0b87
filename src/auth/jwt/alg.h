// JWS algorithms (RFC 7518 §3, RFC 8037 for EdDSA) and the key types that can verify them.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace gatehouse::auth::jwt {

enum class Alg : uint8_t {
  kRS256,  // RSASSA-PKCS1-v1_5 with SHA-256
  kRS384,
  kRS512,
  kPS256,  // RSASSA-PSS with SHA-256, MGF1 SHA-256, salt length 32
  kPS384,
  kPS512,
  kES256,  // ECDSA P-256 with SHA-256; signature is raw R||S (64 bytes)
  kES384,  // ECDSA P-384 with SHA-384; signature is raw R||S (96 bytes)
  kEdDSA,  // Ed25519 (RFC 8037); Ed448 is not supported
  kHS256,  // HMAC with SHA-256; only with a configured shared secret
  kHS384,
  kHS512,
};

inline constexpr std::array<Alg, 12> kAllAlgs = {
    Alg::kRS256, Alg::kRS384, Alg::kRS512, Alg::kPS256, Alg::kPS384, Alg::kPS512,
    Alg::kES256, Alg::kES384, Alg::kEdDSA, Alg::kHS256, Alg::kHS384, Alg::kHS512};

// Everything verifiable with a public key: the default allow-list.
inline constexpr std::array<Alg, 9> kAsymmetricAlgs = {Alg::kRS256, Alg::kRS384, Alg::kRS512,
                                                       Alg::kPS256, Alg::kPS384, Alg::kPS512,
                                                       Alg::kES256, Alg::kES384, Alg::kEdDSA};

// The RFC 7518 name, e.g. "RS256", "EdDSA".
std::string_view to_string(Alg alg);
// Exact, case-sensitive match of an RFC 7518 name; nullopt for anything else, including "none".
std::optional<Alg> parse_alg(std::string_view name);

enum class KeyType : uint8_t {
  kRsa,      // RSA, at least 2048 bits
  kEcP256,   // EC on P-256 (prime256v1)
  kEcP384,   // EC on P-384 (secp384r1)
  kEd25519,  // OKP Ed25519
  kOct,      // a shared HMAC secret
};

// "RSA", "EC P-256", "EC P-384", "OKP Ed25519", "oct".
std::string_view to_string(KeyType type);

// The only key type that may verify or sign `alg`: RS*/PS* need RSA, ES256 P-256, ES384 P-384,
// EdDSA Ed25519, HS* a secret.
KeyType key_type_for(Alg alg);

inline bool is_hmac(Alg alg) {
  return alg == Alg::kHS256 || alg == Alg::kHS384 || alg == Alg::kHS512;
}

}  // namespace gatehouse::auth::jwt
