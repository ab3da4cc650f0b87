#include "auth/jwks/parse.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <climits>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "auth/jwt/alg.h"
#include "core/base64.h"

namespace gatehouse::auth::jwks {
namespace {

using boost::json::object;
using boost::json::value;
using jwt::Alg;
using jwt::Key;
using jwt::PkeyPtr;

// JWKS documents are flat: {"keys":[{...,"x5c":[...]}]}.
constexpr size_t kMaxJsonDepth = 8;

struct BnDeleter {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
struct ParamBldDeleter {
  void operator()(OSSL_PARAM_BLD* bld) const { OSSL_PARAM_BLD_free(bld); }
};
struct ParamDeleter {
  void operator()(OSSL_PARAM* params) const { OSSL_PARAM_free(params); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Deleter {
  void operator()(X509* x509) const { X509_free(x509); }
};

core::Result<value> parse_json(std::string_view json, size_t max_bytes, std::string_view what) {
  if (json.size() > max_bytes) {
    return core::resource_exhausted(std::string(what) + " is " + std::to_string(json.size()) +
                                    " bytes; the limit is " + std::to_string(max_bytes));
  }
  boost::json::parse_options opts;
  opts.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  value v = boost::json::parse(json, ec, {}, opts);
  if (ec) return core::invalid_argument(std::string(what) + " is not valid JSON: " + ec.message());
  return v;
}

// Printable, bounded rendering of a document-supplied string for error messages.
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 64))
    out += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? c : '?';
  if (s.size() > 64) out += "...";
  return out + "\"";
}

// Errors about one key, prefixed with where it is: `<source>: keys[2] (kid "a")`.
class KeyContext {
 public:
  KeyContext(const std::string& source, size_t index) : source_(source), index_(index) {}
  void set_kid(std::string_view kid) { kid_ = quoted(kid); }
  std::string where() const {
    std::string w = source_ + ": keys[" + std::to_string(index_) + "]";
    if (!kid_.empty()) w += " (kid " + kid_ + ")";
    return w;
  }
  core::Status error(std::string_view problem) const {
    return core::invalid_argument(where() + ": " + std::string(problem));
  }

 private:
  const std::string& source_;
  size_t index_;
  std::string kid_;
};

// A string member: nullopt when absent, an error when present with another type.
core::Result<std::optional<std::string_view>> string_member(const object& jwk,
                                                            std::string_view name,
                                                            const KeyContext& ctx) {
  const value* v = jwk.if_contains(name);
  if (v == nullptr) return std::optional<std::string_view>();
  if (!v->is_string()) return ctx.error(std::string(name) + " is not a string");
  return std::optional<std::string_view>(v->get_string());
}

// A required base64url member, decoded.
core::Result<std::string> bytes_member(const object& jwk, std::string_view name,
                                       const KeyContext& ctx) {
  auto text = string_member(jwk, name, ctx);
  if (!text) return std::move(text).error();
  if (!*text) return ctx.error("missing " + std::string(name));
  std::optional<std::string> bytes = core::base64url_decode(**text);
  if (!bytes) return ctx.error(std::string(name) + " is not valid base64url");
  return std::move(*bytes);
}

std::string_view strip_leading_zeros(std::string_view bytes) {
  while (!bytes.empty() && bytes.front() == '\0')
    bytes.remove_prefix(1);
  return bytes;
}

size_t bit_length(std::string_view big_endian) {
  big_endian = strip_leading_zeros(big_endian);
  if (big_endian.empty()) return 0;
  auto top = static_cast<unsigned char>(big_endian.front());
  size_t bits = (big_endian.size() - 1) * 8;
  while (top != 0) {
    ++bits;
    top >>= 1;
  }
  return bits;
}

// EVP_PKEY_fromdata over an OSSL_PARAM list built by `push`.
template <class Push>
core::Result<PkeyPtr> pkey_from_params(const char* type, Push push, const KeyContext& ctx) {
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter> bld(OSSL_PARAM_BLD_new());
  if (!bld || !push(bld.get())) {
    ERR_clear_error();
    return ctx.error("cannot build key parameters");
  }
  std::unique_ptr<OSSL_PARAM, ParamDeleter> params(OSSL_PARAM_BLD_to_param(bld.get()));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> pctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !pctx || EVP_PKEY_fromdata_init(pctx.get()) != 1 ||
      EVP_PKEY_fromdata(pctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return ctx.error(std::string("OpenSSL refused the ") + type + " key parameters");
  }
  return PkeyPtr(pkey);
}

core::Result<PkeyPtr> rsa_key(const object& jwk, const KeyContext& ctx) {
  auto n = bytes_member(jwk, "n", ctx);
  if (!n) return std::move(n).error();
  auto e = bytes_member(jwk, "e", ctx);
  if (!e) return std::move(e).error();
  size_t bits = bit_length(*n);
  if (bits < static_cast<size_t>(jwt::kMinRsaBits) ||
      bits > static_cast<size_t>(jwt::kMaxRsaBits)) {
    return ctx.error("RSA modulus has " + std::to_string(bits) + " bits; " +
                     std::to_string(jwt::kMinRsaBits) + " to " + std::to_string(jwt::kMaxRsaBits) +
                     " are accepted");
  }
  std::string_view exponent = strip_leading_zeros(*e);
  // e = 1 makes "signatures" trivial; even exponents are not RSA. Real keys use 65537.
  if (exponent.empty() || exponent.size() > 8 || (exponent.back() & 1) == 0 ||
      (exponent.size() == 1 && exponent[0] == 1)) {
    return ctx.error("RSA exponent e is not an odd number greater than 1 (of at most 64 bits)");
  }
  std::unique_ptr<BIGNUM, BnDeleter> bn_n(BN_bin2bn(
      reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr));
  std::unique_ptr<BIGNUM, BnDeleter> bn_e(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(exponent.data()),
                static_cast<int>(exponent.size()), nullptr));
  if (!bn_n || !bn_e) return ctx.error("cannot convert RSA parameters");
  return pkey_from_params(
      "RSA",
      [&](OSSL_PARAM_BLD* bld) {
        return OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n.get()) == 1 &&
               OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e.get()) == 1;
      },
      ctx);
}

