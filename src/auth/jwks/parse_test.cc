#include "auth/jwks/parse.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "auth/jwt/test_common.h"
#include "auth/jwt/verify.h"

namespace gatehouse::auth::jwks {
namespace {

using jwt::Alg;
using jwt::KeyType;
using namespace jwt::testing;  // NOLINT: test helpers

boost::json::object committed_jwks() {
  return boost::json::parse(read_testdata("keys/jwks.json")).as_object();
}
boost::json::object& key_at(boost::json::object& jwks, size_t i) {
  return jwks["keys"].as_array()[i].as_object();
}
std::string text(const boost::json::object& jwks) {
  return boost::json::serialize(jwks);
}
// A JWKS holding only committed key `i` after `edit`.
template <class Edit>
std::string one_key(size_t i, Edit edit) {
  boost::json::object jwks = committed_jwks();
  boost::json::object key = key_at(jwks, i);
  edit(key);
  return text(boost::json::object{{"keys", boost::json::array{key}}});
}
// Expects kInvalidArgument whose message contains every one of `mentions`.
void expect_invalid(const core::Result<KeySet>& r, std::initializer_list<const char*> mentions) {
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), core::Code::kInvalidArgument) << r.error().to_string();
  for (const char* m : mentions) {
    EXPECT_NE(r.error().message().find(m), std::string::npos)
        << "'" << m << "' not in: " << r.error().message();
  }
}

// The committed JWKS yields its five keys with kids, types and alg restrictions.
TEST(JwksParse, ParsesCommittedJwks) {
  auto set = parse_jwks(read_testdata("keys/jwks.json"), kDefaultMaxJwksBytes, "jwks.json");
  ASSERT_TRUE(set.has_value()) << set.error().to_string();
  ASSERT_EQ(set->size(), 5u);
  EXPECT_EQ(set->source(), "jwks.json");
  const auto keys = set->keys();
  EXPECT_EQ(keys[0].kid(), "rsa-1");
  EXPECT_EQ(keys[0].type(), KeyType::kRsa);
  EXPECT_EQ(keys[0].alg(), Alg::kRS256);
  EXPECT_EQ(keys[1].kid(), "rsa-2");
  EXPECT_FALSE(keys[1].alg().has_value());
  EXPECT_EQ(keys[2].type(), KeyType::kEcP256);
  EXPECT_EQ(keys[3].type(), KeyType::kEcP384);
  EXPECT_EQ(keys[4].type(), KeyType::kEd25519);
  EXPECT_EQ(keys[4].alg(), Alg::kEdDSA);
}

// Tokens signed by the openssl CLI verify against the keys parsed from the committed JWKS.
TEST(JwksParse, VerifiesOpensslSignedTokens) {
  auto set = parse_jwks(read_testdata("keys/jwks.json"));
  ASSERT_TRUE(set.has_value()) << set.error().to_string();
  for (const char* name :
       {"rs256.jwt", "rs512.jwt", "ps256.jwt", "es256.jwt", "es384.jwt", "eddsa.jwt"}) {
    auto r = jwt::verify(read_token(name), set->keys(), default_options(), kNow);
    EXPECT_TRUE(r.has_value()) << name << ": " << auth::to_string(r.error());
  }
}

// A document over the size cap is refused before parsing.
TEST(JwksParse, RejectsOversizedDocument) {
  std::string doc = read_testdata("keys/jwks.json");
  auto r = parse_jwks(doc, doc.size() - 1);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), core::Code::kResourceExhausted);
}

// Not JSON, not an object, no keys array, non-object key, too deep: all invalid.
TEST(JwksParse, RejectsMalformedDocuments) {
  expect_invalid(parse_jwks("{\"keys\":["), {"not valid JSON"});
  expect_invalid(parse_jwks("[]"), {"not a JSON object"});
  expect_invalid(parse_jwks("{\"keys\":{}}"), {"no \"keys\" array"});
  expect_invalid(parse_jwks("{}"), {"no \"keys\" array"});
  expect_invalid(parse_jwks("{\"keys\":[1]}"), {"keys[0]", "not a JSON object"});
  expect_invalid(parse_jwks(R"({"keys":[[[[[[[[[[1]]]]]]]]]]})"), {"not valid JSON"});
}

// Member type errors name the key index and kid.
TEST(JwksParse, RejectsWrongMemberTypes) {
  expect_invalid(parse_jwks(one_key(0, [](auto& k) { k["kid"] = 7; })),
                 {"keys[0]", "kid is not a string"});
  expect_invalid(parse_jwks(one_key(0, [](auto& k) { k.erase("kty"); })),
                 {"keys[0]", "rsa-1", "missing kty"});
  expect_invalid(parse_jwks(one_key(0, [](auto& k) { k["use"] = true; })), {"use"});
  expect_invalid(parse_jwks(one_key(0, [](auto& k) { k["key_ops"] = "verify"; })),
                 {"key_ops is not an array"});
  expect_invalid(parse_jwks(one_key(0, [](auto& k) { k.erase("n"); })), {"rsa-1", "missing n"});
  expect_invalid(parse_jwks(one_key(2, [](auto& k) { k.erase("crv"); })), {"missing crv"});
}

