#include "issuer/certificate.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <climits>
#include <ctime>
#include <memory>

#include "core/base64.h"

namespace gatehouse::issuer {
namespace {

struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
struct BnDeleter {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct ExtensionDeleter {
  void operator()(X509_EXTENSION* ext) const { X509_EXTENSION_free(ext); }
};

// X.520 ub-common-name: OpenSSL refuses a longer CN.
constexpr size_t kMaxCommonNameBytes = 64;

core::Status failed(const char* step) {
  ERR_clear_error();
  return core::internal_error(std::string("cannot build the key certificate: ") + step);
}

bool add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtensionDeleter> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return ext != nullptr && X509_add_ext(cert, ext.get(), -1) == 1;
}

X509Ptr parse_der(std::string_view der) {
  if (der.size() > LONG_MAX) return nullptr;
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  return cert;
}

}  // namespace

core::Result<std::string> make_self_signed_certificate(EVP_PKEY* pkey, std::string_view common_name,
                                                       int64_t now_unix) {
  X509Ptr cert(X509_new());
  if (!cert) return failed("X509_new");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) return failed("version");

  // RFC 5280 §4.1.2.2: positive, at most 20 octets, unique per issuer; random makes two
  // certificates for the same CN distinguishable without keeping a counter.
  std::unique_ptr<BIGNUM, BnDeleter> serial(BN_new());
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return failed("serial number");
  }

  time_t now = static_cast<time_t>(now_unix);
  if (X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, 0, &now) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), kCertificateValidityDays, 0, &now) ==
          nullptr) {
    return failed("validity");
  }

  std::string cn(common_name.substr(0, kMaxCommonNameBytes));
  if (cn.empty()) cn = "gatehouse";
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1) {
    return failed("name");
  }
  if (X509_set_pubkey(cert.get(), pkey) != 1) return failed("public key");
  if (!add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !add_extension(cert.get(), NID_key_usage, "critical,digitalSignature") ||
      !add_extension(cert.get(), NID_subject_key_identifier, "hash")) {
    return failed("extensions");
  }
  // Ed25519 signs the whole message itself and takes no digest.
  const EVP_MD* digest = EVP_PKEY_get_id(pkey) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
  if (X509_sign(cert.get(), pkey, digest) <= 0) return failed("signature");

  unsigned char* der = nullptr;
  int len = i2d_X509(cert.get(), &der);
  if (len <= 0) return failed("DER encoding");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string certificate_pem(std::string_view der) {
  // PEM is base64 in 64-character lines between the markers (RFC 7468 §2).
  const std::string body = core::base64_encode(der);
  std::string pem = "-----BEGIN CERTIFICATE-----\n";
  for (size_t i = 0; i < body.size(); i += 64) {
    pem.append(body, i, 64);
    pem += '\n';
  }
  pem += "-----END CERTIFICATE-----\n";
  return pem;
}

core::Result<std::string> public_key_pem_from_certificate(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      d2i_X509(nullptr, &p, static_cast<long>(der.size())), X509_free);
  if (!cert) return core::invalid_argument("not a DER certificate");
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!key || !bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
    ERR_clear_error();
    return core::invalid_argument("the certificate's public key cannot be encoded");
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

core::Result<std::string> certificate_der_from_pem(std::string_view pem) {
  if (pem.size() > INT_MAX) return core::invalid_argument("certificate PEM too large");
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return core::internal_error("BIO_new_mem_buf failed");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!cert) return core::invalid_argument("no PEM certificate");
  unsigned char* der = nullptr;
  int len = i2d_X509(cert.get(), &der);
  if (len <= 0) {
    ERR_clear_error();
    return core::internal_error("cannot encode the certificate");
  }
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

bool certificate_matches_key(std::string_view der, EVP_PKEY* pkey) {
  X509Ptr cert = parse_der(der);
  if (!cert) return false;
  EVP_PKEY* certified = X509_get0_pubkey(cert.get());
  bool same = certified != nullptr && EVP_PKEY_eq(certified, pkey) == 1;
  ERR_clear_error();
  return same;
}

std::string certificate_sha1_thumbprint(std::string_view der) {
  std::array<unsigned char, 20> digest{};
  unsigned int len = 0;
  if (EVP_Digest(der.data(), der.size(), digest.data(), &len, EVP_sha1(), nullptr) != 1) {
    ERR_clear_error();
    return {};
  }
  return core::base64url_encode(std::string_view(reinterpret_cast<char*>(digest.data()), len));
}

}  // namespace gatehouse::issuer