// nullopt: a curve we skip.
core::Result<std::optional<PkeyPtr>> ec_key(const object& jwk, const KeyContext& ctx) {
  auto crv = string_member(jwk, "crv", ctx);
  if (!crv) return std::move(crv).error();
  if (!*crv) return ctx.error("missing crv");
  const char* group = nullptr;
  size_t size = 0;
  if (**crv == "P-256") {
    group = "prime256v1";
    size = 32;
  } else if (**crv == "P-384") {
    group = "secp384r1";
    size = 48;
  } else {
    return std::optional<PkeyPtr>();
  }
  auto x = bytes_member(jwk, "x", ctx);
  if (!x) return std::move(x).error();
  auto y = bytes_member(jwk, "y", ctx);
  if (!y) return std::move(y).error();
  // RFC 7518 §6.2.1.2: coordinates are full-length, leading zeros included.
  if (x->size() != size || y->size() != size) {
    return ctx.error(std::string(**crv) + " coordinates must be " + std::to_string(size) +
                     " bytes each, got " + std::to_string(x->size()) + " and " +
                     std::to_string(y->size()));
  }
  std::string point = "\x04" + *x + *y;  // uncompressed SEC1 point
  auto pkey = pkey_from_params(
      "EC",
      [&](OSSL_PARAM_BLD* bld) {
        return OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) == 1 &&
               OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                                point.size()) == 1;
      },
      ctx);
  if (!pkey) return ctx.error("EC point is not on curve " + std::string(**crv));
  // An invalid point would let an attacker probe for invalid-curve weaknesses; OpenSSL already
  // refuses off-curve points on import, and the explicit check says so in one place.
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> check(
      EVP_PKEY_CTX_new_from_pkey(nullptr, pkey->get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    return ctx.error("EC point is not a valid " + std::string(**crv) + " public key");
  }
  return std::optional<PkeyPtr>(std::move(*pkey));
}

