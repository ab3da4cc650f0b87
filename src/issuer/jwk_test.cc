#include "issuer/jwk.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "auth/jwt/test_common.h"

namespace gatehouse::issuer {
namespace {

// RFC 7638 §3.1: the example RSA key and its thumbprint.
constexpr char kRfc7638N[] =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
    "BJECPebW"
    "KRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQ"
    "MicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2N"
    "cRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
constexpr char kRfc7638Thumbprint[] = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

TEST(JwkThumbprint, Rfc7638Example) {
  boost::json::object jwk{
      {"kty", "RSA"}, {"n", kRfc7638N}, {"e", "AQAB"}, {"alg", "RS256"}, {"kid", "2011-04-29"}};
  auto thumbprint = jwk_thumbprint(jwk);
  ASSERT_TRUE(thumbprint.has_value()) << thumbprint.error().to_string();
  EXPECT_EQ(*thumbprint, kRfc7638Thumbprint);
}

// RFC 8037 Appendix A.3: the Ed25519 example key's thumbprint.
TEST(JwkThumbprint, Rfc8037Ed25519Example) {
  boost::json::object jwk{
      {"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}};
  auto thumbprint = jwk_thumbprint(jwk);
  ASSERT_TRUE(thumbprint.has_value()) << thumbprint.error().to_string();
  EXPECT_EQ(*thumbprint, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
}

// Only the required members count, in canonical order, whatever order the JWK lists them in.
TEST(JwkThumbprint, IgnoresMemberOrderAndOptionalMembers) {
  boost::json::object reordered{
      {"use", "sig"}, {"e", "AQAB"}, {"kid", "other"}, {"n", kRfc7638N}, {"kty", "RSA"}};
  EXPECT_EQ(*jwk_thumbprint(reordered), kRfc7638Thumbprint);
}

TEST(JwkThumbprint, RejectsIncompleteOrUnknownKeys) {
  const boost::json::object cases[] = {
      {{"n", kRfc7638N}, {"e", "AQAB"}},                 // no kty
      {{"kty", "oct"}, {"k", "c2VjcmV0"}},               // no definition for secrets
      {{"kty", "RSA"}, {"n", kRfc7638N}},                // no e
      {{"kty", "RSA"}, {"n", kRfc7638N}, {"e", 65537}},  // e not a string
      {{"kty", "EC"}, {"crv", "P-256"}, {"x", "AA"}},    // no y
  };
  for (const auto& jwk : cases) {
    auto thumbprint = jwk_thumbprint(jwk);
    ASSERT_FALSE(thumbprint.has_value()) << boost::json::serialize(jwk);
    EXPECT_EQ(thumbprint.error().code(), core::Code::kInvalidArgument);
  }
}

// The public members of each key type equal what the openssl CLI computed for the same keys
// (testdata/keys/jwks.json, written by make-keys.sh), and carry nothing private.
TEST(PublicJwkMembers, MatchOpensslForEveryKeyType) {
  using auth::jwt::Alg;
  const auto jwks = boost::json::parse(auth::jwt::testing::read_testdata("keys/jwks.json"));
  auto published = [&](std::string_view kid) {
    for (const auto& key : jwks.at("keys").as_array()) {
      if (key.at("kid").as_string() == kid) return key.as_object();
    }
    ADD_FAILURE() << "no " << kid << " in jwks.json";
    return boost::json::object();
  };
  const std::tuple<const char*, Alg, const char*, std::vector<std::string>> cases[] = {
      {"rsa.key.pem", Alg::kRS256, "rsa-1", {"kty", "n", "e"}},
      {"ec256.key.pem", Alg::kES256, "ec256-1", {"kty", "crv", "x", "y"}},
      {"ec384.key.pem", Alg::kES384, "ec384-1", {"kty", "crv", "x", "y"}},
      {"ed25519.key.pem", Alg::kEdDSA, "ed25519-1", {"kty", "crv", "x"}},
  };
  for (const auto& [file, alg, kid, members] : cases) {
    auto key = auth::jwt::testing::signing_key(file, alg);
    auto jwk = public_jwk_members(key.pkey());
    ASSERT_TRUE(jwk.has_value()) << file << ": " << jwk.error().to_string();
    EXPECT_EQ(jwk->size(), members.size()) << file << ": " << boost::json::serialize(*jwk);
    const boost::json::object expected = published(kid);
    for (const auto& member : members)
      EXPECT_EQ(jwk->at(member), expected.at(member)) << file << " " << member;
    EXPECT_TRUE(jwk_thumbprint(*jwk).has_value());
  }
}

}  // namespace
}  // namespace gatehouse::issuer
