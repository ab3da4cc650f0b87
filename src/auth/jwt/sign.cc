#include "auth/jwt/sign.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/json/serialize.hpp>

#include <climits>
#include <utility>

#include "auth/jwt/detail/crypto.h"
#include "auth/jwt/detail/secret.h"
#include "core/base64.h"

namespace gatehouse::auth::jwt {
namespace {

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// True if the key holds private material (a public-only key cannot sign).
bool has_private_part(EVP_PKEY* pkey) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
  if (ctx == nullptr) return false;
  bool ok = EVP_PKEY_private_check(ctx) == 1;
  EVP_PKEY_CTX_free(ctx);
  ERR_clear_error();
  return ok;
}

core::Result<std::string> sign_bytes(const SigningKey& key, std::string_view input) {
  Alg alg = key.alg();
  if (is_hmac(alg)) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t len = detail::hmac(alg, key.secret_bytes(), input, mac);
    if (len == 0) return core::internal_error("HMAC failed");
    return std::string(reinterpret_cast<const char*>(mac), len);
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), &pctx, detail::digest_for(alg), nullptr, key.pkey()) != 1 ||
      !detail::set_padding(pctx, alg) ||
      EVP_DigestSign(ctx.get(), nullptr, &len, data, input.size()) != 1) {
    ERR_clear_error();
    return core::internal_error(std::string("cannot start ") + std::string(to_string(alg)) +
                                " signature");
  }
  std::string signature(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len, data,
                     input.size()) != 1) {
    ERR_clear_error();
    return core::internal_error(std::string(to_string(alg)) + " signature failed");
  }
  signature.resize(len);
  if (alg == Alg::kES256 || alg == Alg::kES384) {
    auto raw = detail::ecdsa_der_to_raw(signature, detail::ecdsa_coordinate_bytes(alg));
    if (!raw) return core::internal_error("cannot convert ECDSA signature");
    return std::move(*raw);
  }
  return signature;
}

}  // namespace

core::Result<SigningKey> SigningKey::from_pkey(PkeyPtr pkey, Alg alg,
                                               std::optional<std::string> kid) {
  GH_ASSERT(pkey != nullptr);
  auto type = key_type_of(pkey.get());
  if (!type) return std::move(type).error();
  if (key_type_for(alg) != *type) {
    return core::invalid_argument("alg " + std::string(to_string(alg)) + " cannot be used with " +
                                  std::string(to_string(*type)) + " key");
  }
  if (!has_private_part(pkey.get())) {
    return core::invalid_argument("signing needs a private key, got a public key");
  }
  SigningKey key;
  key.alg_ = alg;
  key.kid_ = std::move(kid);
  key.pkey_ = std::shared_ptr<EVP_PKEY>(pkey.release(), PkeyDeleter());
  return key;
}

core::Result<SigningKey> SigningKey::from_pem(std::string_view pem, Alg alg,
                                              std::optional<std::string> kid) {
  if (pem.size() > INT_MAX) return core::invalid_argument("PEM text too large");
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return core::internal_error("BIO_new_mem_buf failed");
  // A null password callback with an empty passphrase: encrypted keys fail instead of prompting.
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, const_cast<char*>("")));
  ERR_clear_error();
  if (!pkey) {
    return core::invalid_argument("not an unencrypted PEM private key");
  }
  return from_pkey(std::move(pkey), alg, std::move(kid));
}

core::Result<SigningKey> SigningKey::from_secret(std::string_view secret, Alg alg,
                                                 std::optional<std::string> kid) {
  // Key::from_secret holds the length rules; reuse them.
  auto check = Key::from_secret(secret, std::nullopt, alg);
  if (!check) return std::move(check).error();
  SigningKey key;
  key.alg_ = alg;
  key.kid_ = std::move(kid);
  key.secret_ = std::make_shared<const detail::Secret>(secret);
  return key;
}

std::string_view SigningKey::secret_bytes() const {
  return secret_ ? secret_->bytes() : std::string_view();
}

core::Result<Key> SigningKey::verification_key() const {
  if (is_hmac(alg_)) return Key::from_secret(secret_bytes(), kid_, alg_);
  // DER round trip of the SubjectPublicKeyInfo: a key object with no private half at all.
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pkey_.get(), &der);
  if (len <= 0) {
    ERR_clear_error();
    return core::internal_error("cannot export public key");
  }
  const unsigned char* p = der;
  PkeyPtr pub(d2i_PUBKEY(nullptr, &p, len));
  OPENSSL_free(der);
  if (!pub) {
    ERR_clear_error();
    return core::internal_error("cannot re-import public key");
  }
  return Key::from_pkey(std::move(pub), kid_, alg_);
}

core::Result<std::string> sign(const boost::json::object& header, const boost::json::object& claims,
                               const SigningKey& key) {
  boost::json::object full_header = header;
  full_header["alg"] = to_string(key.alg());
  if (key.kid()) full_header["kid"] = *key.kid();
  std::string token = core::base64url_encode(boost::json::serialize(full_header));
  token += '.';
  token += core::base64url_encode(boost::json::serialize(claims));
  auto signature = sign_bytes(key, token);
  if (!signature) return std::move(signature).error();
  token += '.';
  token += core::base64url_encode(*signature);
  return token;
}

}  // namespace gatehouse::auth::jwt
