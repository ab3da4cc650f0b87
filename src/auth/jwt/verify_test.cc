#include "auth/jwt/verify.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <set>
#include <vector>

#include "auth/jwt/test_common.h"

namespace gatehouse::auth::jwt {
namespace {

using namespace testing;  // NOLINT: test helpers
using boost::json::object;

class JwtVerify : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa1_ = new SigningKey(signing_key("rsa.key.pem", Alg::kRS256, "rsa-1"));
    rsa2_ = new SigningKey(signing_key("rsa-2.key.pem", Alg::kRS256, "rsa-2"));
  }
  static void TearDownTestSuite() {
    delete rsa1_;
    delete rsa2_;
  }

  // Verifies with `keys` (default: rsa-1 and rsa-2) and default_options().
  static core::Result<VerifiedToken, AuthError> check(const std::string& token,
                                                      std::vector<Key> keys = {}) {
    if (keys.empty()) keys = {verification_key(*rsa1_), verification_key(*rsa2_)};
    return verify(token, keys, default_options(), kNow);
  }
  static AuthError error_of(const core::Result<VerifiedToken, AuthError>& r) {
    EXPECT_FALSE(r.has_value());
    return r.has_value() ? AuthError::kTokenMissing : r.error();
  }

  static SigningKey* rsa1_;
  static SigningKey* rsa2_;
};
SigningKey* JwtVerify::rsa1_ = nullptr;
SigningKey* JwtVerify::rsa2_ = nullptr;

// A good RS256 token verifies and exposes subject, scopes, exp and all claims.
TEST_F(JwtVerify, AcceptsValidRs256Token) {
  auto r = check(make_token(*rsa1_));
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ(r->subject, "user-1");
  EXPECT_EQ(r->scopes, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(r->expires_at, kNow + 3600);
  EXPECT_EQ(r->claims.at("iss").as_string(), kIssuer);
}

// Each thread reuses its copy of a key's verification context. A key replaced by another (a
// rotation; the new one may even reuse the old one's memory) never verifies with the old one's
// copy, and more keys in turn than a thread keeps copies of still verify right.
TEST_F(JwtVerify, PerThreadContextsFollowTheKeyNotItsAddress) {
  SigningKey other = signing_key("rsa-2.key.pem", Alg::kRS256);
  SigningKey mine = signing_key("rsa.key.pem", Alg::kRS256);
  std::string token = make_token(mine);
  for (int round = 0; round < 20; ++round) {
    {
      std::vector<Key> keys = {verification_key(mine)};
      ASSERT_TRUE(verify(token, keys, default_options(), kNow).has_value());
    }
    std::vector<Key> replaced = {verification_key(other)};
    EXPECT_EQ(error_of(verify(token, replaced, default_options(), kNow)), AuthError::kBadSignature);
  }
  // Twice as many distinct keys as copies kept per thread, in turn: every one decides right.
  std::vector<Key> many;
  for (int i = 0; i < 16; ++i)
    many.push_back(verification_key(i % 2 == 0 ? mine : other));
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < many.size(); ++i) {
      auto r = verify(token, std::span<const Key>(&many[i], 1), default_options(), kNow);
      EXPECT_EQ(r.has_value(), i % 2 == 0) << "key " << i;
    }
  }
}

// Every supported algorithm signs with sign() and verifies with verify().
TEST_F(JwtVerify, RoundTripsEveryAlgorithm) {
  struct Case {
    Alg alg;
    const char* pem;  // nullptr: HMAC secret
  };
  const Case cases[] = {
      {Alg::kRS256, "rsa.key.pem"},     {Alg::kRS384, "rsa.key.pem"},
      {Alg::kRS512, "rsa.key.pem"},     {Alg::kPS256, "rsa.key.pem"},
      {Alg::kPS384, "rsa.key.pem"},     {Alg::kPS512, "rsa.key.pem"},
      {Alg::kES256, "ec256.key.pem"},   {Alg::kES384, "ec384.key.pem"},
      {Alg::kEdDSA, "ed25519.key.pem"}, {Alg::kHS256, nullptr},
      {Alg::kHS384, nullptr},           {Alg::kHS512, nullptr},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(to_string(c.alg)));
    SigningKey key = c.pem != nullptr ? signing_key(c.pem, c.alg, "k")
                                      : *SigningKey::from_secret(kHs512Secret, c.alg, "k");
    std::string token = make_token(key);
    auto r = check(token, {verification_key(key)});
    ASSERT_TRUE(r.has_value()) << to_string(r.error());
    EXPECT_EQ(r->subject, "user-1");
  }
}

