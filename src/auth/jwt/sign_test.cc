#include "auth/jwt/sign.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "auth/jwt/decode.h"
#include "auth/jwt/test_common.h"

namespace gatehouse::auth::jwt {
namespace {

using namespace testing;  // NOLINT: test helpers

// The header carries the key's alg and kid, overriding what the caller wrote.
TEST(JwtSign, SetsAlgAndKidFromKey) {
  SigningKey key = signing_key("ec256.key.pem", Alg::kES256, "ec-1");
  auto token = sign({{"alg", "none"}, {"kid", "other"}, {"typ", "JWT"}}, good_claims(), key);
  ASSERT_TRUE(token.has_value()) << token.error().to_string();
  auto decoded = decode(*token);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->header.alg, Alg::kES256);
  EXPECT_EQ(decoded->header.kid, "ec-1");
  EXPECT_EQ(decoded->header.typ, "JWT");
  EXPECT_EQ(decoded->signature.size(), 64u);  // raw R||S, not DER
  EXPECT_EQ(decoded->payload, good_claims());
}

// ES384 signatures are 96 raw bytes, EdDSA 64, RS256 with a 2048-bit key 256.
TEST(JwtSign, ProducesJwsSignatureSizes) {
  const std::tuple<const char*, Alg, size_t> cases[] = {{"ec384.key.pem", Alg::kES384, 96},
                                                        {"ed25519.key.pem", Alg::kEdDSA, 64},
                                                        {"rsa.key.pem", Alg::kRS256, 256},
                                                        {"rsa.key.pem", Alg::kPS512, 256}};
  for (auto [pem, alg, size] : cases) {
    auto decoded = decode(make_token(signing_key(pem, alg)));
    ASSERT_TRUE(decoded.has_value()) << pem;
    EXPECT_EQ(decoded->signature.size(), size) << to_string(alg);
  }
}

// A key without a kid produces a header without one.
TEST(JwtSign, OmitsKidWhenKeyHasNone) {
  auto decoded = decode(make_token(*SigningKey::from_secret(kHs512Secret, Alg::kHS512)));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_FALSE(decoded->header.kid.has_value());
  EXPECT_EQ(decoded->signature.size(), 64u);
}

// from_pem refuses public keys, certificates, garbage and encrypted keys.
TEST(JwtSign, FromPemRequiresUnencryptedPrivateKey) {
  for (const char* file : {"keys/rsa.pub.pem", "keys/rsa.crt.pem", "keys/jwks.json"}) {
    auto key = SigningKey::from_pem(read_testdata(file), Alg::kRS256);
    ASSERT_FALSE(key.has_value()) << file;
    EXPECT_EQ(key.error().code(), core::Code::kInvalidArgument) << file;
  }
  EXPECT_FALSE(SigningKey::from_pem("", Alg::kRS256).has_value());
}

// The algorithm must fit the private key, and RSA keys must be at least 2048 bits.
TEST(JwtSign, RejectsAlgThatDoesNotFitKey) {
  auto wrong = SigningKey::from_pem(read_testdata("keys/ec256.key.pem"), Alg::kES384);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code(), core::Code::kInvalidArgument);
  auto weak = SigningKey::from_pem(read_testdata("keys/rsa1024.key.pem"), Alg::kRS256);
  ASSERT_FALSE(weak.has_value());
  EXPECT_EQ(weak.error().code(), core::Code::kInvalidArgument);
  auto hs = SigningKey::from_secret(std::string(32, 'x'), Alg::kHS512);
  ASSERT_FALSE(hs.has_value());
  EXPECT_EQ(hs.error().code(), core::Code::kInvalidArgument);
  EXPECT_FALSE(SigningKey::from_secret(std::string(64, 'x'), Alg::kES256).has_value());
}

// verification_key() holds only the public half, keeps kid and restricts to the signing alg.
TEST(JwtSign, VerificationKeyIsPublicOnly) {
  SigningKey key = signing_key("rsa.key.pem", Alg::kPS256, "r");
  Key pub = verification_key(key);
  EXPECT_EQ(pub.kid(), "r");
  EXPECT_EQ(pub.alg(), Alg::kPS256);
  // A public-only key cannot sign, whatever its type.
  EXPECT_FALSE(SigningKey::from_pkey(PkeyPtr(EVP_PKEY_dup(pub.pkey())), Alg::kPS256).has_value());
  for (auto [pem, alg] :
       {std::pair{"ec256.key.pem", Alg::kES256}, std::pair{"ec384.key.pem", Alg::kES384},
        std::pair{"ed25519.key.pem", Alg::kEdDSA}}) {
    Key public_only = verification_key(signing_key(pem, alg));
    auto signer = SigningKey::from_pkey(PkeyPtr(EVP_PKEY_dup(public_only.pkey())), alg);
    ASSERT_FALSE(signer.has_value()) << pem;
    EXPECT_EQ(signer.error().code(), core::Code::kInvalidArgument);
  }
}

}  // namespace
}  // namespace gatehouse::auth::jwt
