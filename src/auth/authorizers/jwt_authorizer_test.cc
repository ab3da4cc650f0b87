#include "auth/authorizers/jwt_authorizer.h"

#include <gtest/gtest.h>

#include "auth/jwt/test_common.h"

namespace gatehouse::auth {
namespace {

namespace t = jwt::testing;

// The token is taken from "Bearer <token>" with the scheme in any case, or bare.
TEST(BearerToken, ExtractsTokenFromBearerScheme) {
  EXPECT_EQ(bearer_token("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(bearer_token("bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(bearer_token("BEARER   abc.def.ghi "), "abc.def.ghi");
  EXPECT_EQ(bearer_token("abc.def.ghi"), "abc.def.ghi");
}

// Other schemes and junk yield no token.
TEST(BearerToken, RejectsOtherSchemes) {
  EXPECT_EQ(bearer_token("Basic dXNlcjpwYXNz"), "");
  EXPECT_EQ(bearer_token("Bearer a b"), "");
  EXPECT_EQ(bearer_token("Bearerx abc"), "");
  EXPECT_EQ(bearer_token("   "), "");
}

class JwtDecide : public ::testing::Test {
 protected:
  void SetUp() override {
    signer_.emplace(t::signing_key("rsa.key.pem", jwt::Alg::kRS256, "k1"));
    std::vector<jwt::Key> keys;
    keys.push_back(t::verification_key(*signer_));
    keys_ = std::make_shared<jwks::KeySet>(std::move(keys), "test");
  }
  std::optional<jwt::SigningKey> signer_;
  std::shared_ptr<jwks::KeySet> keys_;
};

// A valid token yields a decision with sub as principal, claims, scopes and the expiry.
TEST_F(JwtDecide, ValidTokenYieldsDecision) {
  auto token = t::make_token(*signer_);
  auto r = JwtAuthorizer::decide("Bearer " + token, keys_.get(), t::default_options(), t::kNow);
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ((*r)->principal_id, "user-1");
  EXPECT_EQ((*r)->scopes, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ((*r)->claims.at("iss").as_string(), t::kIssuer);
  ASSERT_TRUE((*r)->expires_at.has_value());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>((*r)->expires_at->time_since_epoch())
                .count(),
            t::kNow + 3600);
}

// A Basic credential is malformed for a JWT authorizer (401, never verified).
TEST_F(JwtDecide, BasicSchemeIsMalformed) {
  auto r = JwtAuthorizer::decide("Basic dXNlcjpwYXNz", keys_.get(), t::default_options(), t::kNow);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), AuthError::kTokenMalformed);
}

// Without a key set (first fetch pending or failed) every token fails closed.
TEST_F(JwtDecide, NoKeysFailsClosed) {
  auto token = t::make_token(*signer_);
  auto r = JwtAuthorizer::decide("Bearer " + token, nullptr, t::default_options(), t::kNow);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), AuthError::kKeysUnavailable);
}

// An expired token is refused with kExpired.
TEST_F(JwtDecide, ExpiredTokenRefused) {
  auto token = t::make_token(*signer_);
  auto r =
      JwtAuthorizer::decide("Bearer " + token, keys_.get(), t::default_options(), t::kNow + 7200);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), AuthError::kExpired);
}

// authorize() on a static key set answers synchronously.
TEST_F(JwtDecide, AuthorizeAnswersInline) {
  core::ManualClock clock(t::kNow);
  jwks::KeyProviderStats stats;
  JwtAuthorizer a({t::default_options()},
                  std::make_unique<jwks::KeyProvider>(std::shared_ptr<const jwks::KeySet>(keys_)),
                  clock, stats);
  std::string identity = "Bearer " + t::make_token(*signer_);
  std::optional<AuthResult> got;
  a.authorize({identity, {}, {}}, [&](AuthResult r) { got = std::move(r); });
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((**got)->principal_id, "user-1");
  EXPECT_TRUE(a.ready());
}

// A cached decision stands while the key that verified its token is trusted: in a key set
// reloaded from disk (new key objects, the same key), yes; in a set without it (the key retired
// past its grace), no — even under the same kid.
TEST_F(JwtDecide, ADecisionStandsOnlyWhileItsKeyIsTrusted) {
  core::ManualClock clock(t::kNow);
  jwks::KeyProviderStats stats;
  auto authorizer_over = [&](std::vector<jwt::Key> keys) {
    return JwtAuthorizer({t::default_options()},
                         std::make_unique<jwks::KeyProvider>(
                             std::make_shared<const jwks::KeySet>(std::move(keys), "test")),
                         clock, stats);
  };
  auto r = JwtAuthorizer::decide("Bearer " + t::make_token(*signer_), keys_.get(),
                                 t::default_options(), t::kNow);
  ASSERT_TRUE(r.has_value());
  const Decision& decision = **r;
  ASSERT_TRUE(decision.verified_by.has_value());

  auto reloaded = t::signing_key("rsa.key.pem", jwt::Alg::kRS256, "another-kid");
  std::vector<jwt::Key> same;
  same.push_back(t::verification_key(reloaded));
  EXPECT_TRUE(authorizer_over(std::move(same)).still_valid(decision));

  auto rotated = t::signing_key("rsa-2.key.pem", jwt::Alg::kRS256, "k1");
  std::vector<jwt::Key> without;
  without.push_back(t::verification_key(rotated));
  EXPECT_FALSE(authorizer_over(std::move(without)).still_valid(decision));

  Decision unverified;  // not one of ours: never stands
  EXPECT_FALSE(authorizer_over({}).still_valid(unverified));
}

}  // namespace
}  // namespace gatehouse::auth
