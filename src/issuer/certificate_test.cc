#include "issuer/certificate.h"

#include <gtest/gtest.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

#include "auth/jwt/test_common.h"
#include "core/base64.h"

namespace gatehouse::issuer {
namespace {

using auth::jwt::Alg;
using auth::jwt::testing::kNow;
using auth::jwt::testing::signing_key;

struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

X509Ptr parse(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

std::string common_name(X509* cert) {
  char buf[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
  return buf;
}

// Seconds from `now_unix` to the certificate time `t`.
int64_t seconds_from(int64_t now_unix, const ASN1_TIME* t) {
  ASN1_TIME* now = ASN1_TIME_set(nullptr, static_cast<time_t>(now_unix));
  int days = 0;
  int seconds = 0;
  EXPECT_EQ(ASN1_TIME_diff(&days, &seconds, now, t), 1);
  ASN1_TIME_free(now);
  return int64_t{days} * 86400 + seconds;
}

// Each key type gets a v3 certificate, self-signed (its signature verifies with the key itself),
// naming the CN, valid from now for ten years, and certifying exactly that key.
TEST(SelfSignedCertificate, CertifiesTheKeyForEveryType) {
  const std::pair<const char*, Alg> keys[] = {{"rsa.key.pem", Alg::kRS256},
                                              {"ec256.key.pem", Alg::kES256},
                                              {"ed25519.key.pem", Alg::kEdDSA}};
  auto other = signing_key("rsa-2.key.pem", Alg::kRS256);
  for (const auto& [file, alg] : keys) {
    auto key = signing_key(file, alg);
    auto der = make_self_signed_certificate(key.pkey(), "blog.example", kNow);
    ASSERT_TRUE(der.has_value()) << file << ": " << der.error().to_string();
    X509Ptr cert = parse(*der);
    ASSERT_NE(cert, nullptr) << file;
    EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
    EXPECT_EQ(common_name(cert.get()), "blog.example");
    EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())),
              0);
    EXPECT_EQ(X509_verify(cert.get(), key.pkey()), 1) << file;
    EXPECT_EQ(seconds_from(kNow, X509_get0_notBefore(cert.get())), 0);
    EXPECT_EQ(seconds_from(kNow, X509_get0_notAfter(cert.get())),
              int64_t{kCertificateValidityDays} * 86400);
    EXPECT_TRUE(certificate_matches_key(*der, key.pkey())) << file;
    EXPECT_FALSE(certificate_matches_key(*der, other.pkey())) << file;
    BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr);
    EXPECT_FALSE(BN_is_negative(serial));
    EXPECT_EQ(BN_num_bits(serial), 127);
    BN_free(serial);
  }
}

// Two certificates for the same key differ in their random serial.
TEST(SelfSignedCertificate, SerialsAreRandom) {
  auto key = signing_key("ec256.key.pem", Alg::kES256);
  auto a = parse(*make_self_signed_certificate(key.pkey(), "x", kNow));
  auto b = parse(*make_self_signed_certificate(key.pkey(), "x", kNow));
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(a.get()), X509_get0_serialNumber(b.get())), 0);
}

// A CN longer than X.520 allows is cut to 64 characters; an empty one becomes "gatehouse".
TEST(SelfSignedCertificate, CommonNameIsBounded) {
  auto key = signing_key("ed25519.key.pem", Alg::kEdDSA);
  auto long_cn = parse(*make_self_signed_certificate(key.pkey(), std::string(100, 'a'), kNow));
  EXPECT_EQ(common_name(long_cn.get()), std::string(64, 'a'));
  auto empty_cn = parse(*make_self_signed_certificate(key.pkey(), "", kNow));
  EXPECT_EQ(common_name(empty_cn.get()), "gatehouse");
}

// PEM is base64 in 64-column lines between the markers, and reads back to the same DER; x5t is
// the base64url SHA-1 of the DER.
TEST(CertificatePem, RoundTripsAndThumbprint) {
  auto key = signing_key("rsa.key.pem", Alg::kRS256);
  auto der = make_self_signed_certificate(key.pkey(), "blog.example", kNow);
  ASSERT_TRUE(der.has_value());
  const std::string pem = certificate_pem(*der);
  EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u);
  EXPECT_TRUE(pem.ends_with("\n-----END CERTIFICATE-----\n"));
  size_t line_start = 0;
  for (size_t nl = pem.find('\n'); nl != std::string::npos; nl = pem.find('\n', line_start)) {
    EXPECT_LE(nl - line_start, 64u);
    line_start = nl + 1;
  }
  auto back = certificate_der_from_pem(pem);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, *der);

  unsigned char sha1[20];
  unsigned int len = 0;
  ASSERT_EQ(EVP_Digest(der->data(), der->size(), sha1, &len, EVP_sha1(), nullptr), 1);
  EXPECT_EQ(certificate_sha1_thumbprint(*der),
            core::base64url_encode(std::string_view(reinterpret_cast<char*>(sha1), len)));
  EXPECT_EQ(certificate_sha1_thumbprint(*der).size(), 27u);
}

// The committed certificate made by the openssl CLI reads too; a key is not a certificate.
TEST(CertificatePem, ReadsOpensslCertificateAndRefusesOtherPem) {
  auto der = certificate_der_from_pem(auth::jwt::testing::read_testdata("keys/rsa.crt.pem"));
  ASSERT_TRUE(der.has_value());
  EXPECT_TRUE(certificate_matches_key(*der, signing_key("rsa.key.pem", Alg::kRS256).pkey()));
  auto not_cert = certificate_der_from_pem(auth::jwt::testing::read_testdata("keys/rsa.pub.pem"));
  ASSERT_FALSE(not_cert.has_value());
  EXPECT_EQ(not_cert.error().code(), core::Code::kInvalidArgument);
  EXPECT_FALSE(certificate_matches_key("not DER", signing_key("rsa.key.pem", Alg::kRS256).pkey()));
}

}  // namespace
}  // namespace gatehouse::issuer
