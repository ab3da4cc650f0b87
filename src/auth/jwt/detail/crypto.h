// OpenSSL helpers shared by verify.cc and sign.cc. Internal to auth/jwt.
#pragma once

#include <openssl/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/jwt/alg.h"
#include "auth/jwt/key.h"

namespace gatehouse::auth::jwt::detail {

// SHA-256/384/512 for `alg` (nullptr for EdDSA, which hashes internally). Fetched once per
// process: EVP_MD_fetch takes a lock and a hash-table lookup, too much to pay per token.
const EVP_MD* digest_for(Alg alg);

// Size of one ECDSA coordinate (R or S) for ES256/ES384: 32 or 48.
size_t ecdsa_coordinate_bytes(Alg alg);

// Upper bound of a DER ECDSA-Sig-Value for P-384: 2 + 2 * (2 + 1 + 48).
inline constexpr size_t kMaxEcdsaDerBytes = 104;

// JWS raw R||S (RFC 7518 §3.4) to the DER SEQUENCE OpenSSL verifies. Writes into `out` (at least
// kMaxEcdsaDerBytes) and returns the length, or 0 when `raw` is not exactly 2 * coord_bytes.
size_t ecdsa_raw_to_der(std::string_view raw, size_t coord_bytes, unsigned char* out);

// DER ECDSA-Sig-Value (what OpenSSL signs) to JWS raw R||S, each left-padded to coord_bytes.
std::optional<std::string> ecdsa_der_to_raw(std::string_view der, size_t coord_bytes);

// HMAC of `data` under `secret` with the hash of `alg` (HS*). Writes into `out` (64 bytes) and
// returns the MAC length, or 0 on an OpenSSL failure.
size_t hmac(Alg alg, std::string_view secret, std::string_view data, unsigned char* out);

// Applies the RSA-PSS parameters of RFC 7518 §3.5 (salt length = hash length, MGF1 with the same
// hash) to a signing or verification context; no-op for other algorithms. False on failure.
bool set_padding(EVP_PKEY_CTX* pctx, Alg alg);

// Public-key verification contexts set up once per algorithm (EVP_PKEY_verify_init, signature
// digest, PSS parameters) for RS*, PS* and ES*: the templates each thread copies once
// (verify_digest) and then reuses. EdDSA has no template: Ed25519 hashes the message itself, so it
// goes through EVP_DigestVerify.
class VerifyContexts {
 public:
  // Prepares a template for each algorithm a key of `type` can verify (only `only`, when set).
  // Ones OpenSSL refuses stay null, and verify() takes the slower EVP_DigestVerify path for them.
  VerifyContexts(EVP_PKEY* pkey, KeyType type, std::optional<Alg> only);
  ~VerifyContexts();
  VerifyContexts(const VerifyContexts&) = delete;
  VerifyContexts& operator=(const VerifyContexts&) = delete;

  // The template for `alg`, or nullptr.
  const EVP_PKEY_CTX* get(Alg alg) const { return contexts_[static_cast<size_t>(alg)]; }
  // Unique for the process's lifetime (never reused, unlike an address): what per-thread copies
  // are keyed by, so a copy can never be taken for another key's.
  uint64_t id() const { return id_; }

 private:
  // Immutable after construction.
  std::array<EVP_PKEY_CTX*, kAllAlgs.size()> contexts_{};
  uint64_t id_;
};

// Owns one EVP_MD_CTX; for thread_local contexts reused across tokens.
struct MdCtx {
  MdCtx();
  ~MdCtx();
  MdCtx(const MdCtx&) = delete;
  MdCtx& operator=(const MdCtx&) = delete;
  EVP_MD_CTX* ctx;
};

// The hash of `data` with `md` into `out` (EVP_MAX_MD_SIZE bytes); returns its length, or 0 on
// failure. Uses one digest context per thread, initialized again for each call.
unsigned int digest(const EVP_MD* md, std::string_view data, unsigned char* out);

// Verifies `signature` over `digest` with the template of `contexts` for `alg` (which must exist).
// Each thread copies a template once (EVP_PKEY_CTX_dup) and reuses its copy for every later token
// of that key and algorithm: a copy per token cost an allocation and a provider context setup
// each time. A thread keeps copies for its kVerifyCopiesPerThread most recent key/algorithm pairs
// (each holds a reference to its key until replaced or the thread exits).
inline constexpr size_t kVerifyCopiesPerThread = 8;
bool verify_digest(const VerifyContexts& contexts, Alg alg, std::string_view signature,
                   const unsigned char* digest, size_t digest_len);

// verify.cc's access to a Key's prepared contexts.
struct KeyAccess {
  static const VerifyContexts* contexts(const Key& key) { return key.contexts_.get(); }
};

}  // namespace gatehouse::auth::jwt::detail
