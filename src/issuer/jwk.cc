#include "issuer/jwk.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <boost/json/serialize.hpp>

#include <array>
#include <memory>
#include <string_view>
#include <vector>

#include "auth/jwt/key.h"
#include "core/base64.h"

namespace gatehouse::issuer {
namespace {

struct BnDeleter {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;

// A big-endian unsigned integer parameter of `pkey`, base64url; left-padded with zeros to
// `width` bytes when width > 0 (EC coordinates), minimal otherwise (RSA n and e).
core::Result<std::string> bn_param(EVP_PKEY* pkey, const char* name, int width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
    ERR_clear_error();
    return core::internal_error(std::string("cannot read key parameter ") + name);
  }
  BnPtr bn(raw);
  int size = width > 0 ? width : BN_num_bytes(bn.get());
  std::string bytes(static_cast<size_t>(size), '\0');
  auto* out = reinterpret_cast<unsigned char*>(bytes.data());
  int written = width > 0 ? BN_bn2binpad(bn.get(), out, width) : BN_bn2bin(bn.get(), out);
  if (written != size) return core::internal_error(std::string("key parameter ") + name);
  return core::base64url_encode(bytes);
}

core::Result<std::string> raw_public_key(EVP_PKEY* pkey) {
  size_t len = 0;
  if (EVP_PKEY_get_raw_public_key(pkey, nullptr, &len) != 1) {
    ERR_clear_error();
    return core::internal_error("cannot read the raw public key");
  }
  std::string bytes(len, '\0');
  if (EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char*>(bytes.data()), &len) !=
      1) {
    ERR_clear_error();
    return core::internal_error("cannot read the raw public key");
  }
  bytes.resize(len);
  return core::base64url_encode(bytes);
}

}  // namespace

core::Result<boost::json::object> public_jwk_members(EVP_PKEY* pkey) {
  auto type = auth::jwt::key_type_of(pkey);
  if (!type) return std::move(type).error();
  boost::json::object jwk;
  switch (*type) {
    case auth::jwt::KeyType::kRsa: {
      auto n = bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, 0);
      auto e = bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, 0);
      if (!n) return std::move(n).error();
      if (!e) return std::move(e).error();
      jwk["kty"] = "RSA";
      jwk["n"] = *n;
      jwk["e"] = *e;
      return jwk;
    }
    case auth::jwt::KeyType::kEcP256:
    case auth::jwt::KeyType::kEcP384: {
      const bool p256 = *type == auth::jwt::KeyType::kEcP256;
      const int width = p256 ? 32 : 48;
      auto x = bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, width);
      auto y = bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, width);
      if (!x) return std::move(x).error();
      if (!y) return std::move(y).error();
      jwk["kty"] = "EC";
      jwk["crv"] = p256 ? "P-256" : "P-384";
      jwk["x"] = *x;
      jwk["y"] = *y;
      return jwk;
    }
    case auth::jwt::KeyType::kEd25519: {
      auto x = raw_public_key(pkey);
      if (!x) return std::move(x).error();
      jwk["kty"] = "OKP";
      jwk["crv"] = "Ed25519";
      jwk["x"] = *x;
      return jwk;
    }
    case auth::jwt::KeyType::kOct:
      break;
  }
  return core::invalid_argument("a shared secret has no public JWK");
}

core::Result<std::string> jwk_thumbprint(const boost::json::object& jwk) {
  const auto* kty = jwk.if_contains("kty");
  if (kty == nullptr || !kty->is_string()) {
    return core::invalid_argument("JWK has no string \"kty\"");
  }
  // RFC 7638 §3.2: the required members of each key type, already in lexicographic order.
  std::vector<std::string_view> required;
  if (kty->as_string() == "RSA") {
    required = {"e", "kty", "n"};
  } else if (kty->as_string() == "EC") {
    required = {"crv", "kty", "x", "y"};
  } else if (kty->as_string() == "OKP") {
    required = {"crv", "kty", "x"};  // RFC 8037 §2
  } else {
    return core::invalid_argument("JWK kty \"" + std::string(kty->as_string()) +
                                  "\" has no thumbprint definition here");
  }
  // boost::json::object keeps insertion order and serializes without whitespace, which is the
  // canonical form §3.3 asks for (the values are base64url and names, so nothing is escaped).
  boost::json::object canonical;
  for (std::string_view name : required) {
    const auto* value = jwk.if_contains(name);
    if (value == nullptr || !value->is_string()) {
      return core::invalid_argument("JWK has no string \"" + std::string(name) + "\"");
    }
    canonical[name] = value->as_string();
  }
  const std::string json = boost::json::serialize(canonical);
  std::array<unsigned char, 32> digest{};
  unsigned int digest_len = 0;
  if (EVP_Digest(json.data(), json.size(), digest.data(), &digest_len, EVP_sha256(), nullptr) !=
          1 ||
      digest_len != digest.size()) {
    ERR_clear_error();
    return core::internal_error("SHA-256 failed");
  }
  return core::base64url_encode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace gatehouse::issuer
