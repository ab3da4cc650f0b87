#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace gatehouse::aws {
namespace {

// AWS's SigV4 test suite: its credentials, scope and date, and for each case the request and the
// Authorization header AWS computed for it.
const Credentials kCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};
const Scope kScope{"20150830", "us-east-1", "service"};
constexpr std::string_view kDate = "20150830T123600Z";

struct Case {
  std::string name;
  std::string method;
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> extra_headers;
  std::string body;
  std::string signed_headers;
  std::string signature;
};

std::string authorization_for(const Case& c) {
  SigningInput in;
  in.method = c.method;
  in.path = c.path;
  in.query = c.query;
  in.headers = c.extra_headers;
  in.headers.emplace_back("host", "example.amazonaws.com");
  in.headers.emplace_back("x-amz-date", std::string(kDate));
  in.payload_sha256_hex = sha256_hex(c.body);
  // A signer's cached signing key signs every case of the day alike.
  static SigningKeyCache cache;
  std::string header = authorization_header(kCredentials, kScope, in);
  EXPECT_EQ(authorization_header(kCredentials, kScope, in, &cache), header);
  return header;
}

// The cached key follows the scope: another day or region derives it again.
TEST(SigV4, TheSigningKeyCacheFollowsTheScope) {
  SigningInput in{"POST", "/", {}, {{"host", "h"}, {"x-amz-date", "20150830T123600Z"}}, ""};
  SigningKeyCache cache;
  for (const Scope& scope : {kScope, Scope{"20150831", "us-east-1", "service"},
                             Scope{"20150831", "eu-west-1", "service"}, kScope}) {
    EXPECT_EQ(authorization_header(kCredentials, scope, in, &cache),
              authorization_header(kCredentials, scope, in));
    EXPECT_EQ(cache.key(kCredentials.secret_access_key, scope),
              signing_key(kCredentials.secret_access_key, scope));
  }
}

