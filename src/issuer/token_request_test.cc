#include "issuer/token_request.h"

#include <gtest/gtest.h>

#include "core/base64.h"

namespace gatehouse::issuer {
namespace {

constexpr char kForm[] = "application/x-www-form-urlencoded";
constexpr char kJson[] = "application/json";

std::string basic(std::string_view encoded_id_colon_secret) {
  return "Basic " + core::base64_encode(encoded_id_colon_secret);
}

// Expects a parse error with exactly this code and description.
void expect_error(const core::Result<std::unique_ptr<TokenRequest>, OAuthError>& result,
                  OAuthErrorCode code, std::string_view description) {
  ASSERT_FALSE(result.has_value()) << description;
  EXPECT_EQ(to_string(result.error().code), to_string(code)) << description;
  EXPECT_EQ(result.error().description, description);
}

// Form decoding: '+' is a space, %XX escapes decode, unknown parameters and empty pairs are
// ignored, and a charset=UTF-8 parameter on the media type is fine.
TEST(ParseTokenRequest, FormBody) {
  auto request = parse_token_request(
      "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
      "grant_type=client_credentials&&client_id=my%20app&client_secret=a%2Bb+c%25"
      "&audience=https%3A%2F%2Fapi.example&scope=read+write&extra=whatever&flag",
      "");
  ASSERT_TRUE(request.has_value()) << request.error().description;
  EXPECT_EQ((*request)->grant_type, "client_credentials");
  EXPECT_EQ((*request)->client_id, "my app");
  EXPECT_EQ((*request)->client_secret, "a+b c%");
  EXPECT_EQ((*request)->audience, "https://api.example");
  EXPECT_EQ((*request)->scope, "read write");
  EXPECT_FALSE((*request)->basic_auth);
}

// JSON bodies: string members; unknown members of any type are ignored.
TEST(ParseTokenRequest, JsonBody) {
  auto request = parse_token_request(
      "application/json;charset=\"utf-8\"",
      R"({"grant_type":"client_credentials","client_id":"svc","client_secret":"s\"3c\\ret",)"
      R"("audience":"https://api.example","extra":{"nested":[1,{"scope":5}]},"n":null})",
      "");
  ASSERT_TRUE(request.has_value()) << request.error().description;
  EXPECT_EQ((*request)->client_id, "svc");
  EXPECT_EQ((*request)->client_secret, "s\"3c\\ret");
  EXPECT_EQ((*request)->audience, "https://api.example");
  EXPECT_FALSE((*request)->scope.has_value());
  // Whitespace around the object (a file sent with curl -d @file ends in a newline) is fine.
  auto padded = parse_token_request(
      kJson,
      " {\"grant_type\":\"client_credentials\",\"client_id\":\"a\",\"client_secret\":\"b\"}\n", "");
  ASSERT_TRUE(padded.has_value()) << padded.error().description;
}

// An empty value is as if the parameter were not sent (RFC 6749 §3.1).
TEST(ParseTokenRequest, EmptyValueMeansOmitted) {
  auto form = parse_token_request(
      kForm, "grant_type=client_credentials&client_id=a&client_secret=b&audience=&scope", "");
  ASSERT_TRUE(form.has_value());
  EXPECT_FALSE((*form)->audience.has_value());
  EXPECT_FALSE((*form)->scope.has_value());
  auto json = parse_token_request(
      kJson,
      R"({"grant_type":"client_credentials","client_id":"a","client_secret":"b","scope":""})", "");
  ASSERT_TRUE(json.has_value());
  EXPECT_FALSE((*json)->scope.has_value());
}

TEST(ParseTokenRequest, ContentTypeErrors) {
  expect_error(parse_token_request("", "grant_type=x", ""), OAuthErrorCode::kInvalidRequest,
               "missing Content-Type; send application/x-www-form-urlencoded or "
               "application/json");
  expect_error(parse_token_request("text/plain", "grant_type=x", ""),
               OAuthErrorCode::kInvalidRequest,
               "unsupported Content-Type 'text/plain'; send application/x-www-form-urlencoded or "
               "application/json");
  expect_error(parse_token_request("multipart/form-data; boundary=x", "", ""),
               OAuthErrorCode::kInvalidRequest,
               "unsupported Content-Type 'multipart/form-data'; send "
               "application/x-www-form-urlencoded or application/json");
  expect_error(parse_token_request("application/x-www-form-urlencoded; charset=ISO-8859-1",
                                   "grant_type=x", ""),
               OAuthErrorCode::kInvalidRequest, "unsupported charset 'ISO-8859-1'; send UTF-8");
}

TEST(ParseTokenRequest, MalformedForm) {
  expect_error(parse_token_request(kForm, "grant_type=client_credentials&client_secret=a%zz", ""),
               OAuthErrorCode::kInvalidRequest,
               "malformed form body: bad %-escape in parameter 'client_secret'");
  expect_error(parse_token_request(kForm, "grant_type=client_credentials&scope=a%2", ""),
               OAuthErrorCode::kInvalidRequest,
               "malformed form body: bad %-escape in parameter 'scope'");
  expect_error(parse_token_request(kForm, "na%me=1", ""), OAuthErrorCode::kInvalidRequest,
               "malformed form body: bad %-escape in a parameter name");
  expect_error(parse_token_request(kForm, "scope=a&grant_type=x&scope=b", ""),
               OAuthErrorCode::kInvalidRequest, "parameter 'scope' is repeated; send it once");
  // Repeated even when the first one was empty; a name spelled with escapes is the same name.
  expect_error(parse_token_request(kForm, "audience=&%61udience=x", ""),
               OAuthErrorCode::kInvalidRequest, "parameter 'audience' is repeated; send it once");
}

TEST(ParseTokenRequest, MalformedJson) {
  expect_error(parse_token_request(kJson, R"({"client_id":"a","client_id":"a"})", ""),
               OAuthErrorCode::kInvalidRequest, "parameter 'client_id' is repeated; send it once");
  for (const char* value : {"1", "1.5", "-1", "true", "null", "[]", "{}", R"(["x"])"}) {
    expect_error(parse_token_request(kJson, std::string(R"({"audience":)") + value + "}", ""),
                 OAuthErrorCode::kInvalidRequest, "parameter 'audience' must be a JSON string");
  }
  for (const char* body : {"[]", R"("grant_type")", "5", "null"}) {
    expect_error(parse_token_request(kJson, body, ""), OAuthErrorCode::kInvalidRequest,
                 "the JSON body must be an object");
  }
  auto broken = parse_token_request(kJson, R"({"grant_type":)", "");
  ASSERT_FALSE(broken.has_value());
  EXPECT_EQ(broken.error().description.rfind("malformed JSON body: ", 0), 0u)
      << broken.error().description;
  auto trailing = parse_token_request(kJson, R"({} {})", "");
  ASSERT_FALSE(trailing.has_value());
  EXPECT_EQ(trailing.error().description.rfind("malformed JSON body: ", 0), 0u)
      << trailing.error().description;
}

// RFC 6749 §2.3.1: the id and secret are form-urlencoded before base64.
TEST(ParseTokenRequest, BasicCredentialsAreUrlDecoded) {
  auto request = parse_token_request(kForm, "grant_type=client_credentials&audience=x",
                                     basic("my%3Aapp:p%40ss+w%2Brd%25"));
  ASSERT_TRUE(request.has_value()) << request.error().description;
  EXPECT_TRUE((*request)->basic_auth);
  EXPECT_EQ((*request)->client_id, "my:app");
  EXPECT_EQ((*request)->client_secret, "p@ss w+rd%");
  // The scheme is case-insensitive; a client_id in the body may repeat the Basic one.
  auto same_id = parse_token_request(kForm, "grant_type=client_credentials&client_id=svc",
                                     "bAsIc " + core::base64_encode("svc:secret"));
  ASSERT_TRUE(same_id.has_value()) << same_id.error().description;
  EXPECT_EQ((*same_id)->client_id, "svc");
}

TEST(ParseTokenRequest, BasicErrors) {
  const std::string malformed =
      "malformed HTTP Basic credentials; send base64(urlencode(client_id) \":\" "
      "urlencode(client_secret))";
  const std::string body = "grant_type=client_credentials";
  expect_error(parse_token_request(kForm, body, "Basic"), OAuthErrorCode::kInvalidRequest,
               malformed);
  expect_error(parse_token_request(kForm, body, "Basic !!!"), OAuthErrorCode::kInvalidRequest,
               malformed);
  expect_error(parse_token_request(kForm, body, basic("no-colon")), OAuthErrorCode::kInvalidRequest,
               malformed);
  expect_error(parse_token_request(kForm, body, basic(":secret")), OAuthErrorCode::kInvalidRequest,
               malformed);
  expect_error(parse_token_request(kForm, body, basic("id:")), OAuthErrorCode::kInvalidRequest,
               malformed);
  expect_error(parse_token_request(kForm, body, basic("id:bad%zz")),
               OAuthErrorCode::kInvalidRequest, malformed);

  auto bearer = parse_token_request(kForm, body, "Bearer abc");
  expect_error(bearer, OAuthErrorCode::kInvalidClient,
               "unsupported Authorization scheme; authenticate with HTTP Basic or with client_id "
               "and client_secret in the body");
  EXPECT_TRUE(bearer.error().basic_auth);  // so the 401 says which scheme to use

  expect_error(parse_token_request(kForm, body + "&client_secret=x", basic("id:secret")),
               OAuthErrorCode::kInvalidRequest,
               "the client authenticated twice: use HTTP Basic or client_secret in the body, "
               "not both");
  expect_error(parse_token_request(kForm, body + "&client_id=other", basic("id:secret")),
               OAuthErrorCode::kInvalidRequest,
               "client_id in the body differs from the HTTP Basic client id");
}

TEST(ParseTokenRequest, MissingParameters) {
  expect_error(parse_token_request(kForm, "client_id=a&client_secret=b", ""),
               OAuthErrorCode::kInvalidRequest, "missing grant_type");
  auto anonymous = parse_token_request(kForm, "grant_type=client_credentials", "");
  expect_error(anonymous, OAuthErrorCode::kInvalidClient,
               "client authentication required: send client_id and client_secret in the body or "
               "an HTTP Basic Authorization header");
  EXPECT_FALSE(anonymous.error().basic_auth);
  expect_error(parse_token_request(kForm, "grant_type=client_credentials&client_id=a", ""),
               OAuthErrorCode::kInvalidRequest, "missing client_secret");
  expect_error(parse_token_request(kForm, "grant_type=client_credentials&client_secret=a", ""),
               OAuthErrorCode::kInvalidRequest, "missing client_id");
}

TEST(SplitScope, SpacesAndRepeats) {
  EXPECT_EQ(split_scope("read write"), (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(split_scope("  read   write read "), (std::vector<std::string>{"read", "write"}));
  EXPECT_TRUE(split_scope("   ").empty());
  EXPECT_TRUE(split_scope("").empty());
}

}  // namespace
}  // namespace gatehouse::issuer
