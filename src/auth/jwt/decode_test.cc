#include "auth/jwt/decode.h"

#include <gtest/gtest.h>

#include "auth/jwt/test_common.h"

namespace gatehouse::auth::jwt {
namespace {

using namespace testing;  // NOLINT: test helpers

AuthError error_of(const core::Result<DecodedJwt, AuthError>& r) {
  EXPECT_FALSE(r.has_value());
  return r.has_value() ? AuthError::kTokenMissing : r.error();
}

// decode() returns header fields, payload, the exact signing input and signature bytes.
TEST(JwtDecode, SplitsAWellFormedToken) {
  std::string token = raw_token(R"({"alg":"ES256","kid":"k1","typ":"JWT"})",
                                R"({"sub":"u","n":[1,{"a":2}]})", std::string("\x01\x02\x00", 3));
  auto r = decode(token);
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ(r->header.alg, Alg::kES256);
  EXPECT_EQ(r->header.kid, "k1");
  EXPECT_EQ(r->header.typ, "JWT");
  EXPECT_EQ(r->payload.at("sub").as_string(), "u");
  EXPECT_EQ(r->signing_input, token.substr(0, token.rfind('.')));
  EXPECT_EQ(r->signature, std::string("\x01\x02\x00", 3));
}

// Optional header fields may be absent; an empty signature part decodes to no bytes.
TEST(JwtDecode, AllowsMissingKidAndTyp) {
  auto r = decode(core::base64url_encode(R"({"alg":"RS256"})") + "." +
                  core::base64url_encode("{}") + ".");
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_FALSE(r->header.kid.has_value());
  EXPECT_FALSE(r->header.typ.has_value());
  EXPECT_TRUE(r->signature.empty());
}

// Size is checked first; an empty token is "missing".
TEST(JwtDecode, ChecksSizeFirst) {
  EXPECT_EQ(error_of(decode("", 10)), AuthError::kTokenMissing);
  EXPECT_EQ(error_of(decode("not even close to a token", 10)), AuthError::kTokenTooLarge);
}

// kAlgNone and kAlgNotAllowed come from the header.
TEST(JwtDecode, ClassifiesAlg) {
  EXPECT_EQ(error_of(decode(raw_token(R"({"alg":"NoNe"})", "{}"))), AuthError::kAlgNone);
  EXPECT_EQ(error_of(decode(raw_token(R"({"alg":"XS256"})", "{}"))), AuthError::kAlgNotAllowed);
}

// Anything else that is wrong is kTokenMalformed: parts, base64url, JSON, types, crit, depth.
TEST(JwtDecode, RejectsMalformedInput) {
  std::string deep(kMaxJsonDepth + 1, '[');
  deep += std::string(kMaxJsonDepth + 1, ']');
  const std::string bad[] = {
      "no-dots",
      "one.dot",
      "a.b.c.d",
      raw_token(R"({"alg":"RS256"})", "{}") + ".e",
      raw_token(R"({"alg":"RS256"})", "[]"),
      raw_token(R"({"alg":"RS256"})", "{"),
      raw_token(R"({"alg":"RS256"})", R"({"a":)" + deep + "}"),
      raw_token(R"({"alg":"RS256","typ":1})", "{}"),
      raw_token(R"({"alg":"RS256","crit":["exp"]})", "{}"),
      raw_token(R"({"alg":["RS256"]})", "{}"),
      raw_token("\"RS256\"", "{}"),
      raw_token(R"({"alg":"RS256"})", R"({"a":"\ud800"})"),  // lone surrogate is not UTF-8
      raw_token(R"({"alg":"RS256"})", "{} x"),
      core::base64url_encode(R"({"alg":"RS256"})") + ".e30.a",  // 1 char: impossible length
      core::base64url_encode(R"({"alg":"RS256"})") + ".e31.",   // non-zero trailing bits
      core::base64url_encode(R"({"alg":"RS256"})") + ".e30=.",
      core::base64url_encode(R"({"alg":"RS256"})") + ".e3+.",
  };
  for (const std::string& token : bad) {
    SCOPED_TRACE(token);
    EXPECT_EQ(error_of(decode(token)), AuthError::kTokenMalformed);
  }
}

// Duplicate member names: the last one wins (RFC 7519 §4), consistently everywhere.
TEST(JwtDecode, LastDuplicateClaimWins) {
  auto r = decode(raw_token(R"({"alg":"RS256"})", R"({"sub":"first","sub":"second"})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->payload.at("sub").as_string(), "second");
}

// A header larger than the on-stack parse buffer still decodes.
TEST(JwtDecode, AcceptsLargeHeader) {
  std::string header = R"({"alg":"RS256","kid":")" + std::string(4000, 'k') + R"("})";
  auto r = decode(raw_token(header, "{}"));
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ(r->header.kid->size(), 4000u);
}

}  // namespace
}  // namespace gatehouse::auth::jwt