// Invalid base64url (standard alphabet, padding) is an error naming the member.
TEST(JwksParse, RejectsMalformedBase64url) {
  expect_invalid(parse_jwks(one_key(0, [](auto& k) { k["n"] = "ab+/"; })),
                 {"keys[0]", "rsa-1", "n is not valid base64url"});
  expect_invalid(parse_jwks(one_key(0, [](auto& k) { k["e"] = "AQAB="; })),
                 {"e is not valid base64url"});
  expect_invalid(parse_jwks(one_key(2, [](auto& k) { k["x"] = "!!!!"; })),
                 {"ec256-1", "x is not valid base64url"});
}

// RSA moduli under 2048 bits are refused (testdata/keys/jwks-weak-rsa.json holds a 1024-bit key).
TEST(JwksParse, RejectsSmallRsaModulus) {
  expect_invalid(parse_jwks(read_testdata("keys/jwks-weak-rsa.json")),
                 {"keys[0]", "weak-1", "1024 bits"});
}

// e must be an odd number greater than 1.
TEST(JwksParse, RejectsBadRsaExponent) {
  for (const char* e : {"AQ", "Ag", "AAAB", "", "AQABAQABAQAB"}) {
    SCOPED_TRACE(e);
    expect_invalid(parse_jwks(one_key(0, [&](auto& k) { k["e"] = e; })), {"exponent"});
  }
}

// EC points must be on the curve and coordinates full-length.
TEST(JwksParse, RejectsInvalidEcPoints) {
  expect_invalid(parse_jwks(one_key(2,
                                    [](auto& k) {
                                      std::string y(k["y"].as_string());
                                      y[5] = y[5] == 'A' ? 'B' : 'A';
                                      k["y"] = y;
                                    })),
                 {"ec256-1", "not on curve"});
  expect_invalid(parse_jwks(one_key(
                     2, [](auto& k) { k["x"] = core::base64url_encode(std::string(31, '\x01')); })),
                 {"32 bytes"});
  // A P-384 key labelled P-256 has the wrong coordinate size.
  expect_invalid(parse_jwks(one_key(3, [](auto& k) { k["crv"] = "P-256"; })), {"32 bytes"});
}

// Ed25519 public keys are exactly 32 bytes.
TEST(JwksParse, RejectsWrongSizeEd25519Key) {
  expect_invalid(parse_jwks(one_key(
                     4, [](auto& k) { k["x"] = core::base64url_encode(std::string(31, 'x')); })),
                 {"ed25519-1", "32 bytes"});
}

// An alg that does not fit the key type is an error, not a silently unusable key.
TEST(JwksParse, RejectsAlgThatDoesNotFitKty) {
  expect_invalid(parse_jwks(one_key(0, [](auto& k) { k["alg"] = "ES256"; })), {"rsa-1", "ES256"});
}

// Two keys with one kid are refused: which one verifies would depend on order.
TEST(JwksParse, RejectsDuplicateKid) {
  boost::json::object jwks = committed_jwks();
  key_at(jwks, 3)["kid"] = "rsa-2";
  expect_invalid(parse_jwks(text(jwks)), {"keys[3]", "duplicate kid", "keys[1]"});
}

// A set with nothing we can use is an error (fail closed, and say why).
TEST(JwksParse, RejectsSetWithoutUsableKey) {
  expect_invalid(parse_jwks(one_key(0, [](auto& k) { k["use"] = "enc"; })),
                 {"no usable signing key"});
  expect_invalid(parse_jwks(R"({"keys":[]})"), {"no usable signing key"});
}

// Encryption keys, oct keys, unknown kty/crv/alg and key_ops without verify are skipped.
TEST(JwksParse, SkipsKeysNotForSignatureVerification) {
  boost::json::object jwks = committed_jwks();
  boost::json::array& keys = jwks["keys"].as_array();
  boost::json::object enc = keys[1].as_object();
  enc["use"] = "enc";
  enc["kid"] = "enc-1";
  boost::json::object oaep = keys[1].as_object();
  oaep["alg"] = "RSA-OAEP";
  oaep["kid"] = "oaep-1";
  boost::json::object ops = keys[1].as_object();
  ops["key_ops"] = boost::json::array{"sign"};
  ops["kid"] = "ops-1";
  keys = boost::json::array{
      keys[0],
      enc,
      oaep,
      ops,
      {{"kty", "oct"}, {"kid", "oct-1"}, {"k", "c2VjcmV0"}},
      {{"kty", "EC"}, {"kid", "p521"}, {"crv", "P-521"}, {"x", "AA"}, {"y", "AA"}},
      {{"kty", "OKP"}, {"kid", "x25519"}, {"crv", "X25519"}, {"x", "AA"}},
      {{"kty", "PQC"}, {"kid", "future"}},
  };
  auto set = parse_jwks(text(jwks));
  ASSERT_TRUE(set.has_value()) << set.error().to_string();
  ASSERT_EQ(set->size(), 1u);
  EXPECT_EQ(set->keys()[0].kid(), "rsa-1");
}