// Tokens signed by the openssl CLI (testdata/keys/tokens) verify: sign() and verify() do not
// merely agree with each other.
TEST_F(JwtVerify, AcceptsTokensSignedByOpensslCli) {
  struct Case {
    const char* token;
    const char* pem;
    Alg alg;
    const char* kid;
  };
  const Case cases[] = {
      {"rs256.jwt", "rsa.key.pem", Alg::kRS256, "rsa-1"},
      {"rs512.jwt", "rsa-2.key.pem", Alg::kRS512, "rsa-2"},
      {"ps256.jwt", "rsa-2.key.pem", Alg::kPS256, "rsa-2"},
      {"es256.jwt", "ec256.key.pem", Alg::kES256, "ec256-1"},
      {"es384.jwt", "ec384.key.pem", Alg::kES384, "ec384-1"},
      {"eddsa.jwt", "ed25519.key.pem", Alg::kEdDSA, "ed25519-1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.token);
    auto r = check(read_token(c.token), {verification_key(signing_key(c.pem, c.alg, c.kid))});
    ASSERT_TRUE(r.has_value()) << to_string(r.error());
    EXPECT_EQ(r->subject, "user-1");
    EXPECT_EQ(r->expires_at, 4102444800);
  }
  auto hs = check(read_token("hs256.jwt"),
                  {*Key::from_secret(read_testdata("keys/hs256.secret"), std::string("hs-1"))});
  ASSERT_TRUE(hs.has_value()) << to_string(hs.error());
}

// kTokenMissing: an empty token.
TEST_F(JwtVerify, RejectsEmptyToken) {
  EXPECT_EQ(error_of(check("")), AuthError::kTokenMissing);
}

// kTokenTooLarge: the size cap is checked before anything else.
TEST_F(JwtVerify, RejectsTokenOverSizeCap) {
  std::string token = make_token(*rsa1_);
  VerifyOptions opts = default_options();
  opts.max_token_bytes = token.size() - 1;
  Key key = verification_key(*rsa1_);
  auto r = verify(token, std::span<const Key>(&key, 1), opts, kNow);
  EXPECT_EQ(error_of(r), AuthError::kTokenTooLarge);
  EXPECT_EQ(error_of(check(std::string(kDefaultMaxTokenBytes + 1, 'a'))),
            AuthError::kTokenTooLarge);
}

// kTokenMalformed: wrong number of parts, bad base64url, non-object JSON.
TEST_F(JwtVerify, RejectsStructurallyMalformedTokens) {
  std::string good = make_token(*rsa1_);
  const std::string bad[] = {
      "abc",
      "a.b",
      good + ".extra",
      good.substr(good.find('.')),
      good.substr(0, good.find('.') + 1) + "." + good.substr(good.rfind('.') + 1),
      "e30=.e30.c2ln",  // padding is not base64url
      "e30.e3*.c2ln",
      raw_token("[1]", "{}"),
      raw_token("not json", "{}"),
  };
  for (const std::string& token : bad) {
    SCOPED_TRACE(token);
    EXPECT_EQ(error_of(check(token)), AuthError::kTokenMalformed);
  }
}

// kTokenMalformed: a header without a string alg, with a non-string kid, or with `crit`.
TEST_F(JwtVerify, RejectsMalformedHeaderFields) {
  EXPECT_EQ(error_of(check(raw_token(R"({"typ":"JWT"})", "{}"))), AuthError::kTokenMalformed);
  EXPECT_EQ(error_of(check(raw_token(R"({"alg":256})", "{}"))), AuthError::kTokenMalformed);
  EXPECT_EQ(error_of(check(raw_token(R"({"alg":"RS256","kid":7})", "{}"))),
            AuthError::kTokenMalformed);
  std::string crit = make_token(*rsa1_, good_claims(),
                                object{{"crit", boost::json::array{"b64"}}, {"b64", false}});
  EXPECT_EQ(error_of(check(crit)), AuthError::kTokenMalformed);
}

// kTokenMalformed: a correctly signed payload that is not a JSON object, or has claims of the
// wrong type.
TEST_F(JwtVerify, RejectsSignedPayloadWithWrongTypes) {
  SigningKey hs = *SigningKey::from_secret(kHs512Secret, Alg::kHS256);
  Key hs_key = verification_key(hs);
  // A correctly MACed payload that is a JSON array, not an object.
  std::string input =
      core::base64url_encode(R"({"alg":"HS256"})") + "." + core::base64url_encode("[1,2]");
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t mac_len = 0;
  ASSERT_NE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, kHs512Secret,
                      sizeof kHs512Secret - 1, reinterpret_cast<const unsigned char*>(input.data()),
                      input.size(), mac, sizeof mac, &mac_len),
            nullptr);
  std::string array_token =
      input + "." + core::base64url_encode(std::string(reinterpret_cast<char*>(mac), mac_len));
  EXPECT_EQ(error_of(check(array_token, {hs_key})), AuthError::kTokenMalformed);
  object bad_exp = good_claims();
  bad_exp["exp"] = "tomorrow";
  object bad_nbf = good_claims();
  bad_nbf["nbf"] = boost::json::array{1};
  object bad_iat = good_claims();
  bad_iat["iat"] = true;
  object bad_sub = good_claims();
  bad_sub["sub"] = 42;
  object bad_aud = good_claims();
  bad_aud["aud"] = 42;
  for (const object& claims : {bad_exp, bad_nbf, bad_iat, bad_sub, bad_aud}) {
    SCOPED_TRACE(boost::json::serialize(claims));
    EXPECT_EQ(error_of(check(make_token(hs, claims), {hs_key})), AuthError::kTokenMalformed);
  }
}

