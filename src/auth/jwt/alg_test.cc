#include "auth/jwt/alg.h"

#include <gtest/gtest.h>

namespace gatehouse::auth::jwt {
namespace {

// Every algorithm's RFC 7518 name parses back to it.
TEST(JwtAlg, NamesRoundTrip) {
  for (Alg alg : kAllAlgs) {
    auto parsed = parse_alg(to_string(alg));
    ASSERT_TRUE(parsed.has_value()) << to_string(alg);
    EXPECT_EQ(*parsed, alg);
  }
  EXPECT_EQ(to_string(Alg::kEdDSA), "EdDSA");
  EXPECT_EQ(to_string(Alg::kPS384), "PS384");
}

// Parsing is exact: no "none", no other case, no algorithms we do not implement.
TEST(JwtAlg, ParseIsExactAndRefusesNone) {
  for (const char* name : {"none", "rs256", "Rs256", "RS256 ", "ES512", "Ed25519", "HS1", ""}) {
    EXPECT_FALSE(parse_alg(name).has_value()) << name;
  }
}

// Each algorithm family needs its own key type; the default allow-list has no HMAC.
TEST(JwtAlg, KeyTypeForEachFamily) {
  EXPECT_EQ(key_type_for(Alg::kRS512), KeyType::kRsa);
  EXPECT_EQ(key_type_for(Alg::kPS256), KeyType::kRsa);
  EXPECT_EQ(key_type_for(Alg::kES256), KeyType::kEcP256);
  EXPECT_EQ(key_type_for(Alg::kES384), KeyType::kEcP384);
  EXPECT_EQ(key_type_for(Alg::kEdDSA), KeyType::kEd25519);
  EXPECT_EQ(key_type_for(Alg::kHS384), KeyType::kOct);
  for (Alg alg : kAsymmetricAlgs)
    EXPECT_FALSE(is_hmac(alg)) << to_string(alg);
  EXPECT_TRUE(is_hmac(Alg::kHS512));
}

}  // namespace
}  // namespace gatehouse::auth::jwt