// More than kMaxJwksKeys keys is refused.
TEST(JwksParse, RejectsTooManyKeys) {
  boost::json::array keys;
  for (size_t i = 0; i <= kMaxJwksKeys; ++i)
    keys.push_back(boost::json::object{{"kty", "PQC"}});
  expect_invalid(parse_jwks(text({{"keys", keys}})), {"at most"});
}

// An X.509 certificate (Auth0's /pem) gives one kid-less RSA key that verifies rsa-1's tokens.
TEST(PemParse, ParsesCertificate) {
  auto set = parse_pem(read_testdata("keys/rsa.crt.pem"), "rsa.crt.pem");
  ASSERT_TRUE(set.has_value()) << set.error().to_string();
  ASSERT_EQ(set->size(), 1u);
  EXPECT_EQ(set->keys()[0].type(), KeyType::kRsa);
  EXPECT_FALSE(set->keys()[0].kid().has_value());
  auto r = jwt::verify(read_token("rs256.jwt"), set->keys(), default_options(), kNow);
  EXPECT_TRUE(r.has_value()) << auth::to_string(r.error());
}

// "BEGIN PUBLIC KEY" blocks of every supported type parse.
TEST(PemParse, ParsesPublicKeys) {
  const std::pair<const char*, KeyType> cases[] = {{"keys/rsa.pub.pem", KeyType::kRsa},
                                                   {"keys/ec256.pub.pem", KeyType::kEcP256},
                                                   {"keys/ec384.pub.pem", KeyType::kEcP384},
                                                   {"keys/ed25519.pub.pem", KeyType::kEd25519}};
  for (auto [file, type] : cases) {
    auto set = parse_pem("leading text is ignored\n" + read_testdata(file));
    ASSERT_TRUE(set.has_value()) << file << ": " << set.error().to_string();
    EXPECT_EQ(set->keys()[0].type(), type) << file;
  }
}

// Private keys, other blocks, garbage and weak keys are refused with a specific message.
TEST(PemParse, RejectsWhatIsNotAPublicKey) {
  expect_invalid(parse_pem(read_testdata("keys/rsa.key.pem")), {"private key"});
  expect_invalid(parse_pem("-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n"),
                 {"unsupported PEM block", "RSA PUBLIC KEY"});
  expect_invalid(parse_pem("hello"), {"no PEM block"});
  expect_invalid(parse_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
                 {"not a valid X.509 certificate"});
  expect_invalid(parse_pem("-----BEGIN PUBLIC KEY-----\n!!\n-----END PUBLIC KEY-----\n"),
                 {"not a valid PEM public key"});
  expect_invalid(parse_pem(read_testdata("keys/rsa1024.pub.pem")), {"1024 bits"});
  auto big = parse_pem(std::string(kMaxPemBytes + 1, 'a'));
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().code(), core::Code::kResourceExhausted);
}

// The committed discovery document yields issuer and jwks_uri.
TEST(DiscoveryParse, ReadsIssuerAndJwksUri) {
  auto d = parse_discovery(read_testdata("keys/openid-configuration.json"));
  ASSERT_TRUE(d.has_value()) << d.error().to_string();
  EXPECT_EQ(d->issuer, kIssuer);
  EXPECT_EQ(d->jwks_uri, "https://issuer.example/.well-known/jwks.json");
  auto upper = parse_discovery(R"({"issuer":"i","jwks_uri":"HTTP://host:8080/k"})");
  ASSERT_TRUE(upper.has_value());
}

// jwks_uri must be an http(s) URL with a host; issuer is required.
TEST(DiscoveryParse, RejectsBadDocuments) {
  auto invalid = [](std::string_view doc, const char* mention) {
    auto d = parse_discovery(doc);
    ASSERT_FALSE(d.has_value()) << doc;
    EXPECT_EQ(d.error().code(), core::Code::kInvalidArgument);
    EXPECT_NE(d.error().message().find(mention), std::string::npos) << d.error().message();
  };
  invalid("nope", "not valid JSON");
  invalid("[]", "not a JSON object");
  invalid(R"({"jwks_uri":"https://h/k"})", "issuer");
  invalid(R"({"issuer":"","jwks_uri":"https://h/k"})", "issuer");
  invalid(R"({"issuer":"i"})", "jwks_uri");
  invalid(R"({"issuer":"i","jwks_uri":5})", "jwks_uri");
  for (const char* uri : {"file:///etc/passwd", "ftp://h/k", "/relative/jwks.json", "https://",
                          "https:///path", "https://h/k with space", "httpx://h/k"}) {
    invalid(std::string(R"({"issuer":"i","jwks_uri":")") + uri + "\"}", "not an http(s) URL");
  }
  auto big = parse_discovery(std::string(100, ' ') + "{}", 50);
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().code(), core::Code::kResourceExhausted);
}

}  // namespace
}  // namespace gatehouse::auth::jwks