// kAlgNone: "none" is refused in every spelling, even with every algorithm allowed.
TEST_F(JwtVerify, RejectsAlgNone) {
  for (const char* none : {"none", "None", "NONE", "nOnE"}) {
    SCOPED_TRACE(none);
    std::string header = std::string(R"({"alg":")") + none + R"("})";
    std::string token = core::base64url_encode(header) + "." +
                        core::base64url_encode(boost::json::serialize(good_claims())) + ".";
    EXPECT_EQ(error_of(check(token)), AuthError::kAlgNone);
  }
}

// kAlgNotAllowed: a known algorithm missing from the allow-list.
TEST_F(JwtVerify, RejectsAlgNotOnAllowList) {
  std::string token = make_token(*rsa1_);
  VerifyOptions opts = default_options();
  opts.algorithms = {Alg::kES256};
  Key key = verification_key(*rsa1_);
  EXPECT_EQ(error_of(verify(token, std::span<const Key>(&key, 1), opts, kNow)),
            AuthError::kAlgNotAllowed);
  opts.algorithms.clear();  // empty allow-list fails closed
  EXPECT_EQ(error_of(verify(token, std::span<const Key>(&key, 1), opts, kNow)),
            AuthError::kAlgNotAllowed);
}

// kAlgNotAllowed: HS256 is not on the default allow-list.
TEST_F(JwtVerify, DefaultAllowListHasNoHmac) {
  SigningKey hs = *SigningKey::from_secret(kHs512Secret, Alg::kHS256);
  VerifyOptions opts = default_options();
  opts.algorithms = VerifyOptions().algorithms;
  Key key = verification_key(hs);
  EXPECT_EQ(error_of(verify(make_token(hs), std::span<const Key>(&key, 1), opts, kNow)),
            AuthError::kAlgNotAllowed);
}

// kAlgNotAllowed: algorithm names we do not implement (ES512, RS1, lowercase rs256).
TEST_F(JwtVerify, RejectsUnknownAlg) {
  for (const char* alg : {"ES512", "RS1", "rs256", "HS1", ""}) {
    SCOPED_TRACE(alg);
    std::string header = std::string(R"({"alg":")") + alg + R"(","kid":"rsa-1"})";
    EXPECT_EQ(error_of(check(raw_token(header, "{}"))), AuthError::kAlgNotAllowed);
  }
}

// kKeyTypeMismatch: the classic attack. An HS256 token whose HMAC key is the RSA public key's
// PEM text must never reach HMAC, even with HS256 allowed.
TEST_F(JwtVerify, RejectsTokenSignedWithHs256WhenKeyIsRsa) {
  std::string public_pem = read_testdata("keys/rsa.pub.pem");
  SigningKey forged = *SigningKey::from_secret(public_pem, Alg::kHS256, "rsa-1");
  Key rsa = *Key::from_pkey(PkeyPtr(EVP_PKEY_dup(verification_key(*rsa1_).pkey())), "rsa-1");
  EXPECT_EQ(error_of(check(make_token(forged), {rsa})), AuthError::kKeyTypeMismatch);
  // Without a kid the RSA key is not a candidate for HS256 either.
  SigningKey forged_no_kid = *SigningKey::from_secret(public_pem, Alg::kHS256);
  EXPECT_EQ(error_of(check(make_token(forged_no_kid), {rsa})), AuthError::kKeyTypeMismatch);
}

// kKeyTypeMismatch: a JWK `alg` restricts the key to exactly that algorithm.
TEST_F(JwtVerify, RejectsAlgOtherThanTheKeysJwkAlg) {
  SigningKey rs384 = signing_key("rsa.key.pem", Alg::kRS384, "rsa-1");
  Key restricted =
      *Key::from_pkey(PkeyPtr(EVP_PKEY_dup(verification_key(*rsa1_).pkey())), "rsa-1", Alg::kRS256);
  EXPECT_EQ(error_of(check(make_token(rs384), {restricted})), AuthError::kKeyTypeMismatch);
}

// kKeyTypeMismatch: an ES384 token whose kid names a P-256 key.
TEST_F(JwtVerify, RejectsEs384TokenForP256Key) {
  SigningKey es256 = signing_key("ec256.key.pem", Alg::kES256, "ec");
  SigningKey es384 = signing_key("ec384.key.pem", Alg::kES384, "ec");
  EXPECT_EQ(error_of(check(make_token(es384), {verification_key(es256)})),
            AuthError::kKeyTypeMismatch);
}

// kKidMissing: no kid in the token and two keys that could verify it.
TEST_F(JwtVerify, RejectsTokenWithoutKidWhenSeveralKeysFit) {
  SigningKey no_kid = signing_key("rsa.key.pem", Alg::kRS256);
  EXPECT_EQ(error_of(check(make_token(no_kid))), AuthError::kKidMissing);
}

// No kid is fine when exactly one key fits the algorithm (a single PEM key; the EC key does not
// count for RS256).
TEST_F(JwtVerify, AcceptsTokenWithoutKidWhenOneKeyFits) {
  SigningKey no_kid = signing_key("rsa.key.pem", Alg::kRS256);
  Key ec = verification_key(signing_key("ec256.key.pem", Alg::kES256, "ec"));
  auto r = check(make_token(no_kid), {verification_key(*rsa1_), ec});
  EXPECT_TRUE(r.has_value());
}

// kKidNotFound: the token's kid is not in the set (this is what triggers a JWKS refetch).
TEST_F(JwtVerify, RejectsUnknownKid) {
  SigningKey other = signing_key("rsa.key.pem", Alg::kRS256, "rsa-3");
  EXPECT_EQ(error_of(check(make_token(other))), AuthError::kKidNotFound);
}

// A token kid with a single kid-less key (PEM certificate as served by Auth0 at /pem) verifies.
TEST_F(JwtVerify, AcceptsKidAgainstSingleKeyWithoutKid) {
  SigningKey pem_key = signing_key("rsa.key.pem", Alg::kRS256);
  auto r = check(make_token(*rsa1_), {verification_key(pem_key)});
  EXPECT_TRUE(r.has_value());
}

// Key rotation: both keys of a two-key set verify their own tokens, selected by kid.
TEST_F(JwtVerify, SelectsKeyByKidDuringRotation) {
  EXPECT_TRUE(check(make_token(*rsa1_)).has_value());
  EXPECT_TRUE(check(make_token(*rsa2_)).has_value());
}

// kBadSignature: signed by rsa-2 but claiming kid rsa-1.
TEST_F(JwtVerify, RejectsTokenSignedByWrongKey) {
  SigningKey liar = signing_key("rsa-2.key.pem", Alg::kRS256, "rsa-1");
  EXPECT_EQ(error_of(check(make_token(liar))), AuthError::kBadSignature);
}

// kBadSignature: one changed claim after signing.
TEST_F(JwtVerify, RejectsTamperedPayload) {
  std::string token = make_token(*rsa1_);
  object claims = good_claims();
  claims["sub"] = "admin";
  size_t dot1 = token.find('.');
  size_t dot2 = token.rfind('.');
  std::string tampered = token.substr(0, dot1 + 1) +
                         core::base64url_encode(boost::json::serialize(claims)) +
                         token.substr(dot2);
  EXPECT_EQ(error_of(check(tampered)), AuthError::kBadSignature);
}

// kBadSignature: empty, truncated and wrong-length signatures for RSA, ECDSA, EdDSA and HMAC.
TEST_F(JwtVerify, RejectsWrongLengthSignatures) {
  const std::pair<const char*, Alg> asym[] = {{"rsa.key.pem", Alg::kRS256},
                                              {"ec256.key.pem", Alg::kES256},
                                              {"ec384.key.pem", Alg::kES384},
                                              {"ed25519.key.pem", Alg::kEdDSA}};
  std::vector<SigningKey> keys;
  for (auto [pem, alg] : asym)
    keys.push_back(signing_key(pem, alg));
  keys.push_back(*SigningKey::from_secret(kHs512Secret, Alg::kHS256));
  for (const SigningKey& key : keys) {
    SCOPED_TRACE(std::string(to_string(key.alg())));
    std::string token = make_token(key);
    std::string input = token.substr(0, token.rfind('.'));
    std::string sig = *core::base64url_decode(token.substr(token.rfind('.') + 1));
    for (const std::string& bad : {std::string(), sig.substr(0, sig.size() - 1), sig + "x"}) {
      EXPECT_EQ(error_of(check(input + "." + core::base64url_encode(bad), {verification_key(key)})),
                AuthError::kBadSignature);
    }
  }
}

// kExpMissing: exp is required.
TEST_F(JwtVerify, RejectsTokenWithoutExp) {
  object claims = good_claims();
  claims.erase("exp");
  EXPECT_EQ(error_of(check(make_token(*rsa1_, claims))), AuthError::kExpMissing);
}

// kExpired: exp in the past, and exp == now (RFC 7519: now must be before exp).
TEST_F(JwtVerify, RejectsExpiredToken) {
  object claims = good_claims();
  claims["exp"] = kNow - 1;
  EXPECT_EQ(error_of(check(make_token(*rsa1_, claims))), AuthError::kExpired);
  claims["exp"] = kNow;
  EXPECT_EQ(error_of(check(make_token(*rsa1_, claims))), AuthError::kExpired);
  claims["exp"] = kNow + 1;
  EXPECT_TRUE(check(make_token(*rsa1_, claims)).has_value());
}

// Leeway extends exp, and fractional or huge exp values are handled without overflow.
TEST_F(JwtVerify, AppliesLeewayToExpAndSaturates) {
  object claims = good_claims();
  claims["exp"] = kNow - 30;
  std::string token = make_token(*rsa1_, claims);
  VerifyOptions opts = default_options();
  opts.leeway_s = 31;
  Key key = verification_key(*rsa1_);
  EXPECT_TRUE(verify(token, std::span<const Key>(&key, 1), opts, kNow).has_value());
  opts.leeway_s = 30;
  EXPECT_EQ(error_of(verify(token, std::span<const Key>(&key, 1), opts, kNow)),
            AuthError::kExpired);
  claims["exp"] = static_cast<double>(kNow) + 0.5;  // truncated to kNow: expired
  EXPECT_EQ(error_of(check(make_token(*rsa1_, claims))), AuthError::kExpired);
  claims["exp"] = UINT64_MAX;
  opts.leeway_s = INT64_MAX;
  auto r = verify(make_token(*rsa1_, claims), std::span<const Key>(&key, 1), opts, kNow);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->expires_at, INT64_MAX);
  claims["exp"] = 1e300;
  EXPECT_TRUE(check(make_token(*rsa1_, claims)).has_value());
}

// kNotYetValid: nbf in the future, unless within leeway.
TEST_F(JwtVerify, RejectsTokenBeforeNbf) {
  object claims = good_claims();
  claims["nbf"] = kNow + 10;
  std::string token = make_token(*rsa1_, claims);
  EXPECT_EQ(error_of(check(token)), AuthError::kNotYetValid);
  VerifyOptions opts = default_options();
  opts.leeway_s = 10;
  Key key = verification_key(*rsa1_);
  EXPECT_TRUE(verify(token, std::span<const Key>(&key, 1), opts, kNow).has_value());
}

// kIssuedInFuture: iat after now plus leeway.
TEST_F(JwtVerify, RejectsTokenIssuedInFuture) {
  object claims = good_claims();
  claims["iat"] = kNow + 60;
  EXPECT_EQ(error_of(check(make_token(*rsa1_, claims))), AuthError::kIssuedInFuture);
  claims["iat"] = kNow;
  EXPECT_TRUE(check(make_token(*rsa1_, claims)).has_value());
}

// kIssuerMismatch: another issuer, a missing one, or a trailing-slash difference.
TEST_F(JwtVerify, RejectsWrongIssuer) {
  object claims = good_claims();
  for (const char* iss : {"https://evil.example/", "https://issuer.example", ""}) {
    SCOPED_TRACE(iss);
    claims["iss"] = iss;
    EXPECT_EQ(error_of(check(make_token(*rsa1_, claims))), AuthError::kIssuerMismatch);
  }
  claims.erase("iss");
  EXPECT_EQ(error_of(check(make_token(*rsa1_, claims))), AuthError::kIssuerMismatch);
}

// kAudienceMismatch: wrong aud string or array, or none at all.
TEST_F(JwtVerify, RejectsWrongAudience) {
  object claims = good_claims();
  claims["aud"] = "someone-else";
  EXPECT_EQ(error_of(check(make_token(*rsa1_, claims))), AuthError::kAudienceMismatch);
  claims["aud"] = boost::json::array{"a", "b"};
  EXPECT_EQ(error_of(check(make_token(*rsa1_, claims))), AuthError::kAudienceMismatch);
  claims["aud"] = boost::json::array{"a", kAudience};
  EXPECT_TRUE(check(make_token(*rsa1_, claims)).has_value());
  claims.erase("aud");
  EXPECT_EQ(error_of(check(make_token(*rsa1_, claims))), AuthError::kAudienceMismatch);
}

// As API Gateway does, client_id stands in for an absent aud, and only then.
TEST_F(JwtVerify, UsesClientIdOnlyWhenAudIsAbsent) {
  object claims = good_claims();
  claims.erase("aud");
  claims["client_id"] = kAudience;
  EXPECT_TRUE(check(make_token(*rsa1_, claims)).has_value());
  claims["aud"] = "someone-else";
  EXPECT_EQ(error_of(check(make_token(*rsa1_, claims))), AuthError::kAudienceMismatch);
}

// kKeysUnavailable: no keys at all fails closed.
TEST_F(JwtVerify, RejectsWhenNoKeys) {
  std::string token = make_token(*rsa1_);
  EXPECT_EQ(error_of(verify(token, {}, default_options(), kNow)), AuthError::kKeysUnavailable);
}

// Scopes come from a `scope` string and from an `scp` array or string.
TEST_F(JwtVerify, CollectsScopesFromScopeAndScp) {
  object claims = good_claims();
  claims["scope"] = "  a  b ";
  claims["scp"] = boost::json::array{"c", 5, "d"};
  auto r = check(make_token(*rsa1_, claims));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->scopes, (std::vector<std::string>{"a", "b", "c", "d"}));
  claims.erase("scope");
  claims["scp"] = "e f";
  r = check(make_token(*rsa1_, claims));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->scopes, (std::vector<std::string>{"e", "f"}));
}