// nullopt: a curve we skip.
core::Result<std::optional<PkeyPtr>> okp_key(const object& jwk, const KeyContext& ctx) {
  auto crv = string_member(jwk, "crv", ctx);
  if (!crv) return std::move(crv).error();
  if (!*crv) return ctx.error("missing crv");
  if (**crv != "Ed25519") return std::optional<PkeyPtr>();
  auto x = bytes_member(jwk, "x", ctx);
  if (!x) return std::move(x).error();
  if (x->size() != 32) {
    return ctx.error("Ed25519 x must be 32 bytes, got " + std::to_string(x->size()));
  }
  auto pkey = pkey_from_params(
      "ED25519",
      [&](OSSL_PARAM_BLD* bld) {
        return OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, x->data(),
                                                x->size()) == 1;
      },
      ctx);
  if (!pkey) return std::move(pkey).error();
  return std::optional<PkeyPtr>(std::move(*pkey));
}

// One JWK: a Key, nullopt when skipped, or an error.
core::Result<std::optional<Key>> parse_key(const value& entry, KeyContext& ctx) {
  if (!entry.is_object()) return ctx.error("not a JSON object");
  const object& jwk = entry.get_object();

  auto kid = string_member(jwk, "kid", ctx);
  if (!kid) return std::move(kid).error();
  if (*kid) ctx.set_kid(**kid);
  auto kty = string_member(jwk, "kty", ctx);
  if (!kty) return std::move(kty).error();
  if (!*kty) return ctx.error("missing kty");
  auto use = string_member(jwk, "use", ctx);
  if (!use) return std::move(use).error();
  auto alg_name = string_member(jwk, "alg", ctx);
  if (!alg_name) return std::move(alg_name).error();

  if (*use && **use != "sig") return std::optional<Key>();  // encryption keys
  if (const value* ops = jwk.if_contains("key_ops")) {
    if (!ops->is_array()) return ctx.error("key_ops is not an array");
    bool verify = false;
    for (const value& op : ops->get_array()) {
      if (op.is_string() && op.get_string() == "verify") verify = true;
    }
    if (!verify) return std::optional<Key>();
  }
  std::optional<Alg> alg;
  if (*alg_name) {
    alg = jwt::parse_alg(**alg_name);
    if (!alg) return std::optional<Key>();  // RSA-OAEP, ES512, ...: not for us
  }

  std::optional<PkeyPtr> pkey;
  if (**kty == "RSA") {
    auto rsa = rsa_key(jwk, ctx);
    if (!rsa) return std::move(rsa).error();
    pkey = std::move(*rsa);
  } else if (**kty == "EC") {
    auto ec = ec_key(jwk, ctx);
    if (!ec) return std::move(ec).error();
    pkey = std::move(*ec);
  } else if (**kty == "OKP") {
    auto okp = okp_key(jwk, ctx);
    if (!okp) return std::move(okp).error();
    pkey = std::move(*okp);
  }
  // "oct" lands here on purpose: a shared secret published in a key document is no secret, and
  // accepting one would let anyone who can read the document mint tokens.
  if (!pkey) return std::optional<Key>();

  std::optional<std::string> kid_copy;
  if (*kid) kid_copy.emplace(**kid);
  auto key = Key::from_pkey(std::move(*pkey), std::move(kid_copy), alg);
  if (!key) return ctx.error(key.error().message());
  return std::optional<Key>(std::move(*key));
}

bool has_http_scheme_and_host(std::string_view url) {
  auto starts_with_ci = [&](std::string_view prefix) {
    if (url.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
      char c = url[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != prefix[i]) return false;
    }
    return true;
  };
  size_t host_start = 0;
  if (starts_with_ci("https://")) {
    host_start = 8;
  } else if (starts_with_ci("http://")) {
    host_start = 7;
  } else {
    return false;
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return host_start < url.size() && url[host_start] != '/' && url[host_start] != '?' &&
         url[host_start] != '#';
}

}  // namespace

