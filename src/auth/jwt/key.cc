#include "auth/jwt/key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <string>

#include "auth/jwt/detail/crypto.h"
#include "auth/jwt/detail/secret.h"

namespace gatehouse::auth::jwt {
namespace {

size_t hmac_min_bytes(Alg alg) {
  switch (alg) {
    case Alg::kHS384:
      return 48;
    case Alg::kHS512:
      return 64;
    default:
      return kMinHmacSecretBytes;
  }
}

}  // namespace

void PkeyDeleter::operator()(EVP_PKEY* pkey) const {
  EVP_PKEY_free(pkey);
}

core::Result<KeyType> key_type_of(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "RSA")) {
    int bits = EVP_PKEY_get_bits(pkey);
    if (bits < kMinRsaBits || bits > kMaxRsaBits) {
      return core::invalid_argument("RSA key has " + std::to_string(bits) + " bits; " +
                                    std::to_string(kMinRsaBits) + " to " +
                                    std::to_string(kMaxRsaBits) + " are accepted");
    }
    return KeyType::kRsa;
  }
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &len) != 1) {
      return core::invalid_argument("EC key without a named curve is not supported");
    }
    std::string_view name(group, len);
    if (name == "prime256v1" || name == "P-256") return KeyType::kEcP256;
    if (name == "secp384r1" || name == "P-384") return KeyType::kEcP384;
    return core::invalid_argument("EC curve " + std::string(name) +
                                  " is not supported (P-256 and P-384 are)");
  }
  if (EVP_PKEY_is_a(pkey, "ED25519")) return KeyType::kEd25519;
  const char* name = EVP_PKEY_get0_type_name(pkey);
  return core::invalid_argument(std::string("key type ") + (name ? name : "(unknown)") +
                                " is not supported (RSA, EC P-256/P-384 and Ed25519 are)");
}

core::Result<Key> Key::from_pkey(PkeyPtr pkey, std::optional<std::string> kid,
                                 std::optional<Alg> alg) {
  GH_ASSERT(pkey != nullptr);
  auto type = key_type_of(pkey.get());
  if (!type) return std::move(type).error();
  if (alg && key_type_for(*alg) != *type) {
    return core::invalid_argument("alg " + std::string(to_string(*alg)) + " cannot be used with " +
                                  std::string(to_string(*type)) + " key");
  }
  Key key;
  key.type_ = *type;
  key.kid_ = std::move(kid);
  key.alg_ = alg;
  key.pkey_ = std::shared_ptr<EVP_PKEY>(pkey.release(), PkeyDeleter());
  key.contexts_ = std::make_shared<const detail::VerifyContexts>(key.pkey_.get(), key.type_, alg);
  return key;
}

core::Result<Key> Key::from_secret(std::string_view secret, std::optional<std::string> kid,
                                   std::optional<Alg> alg) {
  if (alg && !is_hmac(*alg)) {
    return core::invalid_argument("alg " + std::string(to_string(*alg)) +
                                  " cannot be used with a shared secret");
  }
  size_t min_bytes = alg ? hmac_min_bytes(*alg) : kMinHmacSecretBytes;
  if (secret.size() < min_bytes) {
    return core::invalid_argument("HMAC secret has " + std::to_string(secret.size()) +
                                  " bytes; at least " + std::to_string(min_bytes) +
                                  " are required");
  }
  Key key;
  key.type_ = KeyType::kOct;
  key.kid_ = std::move(kid);
  key.alg_ = alg;
  key.secret_ = std::make_shared<const detail::Secret>(secret);
  return key;
}

std::string_view Key::secret_bytes() const {
  return secret_ ? secret_->bytes() : std::string_view();
}

bool Key::same_material(const Key& other) const {
  if (type_ != other.type_) return false;
  if (type_ == KeyType::kOct) {
    std::string_view a = secret_bytes(), b = other.secret_bytes();
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
  }
  if (pkey_ == other.pkey_) return true;  // copies of one key
  return pkey_ && other.pkey_ && EVP_PKEY_eq(pkey_.get(), other.pkey_.get()) == 1;
}

}  // namespace gatehouse::auth::jwt