// kInsufficientScope is decided by has_any_scope: any one required scope is enough.
TEST(JwtHasAnyScope, RequiresAnyOneScope) {
  VerifiedToken token;
  token.scopes = {"api/read", "profile"};
  const std::vector<std::string> read = {"api/write", "api/read"};
  const std::vector<std::string> write = {"api/write"};
  EXPECT_TRUE(has_any_scope(token.scopes, read));
  EXPECT_FALSE(has_any_scope(token.scopes, write));
  EXPECT_TRUE(has_any_scope(token.scopes, {}));  // a route without scopes
  EXPECT_FALSE(has_any_scope(VerifiedToken().scopes, write));
}

// Every AuthError has its own short snake_case name for the access log.
TEST(AuthErrorNames, AreDistinctSnakeCase) {
  std::set<std::string_view> seen;
  for (int i = 0; i <= static_cast<int>(AuthError::kKeysUnavailable); ++i) {
    std::string_view name = to_string(static_cast<AuthError>(i));
    EXPECT_NE(name, "unknown");
    EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string_view::npos);
    EXPECT_TRUE(seen.insert(name).second) << name;
  }
  EXPECT_EQ(to_string(AuthError::kExpired), "expired");
  EXPECT_EQ(to_string(AuthError::kBadSignature), "bad_signature");
}

}  // namespace
}  // namespace gatehouse::auth::jwt