core::Result<KeySet> parse_jwks(std::string_view json, size_t max_bytes, std::string source) {
  auto doc = parse_json(json, max_bytes, source);
  if (!doc) return std::move(doc).error();
  if (!doc->is_object()) return core::invalid_argument(source + ": not a JSON object");
  const value* keys = doc->get_object().if_contains("keys");
  if (keys == nullptr || !keys->is_array()) {
    return core::invalid_argument(source + ": no \"keys\" array");
  }
  const boost::json::array& entries = keys->get_array();
  if (entries.size() > kMaxJwksKeys) {
    return core::invalid_argument(source + ": " + std::to_string(entries.size()) +
                                  " keys; at most " + std::to_string(kMaxJwksKeys) +
                                  " are accepted");
  }

  std::vector<Key> out;
  std::map<std::string, size_t, std::less<>> index_of_kid;
  for (size_t i = 0; i < entries.size(); ++i) {
    KeyContext ctx(source, i);
    auto key = parse_key(entries[i], ctx);
    if (!key) return std::move(key).error();
    if (!*key) continue;
    if (const auto& kid = (*key)->kid()) {
      auto [it, inserted] = index_of_kid.emplace(*kid, i);
      // With two keys under one kid, which one verifies would depend on order: refuse.
      if (!inserted) {
        return ctx.error("duplicate kid (also keys[" + std::to_string(it->second) + "])");
      }
    }
    out.push_back(std::move(**key));
  }
  if (out.empty()) {
    return core::invalid_argument(source + ": no usable signing key among " +
                                  std::to_string(entries.size()) + " keys");
  }
  return KeySet(std::move(out), std::move(source));
}

core::Result<KeySet> parse_pem(std::string_view pem, std::string source) {
  if (pem.size() > kMaxPemBytes) {
    return core::resource_exhausted(source + " is " + std::to_string(pem.size()) +
                                    " bytes; the limit is " + std::to_string(kMaxPemBytes));
  }
  size_t begin = pem.find("-----BEGIN ");
  if (begin == std::string_view::npos) {
    return core::invalid_argument(source + ": no PEM block (-----BEGIN ...-----)");
  }
  size_t label_start = begin + 11;
  size_t label_end = pem.find("-----", label_start);
  if (label_end == std::string_view::npos) {
    return core::invalid_argument(source + ": unterminated PEM header");
  }
  std::string_view label = pem.substr(label_start, label_end - label_start);
  std::string_view block = pem.substr(begin);

  std::unique_ptr<BIO, BioDeleter> bio(
      BIO_new_mem_buf(block.data(), static_cast<int>(block.size())));
  if (!bio) return core::internal_error("BIO_new_mem_buf failed");
  PkeyPtr pkey;
  if (label == "CERTIFICATE") {
    std::unique_ptr<X509, X509Deleter> cert(
        PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (cert) pkey.reset(X509_get_pubkey(cert.get()));
    if (!pkey) {
      ERR_clear_error();
      return core::invalid_argument(source + ": not a valid X.509 certificate");
    }
  } else if (label == "PUBLIC KEY") {
    pkey.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!pkey) {
      ERR_clear_error();
      return core::invalid_argument(source + ": not a valid PEM public key");
    }
  } else if (label.find("PRIVATE KEY") != std::string_view::npos) {
    return core::invalid_argument(source + ": is a private key (" + std::string(label) +
                                  "); configure the public key or certificate instead");
  } else {
    return core::invalid_argument(source + ": unsupported PEM block \"" + std::string(label) +
                                  "\" (CERTIFICATE or PUBLIC KEY expected)");
  }
  auto key = Key::from_pkey(std::move(pkey));
  if (!key) return core::invalid_argument(source + ": " + key.error().message());
  std::vector<Key> keys;
  keys.push_back(std::move(*key));
  return KeySet(std::move(keys), std::move(source));
}

core::Result<Discovery> parse_discovery(std::string_view json, size_t max_bytes) {
  auto doc = parse_json(json, max_bytes, "discovery document");
  if (!doc) return std::move(doc).error();
  if (!doc->is_object()) return core::invalid_argument("discovery document: not a JSON object");
  const object& obj = doc->get_object();
  const value* issuer = obj.if_contains("issuer");
  if (issuer == nullptr || !issuer->is_string() || issuer->get_string().empty()) {
    return core::invalid_argument("discovery document: no \"issuer\" string");
  }
  const value* jwks_uri = obj.if_contains("jwks_uri");
  if (jwks_uri == nullptr || !jwks_uri->is_string()) {
    return core::invalid_argument("discovery document: no \"jwks_uri\" string");
  }
  std::string_view uri = jwks_uri->get_string();
  if (!has_http_scheme_and_host(uri)) {
    return core::invalid_argument("discovery document: jwks_uri " + quoted(uri) +
                                  " is not an http(s) URL with a host");
  }
  return Discovery{std::string(issuer->get_string()), std::string(uri)};
}

}  // namespace gatehouse::auth::jwks