TEST(SigV4, TheTestSuite) {
  const std::vector<Case> cases = {
      {"get-vanilla",
       "GET",
       "/",
       {},
       {},
       "",
       "host;x-amz-date",
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-header-key-duplicate",
       "GET",
       "/",
       {},
       {{"My-Header1", "value2,value2,value1"}},
       "",
       "host;my-header1;x-amz-date",
       "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
      {"get-header-value-order",
       "GET",
       "/",
       {},
       {{"my-header1", "value4,value1,value3,value2"}},
       "",
       "host;my-header1;x-amz-date",
       "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
      {"get-header-value-trim",
       "GET",
       "/",
       {},
       {{"my-header1", " value1"}, {"my-header2", "\"a   b   c\""}},
       "",
       "host;my-header1;my-header2;x-amz-date",
       "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
      {"get-unreserved",
       "GET",
       "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
       {},
       {},
       "",
       "host;x-amz-date",
       "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
      {"get-utf8",
       "GET",
       "/\xE1\x88\xB4",
       {},
       {},
       "",
       "host;x-amz-date",
       "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
      {"get-vanilla-empty-query-key",
       "GET",
       "/",
       {{"Param1", "value1"}},
       {},
       "",
       "host;x-amz-date",
       "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
      {"get-vanilla-query-order-key-case",
       "GET",
       "/",
       {{"Param2", "value2"}, {"Param1", "value1"}},
       {},
       "",
       "host;x-amz-date",
       "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
      {"get-vanilla-query-unreserved",
       "GET",
       "/",
       {{"-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
         "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}},
       {},
       "",
       "host;x-amz-date",
       "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
      {"get-vanilla-utf8-query",
       "GET",
       "/",
       {{"\xE1\x88\xB4", "bar"}},
       {},
       "",
       "host;x-amz-date",
       "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
      {"post-vanilla",
       "POST",
       "/",
       {},
       {},
       "",
       "host;x-amz-date",
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"post-header-key-sort",
       "POST",
       "/",
       {},
       {{"my-header1", "value1"}},
       "",
       "host;my-header1;x-amz-date",
       "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
      {"post-header-value-case",
       "POST",
       "/",
       {},
       {{"my-header1", "VALUE1"}},
       "",
       "host;my-header1;x-amz-date",
       "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
      {"post-vanilla-query",
       "POST",
       "/",
       {{"Param1", "value1"}},
       {},
       "",
       "host;x-amz-date",
       "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
      {"post-vanilla-query-nonunreserved",
       "POST",
       "/",
       {{"@#$%^", ""}, {"+", "/,?><`\";:\\|][{}"}},
       {},
       "",
       "host;x-amz-date",
       "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e"},
      {"post-vanilla-query-space",
       "POST",
       "/",
       {{"p", ""}},
       {},
       "",
       "host;x-amz-date",
       "e71688addb58a26418614085fb730ba3faa623b461c17f48f2fbdb9361b94a9b"},
      {"post-x-www-form-urlencoded",
       "POST",
       "/",
       {},
       {{"Content-Type", "application/x-www-form-urlencoded"}},
       "Param1=value1",
       "content-type;host;x-amz-date",
       "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
      {"post-x-www-form-urlencoded-parameters",
       "POST",
       "/",
       {},
       {{"content-type", "application/x-www-form-urlencoded; charset=utf8"}},
       "Param1=value1",
       "content-type;host;x-amz-date",
       "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(authorization_for(c),
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
              "SignedHeaders=" +
                  c.signed_headers + ", Signature=" + c.signature)
        << c.name;
  }
}

// The steps in between, for get-vanilla: what AWS's suite lists as its .creq and .sts.
TEST(SigV4, CanonicalRequestAndStringToSign) {
  SigningInput in;
  in.method = "GET";
  in.path = "/";
  in.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", std::string(kDate)}};
  in.payload_sha256_hex = sha256_hex("");
  const std::string canonical = canonical_request(in);
  EXPECT_EQ(canonical,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(string_to_sign(kDate, kScope, canonical),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n" +
                sha256_hex(canonical));
}

TEST(SigV4, UriEncoding) {
  EXPECT_EQ(uri_encode("a b+c/d~"), "a%20b%2Bc%2Fd~");
  EXPECT_EQ(uri_encode("/a b/c", true), "/a%20b/c");
  EXPECT_EQ(uri_encode("\xE1\x88\xB4"), "%E1%88%B4");
}

// A header the signer wrote is read back part by part, and the signature recomputed from those
// parts matches it.
TEST(SigV4, ParsesAnAuthorizationHeader) {
  SigningInput in;
  in.method = "POST";
  in.path = "/";
  in.headers = {{"host", "example.amazonaws.com"}, {"x-amz-date", std::string(kDate)}};
  in.payload_sha256_hex = sha256_hex("{}");
  const std::string header = authorization_header(kCredentials, kScope, in);
  auto parsed = parse_authorization(header);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(parsed->scope.to_string(), kScope.to_string());
  EXPECT_EQ(parsed->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
  std::string again = signature(kCredentials.secret_access_key, parsed->scope,
                                string_to_sign(kDate, parsed->scope, canonical_request(in)));
  EXPECT_TRUE(signatures_equal(again, parsed->signature));
  EXPECT_FALSE(signatures_equal(again, std::string(64, '0')));
  EXPECT_FALSE(signatures_equal(again, again.substr(1)));

  // Parts in another order and without blanks read the same.
  auto reordered = parse_authorization(
      "AWS4-HMAC-SHA256 Signature=" + parsed->signature +
      ",SignedHeaders=Host;X-Amz-Date,Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
      "aws4_request");
  ASSERT_TRUE(reordered.has_value());
  EXPECT_EQ(reordered->signed_headers, parsed->signed_headers);
}

TEST(SigV4, RefusesMalformedAuthorizationHeaders) {
  const std::string sig(64, 'a');
  const std::string good_credential = "Credential=AKID/20150830/us-east-1/dynamodb/aws4_request";
  for (const std::string& bad : std::vector<std::string>{
           "",
           "AWS4-HMAC-SHA1 " + good_credential + ", SignedHeaders=host, Signature=" + sig,
           "AWS4-HMAC-SHA256 " + good_credential + ", SignedHeaders=host",
           "AWS4-HMAC-SHA256 " + good_credential + ", Signature=" + sig,
           "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=" + sig,
           "AWS4-HMAC-SHA256 " + good_credential + ", " + good_credential +
               ", SignedHeaders=host, Signature=" + sig,
           "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/dynamodb, SignedHeaders=host, "
           "Signature=" +
               sig,
           "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/dynamodb/aws5_request, "
           "SignedHeaders=host, Signature=" +
               sig,
           "AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/dynamodb/aws4_request, "
           "SignedHeaders=host, Signature=" +
               sig,
           "AWS4-HMAC-SHA256 " + good_credential + ", SignedHeaders=, Signature=" + sig,
           "AWS4-HMAC-SHA256 " + good_credential + ", SignedHeaders=host;;x, Signature=" + sig,
           "AWS4-HMAC-SHA256 " + good_credential + ", SignedHeaders=host, Signature=abc",
           "AWS4-HMAC-SHA256 " + good_credential +
               ", SignedHeaders=host, Signature=" + std::string(64, 'g'),
           "AWS4-HMAC-SHA256 " + good_credential + ", SignedHeaders=host, Signature=" + sig +
               ", Extra=1",
       }) {
    EXPECT_FALSE(parse_authorization(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace gatehouse::aws
