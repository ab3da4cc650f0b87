#include "auth/jwt/key.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "auth/jwt/test_common.h"

namespace gatehouse::auth::jwt {
namespace {

using namespace testing;  // NOLINT: test helpers

PkeyPtr generate(const char* type, const char* curve) {
  return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve));
}
PkeyPtr generate_rsa(unsigned int bits, const char* type = "RSA") {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* pkey = nullptr;
  if (ctx != nullptr && EVP_PKEY_keygen_init(ctx) == 1 &&
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, static_cast<int>(bits)) == 1) {
    EVP_PKEY_generate(ctx, &pkey);
  }
  EVP_PKEY_CTX_free(ctx);
  return PkeyPtr(pkey);
}

// Supported key types are recognised from the OpenSSL key.
TEST(JwtKey, DetectsSupportedTypes) {
  struct Case {
    const char* pem;
    Alg alg;
    KeyType type;
  };
  for (const Case& c : {Case{"rsa.key.pem", Alg::kRS256, KeyType::kRsa},
                        Case{"ec256.key.pem", Alg::kES256, KeyType::kEcP256},
                        Case{"ec384.key.pem", Alg::kES384, KeyType::kEcP384},
                        Case{"ed25519.key.pem", Alg::kEdDSA, KeyType::kEd25519}}) {
    Key key = verification_key(signing_key(c.pem, c.alg, "kid-1"));
    EXPECT_EQ(key.type(), c.type) << c.pem;
    EXPECT_EQ(key.kid(), "kid-1");
    EXPECT_EQ(key.alg(), c.alg);
    EXPECT_NE(key.pkey(), nullptr);
    EXPECT_TRUE(key.secret_bytes().empty());
  }
}

// RSA keys under 2048 bits are refused.
TEST(JwtKey, RejectsSmallRsaKey) {
  auto key = Key::from_pkey(generate_rsa(1024));
  ASSERT_FALSE(key.has_value());
  EXPECT_EQ(key.error().code(), core::Code::kInvalidArgument);
  EXPECT_NE(key.error().message().find("1024 bits"), std::string::npos);
}

// Curves, key kinds and RSA-PSS-only keys we do not support are refused with their name.
TEST(JwtKey, RejectsUnsupportedKeyTypes) {
  struct Case {
    PkeyPtr pkey;
    const char* mentions;
  };
  Case cases[] = {{generate("EC", "P-521"), "secp521r1"},
                  {generate("ED448", nullptr), "ED448"},
                  {generate("X25519", nullptr), "X25519"},
                  {generate_rsa(2048, "RSA-PSS"), "RSA-PSS"}};
  for (Case& c : cases) {
    ASSERT_NE(c.pkey, nullptr) << c.mentions;
    auto key = Key::from_pkey(std::move(c.pkey));
    ASSERT_FALSE(key.has_value()) << c.mentions;
    EXPECT_EQ(key.error().code(), core::Code::kInvalidArgument);
    EXPECT_NE(key.error().message().find(c.mentions), std::string::npos) << key.error().message();
  }
}

// A JWK `alg` must fit the key type.
TEST(JwtKey, RejectsAlgThatDoesNotFitKey) {
  Key ec = verification_key(signing_key("ec256.key.pem", Alg::kES256));
  auto key = Key::from_pkey(PkeyPtr(EVP_PKEY_dup(ec.pkey())), std::nullopt, Alg::kES384);
  ASSERT_FALSE(key.has_value());
  EXPECT_EQ(key.error().code(), core::Code::kInvalidArgument);
}

// can_verify: the key type decides the family, the JWK alg narrows it to one algorithm.
TEST(JwtKey, CanVerifyFollowsTypeAndAlg) {
  Key rsa = verification_key(signing_key("rsa.key.pem", Alg::kRS256));
  auto any_rsa = Key::from_pkey(PkeyPtr(EVP_PKEY_dup(rsa.pkey())));
  ASSERT_TRUE(any_rsa.has_value());
  EXPECT_TRUE(any_rsa->can_verify(Alg::kPS512));
  EXPECT_FALSE(any_rsa->can_verify(Alg::kHS256));
  EXPECT_FALSE(any_rsa->can_verify(Alg::kES256));
  EXPECT_TRUE(rsa.can_verify(Alg::kRS256));
  EXPECT_FALSE(rsa.can_verify(Alg::kRS384));
  auto secret = Key::from_secret(kHs512Secret);
  ASSERT_TRUE(secret.has_value());
  EXPECT_TRUE(secret->can_verify(Alg::kHS512));
  EXPECT_FALSE(secret->can_verify(Alg::kRS256));
  EXPECT_EQ(secret->pkey(), nullptr);
  EXPECT_EQ(secret->secret_bytes(), kHs512Secret);
}

// HMAC secrets shorter than the hash are refused; HS* only.
TEST(JwtKey, RejectsShortOrMisusedSecrets) {
  EXPECT_EQ(Key::from_secret("short").error().code(), core::Code::kInvalidArgument);
  EXPECT_TRUE(Key::from_secret(std::string(32, 's')).has_value());
  EXPECT_FALSE(Key::from_secret(std::string(47, 's'), std::nullopt, Alg::kHS384).has_value());
  EXPECT_TRUE(Key::from_secret(std::string(48, 's'), std::nullopt, Alg::kHS384).has_value());
  EXPECT_FALSE(Key::from_secret(std::string(64, 's'), std::nullopt, Alg::kRS256).has_value());
}

// Key material compares by value: a key loaded twice is the same; another key, another type or
// another secret is not, whatever the kids say.
TEST(Key, SameMaterial) {
  auto rsa = testing::verification_key(testing::signing_key("rsa.key.pem", Alg::kRS256, "a"));
  auto rsa_again = testing::verification_key(testing::signing_key("rsa.key.pem", Alg::kRS256));
  auto rsa_2 = testing::verification_key(testing::signing_key("rsa-2.key.pem", Alg::kRS256, "a"));
  auto ec = testing::verification_key(testing::signing_key("ec256.key.pem", Alg::kES256, "a"));
  EXPECT_TRUE(rsa.same_material(rsa));
  EXPECT_TRUE(rsa.same_material(rsa_again));
  EXPECT_FALSE(rsa.same_material(rsa_2));
  EXPECT_FALSE(rsa.same_material(ec));
  auto s1 = Key::from_secret(std::string(32, 'x'), "a");
  auto s2 = Key::from_secret(std::string(32, 'x'), "b");
  auto s3 = Key::from_secret(std::string(31, 'x') + "y", "a");
  ASSERT_TRUE(s1 && s2 && s3);
  EXPECT_TRUE(s1->same_material(*s2));
  EXPECT_FALSE(s1->same_material(*s3));
  EXPECT_FALSE(s1->same_material(rsa));
}

}  // namespace
}  // namespace gatehouse::auth::jwt
