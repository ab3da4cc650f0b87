#include "functions/events/events.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "router/router.h"

namespace gatehouse::functions::events {
namespace {

namespace json = boost::json;

// The part of `event` from `"from":` up to the comma before `"to":`, to compare one member's
// exact bytes without repeating the whole event.
std::string member_text(const std::string& event, std::string_view from, std::string_view to) {
  std::string start = "\"" + std::string(from) + "\":";
  std::string stop = ",\"" + std::string(to) + "\":";
  size_t begin = event.find(start);
  if (begin == std::string::npos) return "<no " + std::string(from) + ">";
  size_t end = event.find(stop, begin);
  if (end == std::string::npos)
    return "<no " + std::string(to) + " after " + std::string(from) + ">";
  return event.substr(begin, end - begin);
}

json::value parse_json(std::string_view text) {
  return json::parse(text);
}

class EventsTest : public ::testing::Test {
 protected:
  EventsTest() {
    auto table = router::compile(specs_);
    EXPECT_TRUE(table.has_value());
    table_.emplace(std::move(*table));
    facts_.method = "GET";
    facts_.raw_path = "/items/42";
    facts_.resource = "/items/{id}";
    facts_.headers = {{"Accept", "*/*"}, {"User-Agent", "curl/8.0"}};
    facts_.method_arn = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/items/42";
    facts_.stage = "prod";
    facts_.account_id = "123456789012";
    facts_.api_id = "abc123";
    facts_.domain_name = "abc123.execute-api.us-east-1.amazonaws.com";
    facts_.request_id = "7a8c5040-e76b-400f-8407-0c6ed9b72e46";
    facts_.extended_request_id = "N7Sb5GwpDoEEf9A=";
    facts_.resource_id = "a1b2c3";
    facts_.source_ip = "203.0.113.7";
    facts_.user_agent = "curl/8.0";
    facts_.request_time_epoch_ms = 1699190655123;  // 05/Nov/2023:13:24:15.123 UTC
  }

  // Matches raw_path against the test routes and points facts_.path_params at the result.
  void route(std::string_view raw_path) {
    facts_.raw_path = raw_path;
    auto m = router::match(*table_, facts_.method, raw_path);
    ASSERT_TRUE(m.has_value());
    match_.emplace(std::move(*m));
    facts_.path_params = &match_->params;
  }

  std::vector<router::RouteSpec> specs_ = {
      {"/items/{id}", {"GET"}, 0}, {"/files/{path+}", {"GET"}, 1}, {"/request", {"GET"}, 2}};
  std::optional<router::RouteTable> table_;
  std::optional<router::Match> match_;
  RequestFacts facts_;
};

// ---------------------------------------------------------------------------------------------
// TOKEN authorizer event

// Exactly the three keys of §1.2, in AWS's order; the token is passed on unmodified.
TEST(TokenAuthorizerEvent, HasExactlyTypeTokenAndMethodArn) {
  EXPECT_EQ(token_authorizer_event("Bearer eyJhbGciOi.x.y",
                                   "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/"),
            R"({"type":"TOKEN","authorizationToken":"Bearer eyJhbGciOi.x.y",)"
            R"("methodArn":"arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/"})");
}

// Characters JSON reserves in the token are escaped, so the event stays valid JSON.
TEST(TokenAuthorizerEvent, EscapesTheToken) {
  EXPECT_EQ(token_authorizer_event("a\"b\\c\n", "arn"),
            R"({"type":"TOKEN","authorizationToken":"a\"b\\c\n","methodArn":"arn"})");
}

// ---------------------------------------------------------------------------------------------
// REQUEST authorizer event

// The whole REQUEST event in §1.4's key order, with headers, query and stage variables; no body,
// no isBase64Encoded and no requestContext.authorizer.
TEST_F(EventsTest, RequestAuthorizerEventMatchesApiGatewayKeyOrder) {
  route("/request");
  facts_.resource = "/request";
  facts_.stage = "test";
  facts_.method_arn = "arn:aws:execute-api:us-east-1:123456789012:abc123/test/GET/request";
  facts_.headers = {{"Accept", "*/*"}, {"HeaderAuth1", "headerValue1"}, {"User-Agent", "curl/8.0"}};
  facts_.raw_query = "QueryString1=queryValue1";
  facts_.stage_variables = {{"StageVar1", "stageValue1"}};
  facts_.body = "ignored";
  EXPECT_EQ(
      request_authorizer_event(facts_),
      R"({"type":"REQUEST",)"
      R"("methodArn":"arn:aws:execute-api:us-east-1:123456789012:abc123/test/GET/request",)"
      R"("resource":"/request","path":"/request","httpMethod":"GET",)"
      R"("headers":{"Accept":"*/*","HeaderAuth1":"headerValue1","User-Agent":"curl/8.0"},)"
      R"("multiValueHeaders":{"Accept":["*/*"],"HeaderAuth1":["headerValue1"],)"
      R"("User-Agent":["curl/8.0"]},)"
      R"("queryStringParameters":{"QueryString1":"queryValue1"},)"
      R"("multiValueQueryStringParameters":{"QueryString1":["queryValue1"]},)"
      R"("pathParameters":null,"stageVariables":{"StageVar1":"stageValue1"},)"
      R"("requestContext":{"path":"/test/request","accountId":"123456789012",)"
      R"("resourceId":"a1b2c3","stage":"test","requestId":"7a8c5040-e76b-400f-8407-0c6ed9b72e46",)"
      R"("extendedRequestId":"N7Sb5GwpDoEEf9A=","requestTime":"05/Nov/2023:13:24:15 +0000",)"
      R"("requestTimeEpoch":1699190655123,"protocol":"HTTP/1.1",)"
      R"("domainName":"abc123.execute-api.us-east-1.amazonaws.com","domainPrefix":"abc123",)"
      R"("identity":{"apiKey":null,"apiKeyId":null,"sourceIp":"203.0.113.7",)"
      R"("userAgent":"curl/8.0","accessKey":null,"accountId":null,"caller":null,"user":null,)"
      R"("userArn":null,"cognitoAuthenticationProvider":null,"cognitoAuthenticationType":null,)"
      R"("cognitoIdentityId":null,"cognitoIdentityPoolId":null,"principalOrgId":null},)"
      R"("resourcePath":"/request","httpMethod":"GET","apiId":"abc123"}})");
}

// Path parameters in a REQUEST event are the raw values, as in the proxy event.
TEST_F(EventsTest, RequestAuthorizerEventCarriesRawPathParameters) {
  route("/items/a%2Fb");
  EXPECT_EQ(member_text(request_authorizer_event(facts_), "pathParameters", "stageVariables"),
            R"("pathParameters":{"id":"a%2Fb"})");
}

// ---------------------------------------------------------------------------------------------
// Proxy event

// The whole proxy event without an authorizer in §6.1's key order: no requestContext.authorizer,
// null maps for the absent query and stage variables, null body.
TEST_F(EventsTest, ProxyEventMatchesApiGatewayKeyOrder) {
  route("/items/42");
  EXPECT_EQ(
      proxy_event(facts_, nullptr),
      R"({"resource":"/items/{id}","path":"/items/42","httpMethod":"GET",)"
      R"("headers":{"Accept":"*/*","User-Agent":"curl/8.0"},)"
      R"("multiValueHeaders":{"Accept":["*/*"],"User-Agent":["curl/8.0"]},)"
      R"("queryStringParameters":null,"multiValueQueryStringParameters":null,)"
      R"("pathParameters":{"id":"42"},"stageVariables":null,)"
      R"("requestContext":{"resourceId":"a1b2c3","resourcePath":"/items/{id}","httpMethod":"GET",)"
      R"("extendedRequestId":"N7Sb5GwpDoEEf9A=","requestTime":"05/Nov/2023:13:24:15 +0000",)"
      R"("path":"/prod/items/42","accountId":"123456789012","protocol":"HTTP/1.1","stage":"prod",)"
      R"("domainPrefix":"abc123","requestTimeEpoch":1699190655123,)"
      R"("requestId":"7a8c5040-e76b-400f-8407-0c6ed9b72e46",)"
      R"("identity":{"cognitoIdentityPoolId":null,"accountId":null,"cognitoIdentityId":null,)"
      R"("caller":null,"sourceIp":"203.0.113.7","principalOrgId":null,"accessKey":null,)"
      R"("cognitoAuthenticationType":null,"cognitoAuthenticationProvider":null,"userArn":null,)"
      R"("userAgent":"curl/8.0","user":null},)"
      R"("domainName":"abc123.execute-api.us-east-1.amazonaws.com","apiId":"abc123"},)"
      R"("body":null,"isBase64Encoded":false})");
}

// Mutual TLS: identity.clientCert last in identity, API Gateway's keys in its order; null when the
// listener let the client in without one; absent when the listener does not ask (plain TLS).
TEST_F(EventsTest, EventsCarryTheClientCertificateOfMutualTls) {
  route("/items/42");
  core::TlsFacts tls;
  tls.client_certificate_asked = true;
  tls.client_certificate =
      core::ClientCertificate{"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
                              "C=US,CN=client one",
                              "CN=test ca",
                              "4660",
                              "Aug 29 00:28:21 2020 GMT",
                              "Aug  5 00:28:21 2120 GMT"};
  facts_.tls = &tls;
  const std::string kCert =
      R"("clientCert":{"clientCertPem":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END )"
      R"(CERTIFICATE-----\n","subjectDN":"C=US,CN=client one","issuerDN":"CN=test ca",)"
      R"("serialNumber":"4660","validity":{"notBefore":"Aug 29 00:28:21 2020 GMT",)"
      R"("notAfter":"Aug  5 00:28:21 2120 GMT"}})";
  EXPECT_EQ(member_text(proxy_event(facts_, nullptr), "user", "domainName"),
            R"("user":null,)" + kCert + "}");
  EXPECT_EQ(member_text(request_authorizer_event(facts_), "principalOrgId", "resourcePath"),
            R"("principalOrgId":null,)" + kCert + "}");
  tls.client_certificate.reset();
  EXPECT_EQ(member_text(proxy_event(facts_, nullptr), "user", "domainName"),
            R"("user":null,"clientCert":null})");
  tls.client_certificate_asked = false;
  EXPECT_EQ(member_text(proxy_event(facts_, nullptr), "user", "domainName"), R"("user":null})");
}

// A Lambda authorizer's principalId, integrationLatency (a number) and context (strings) come
// last in requestContext, in that order.
TEST_F(EventsTest, ProxyEventCarriesLambdaAuthorizerContext) {
  route("/items/42");
  std::vector<std::pair<std::string, std::string>> context = {
      {"tenant", "acme"}, {"tier", "3"}, {"admin", "false"}};
  AuthorizerFacts authorizer{
      .principal_id = "user|a1b2c3d4", .integration_latency_ms = 182, .context = &context};
  std::string event = proxy_event(facts_, &authorizer);
  EXPECT_EQ(member_text(event, "apiId", "body"),
            R"("apiId":"abc123","authorizer":{"principalId":"user|a1b2c3d4",)"
            R"("integrationLatency":182,"tenant":"acme","tier":"3","admin":"false"}})");
}

// Without a latency the key is left out; with no context only principalId remains.
TEST_F(EventsTest, ProxyEventOmitsMissingIntegrationLatency) {
  route("/items/42");
  AuthorizerFacts authorizer{.principal_id = "me"};
  EXPECT_EQ(member_text(proxy_event(facts_, &authorizer), "apiId", "body"),
            R"("apiId":"abc123","authorizer":{"principalId":"me"}})");
}

// Context keys cannot shadow principalId or integrationLatency: every key appears once.
TEST_F(EventsTest, ProxyEventContextCannotShadowPrincipalId) {
  route("/items/42");
  std::vector<std::pair<std::string, std::string>> context = {
      {"principalId", "admin"}, {"integrationLatency", "0"}, {"role", "reader"}};
  AuthorizerFacts authorizer{
      .principal_id = "user", .integration_latency_ms = 5, .context = &context};
  EXPECT_EQ(member_text(proxy_event(facts_, &authorizer), "apiId", "body"),
            R"("apiId":"abc123","authorizer":{"principalId":"user","integrationLatency":5,)"
            R"("role":"reader"}})");
}

// A JWT authorizer's claims are stringified under "claims" (numbers in decimal, arrays Go-style),
// followed by principalId.
TEST_F(EventsTest, ProxyEventCarriesJwtClaimsAsStrings) {
  route("/items/42");
  json::object claims =
      parse_json(R"({"sub":"client@clients","iss":"https://t.example/","exp":1787996002,)"
                 R"("scope":"read write","cognito:groups":["Admin","Merchant"],)"
                 R"("email_verified":true})")
          .get_object();
  AuthorizerFacts authorizer{.principal_id = "client@clients", .claims = &claims};
  EXPECT_EQ(member_text(proxy_event(facts_, &authorizer), "apiId", "body"),
            R"("apiId":"abc123","authorizer":{"claims":{"sub":"client@clients",)"
            R"("iss":"https://t.example/","exp":"1787996002","scope":"read write",)"
            R"("cognito:groups":"[Admin Merchant]","email_verified":"true"},)"
            R"("principalId":"client@clients"}})");
}

// A token without `sub` gives claims only, no empty principalId.
TEST_F(EventsTest, ProxyEventJwtWithoutSubjectHasNoPrincipalId) {
  route("/items/42");
  json::object claims = parse_json(R"({"azp":"x"})").get_object();
  AuthorizerFacts authorizer{.claims = &claims};
  EXPECT_EQ(member_text(proxy_event(facts_, &authorizer), "apiId", "body"),
            R"("apiId":"abc123","authorizer":{"claims":{"azp":"x"}}})");
}

// `path`, requestContext.path and pathParameters keep the percent-encoding as received (AWS
// REST APIs do not decode them).
TEST_F(EventsTest, ProxyEventKeepsPathPercentEncoded) {
  route("/items/test%2Balias@x.com");
  std::string event = proxy_event(facts_, nullptr);
  EXPECT_EQ(member_text(event, "path", "httpMethod"), R"("path":"/items/test%2Balias@x.com")");
  EXPECT_EQ(member_text(event, "pathParameters", "stageVariables"),
            R"("pathParameters":{"id":"test%2Balias@x.com"})");
  EXPECT_EQ(member_text(event, "resourcePath", "httpMethod"), R"("resourcePath":"/items/{id}")");
  EXPECT_NE(event.find(R"("path":"/prod/items/test%2Balias@x.com")"), std::string::npos);
}

// A greedy parameter carries the rest of the path, slashes included.
TEST_F(EventsTest, ProxyEventCarriesGreedyPathParameter) {
  facts_.resource = "/files/{path+}";
  route("/files/a/b%20c/d");
  EXPECT_EQ(member_text(proxy_event(facts_, nullptr), "pathParameters", "stageVariables"),
            R"("pathParameters":{"path":"a/b%20c/d"})");
}

// Repeated headers (names compared case-insensitively) keep the first casing; the single-value
// map holds the last value, the multi-value map all values in order.
TEST_F(EventsTest, ProxyEventMergesRepeatedHeaders) {
  route("/items/42");
  facts_.headers = {{"X-Tag", "one"}, {"Accept", "*/*"}, {"x-tag", "two"}, {"X-TAG", "three"}};
  EXPECT_EQ(member_text(proxy_event(facts_, nullptr), "headers", "queryStringParameters"),
            R"("headers":{"X-Tag":"three","Accept":"*/*"},)"
            R"("multiValueHeaders":{"X-Tag":["one","two","three"],"Accept":["*/*"]})");
}

// Header names keep the client's casing exactly.
TEST_F(EventsTest, ProxyEventKeepsHeaderCasing) {
  route("/items/42");
  facts_.headers = {{"tEsT-HEADeR", "aValUE"}};
  EXPECT_EQ(member_text(proxy_event(facts_, nullptr), "headers", "multiValueHeaders"),
            R"("headers":{"tEsT-HEADeR":"aValUE"})");
}

// Content-Length and Connection are not passed on, whatever their casing.
TEST_F(EventsTest, ProxyEventDropsContentLengthAndConnection) {
  route("/items/42");
  facts_.headers = {{"content-length", "5"}, {"Host", "h"}, {"CONNECTION", "keep-alive"}};
  EXPECT_EQ(member_text(proxy_event(facts_, nullptr), "headers", "queryStringParameters"),
            R"("headers":{"Host":"h"},"multiValueHeaders":{"Host":["h"]})");
}

// No headers at all: both header maps are null, like every absent map.
TEST_F(EventsTest, ProxyEventWithoutHeadersHasNullMaps) {
  route("/items/42");
  facts_.headers.clear();
  EXPECT_EQ(member_text(proxy_event(facts_, nullptr), "headers", "queryStringParameters"),
            R"("headers":null,"multiValueHeaders":null)");
}

// Repeated query parameters: the last value in the single map, all in order in the multi map.
TEST_F(EventsTest, ProxyEventMergesRepeatedQueryParameters) {
  route("/items/42");
  facts_.raw_query = "category=electronics&price=10&category=books&price=20&price=30";
  EXPECT_EQ(member_text(proxy_event(facts_, nullptr), "queryStringParameters", "pathParameters"),
            R"("queryStringParameters":{"category":"books","price":"30"},)"
            R"("multiValueQueryStringParameters":{"category":["electronics","books"],)"
            R"("price":["10","20","30"]})");
}

// Names and values are percent-decoded with '+' as a space; a broken escape stays as it is.
TEST_F(EventsTest, ProxyEventDecodesQueryParameters) {
  route("/items/42");
  facts_.raw_query = "email=test%2Balias%40x.com&plus=a+b&na%6De=v&bad=100%&odd=%zz";
  EXPECT_EQ(member_text(proxy_event(facts_, nullptr), "queryStringParameters",
                        "multiValueQueryStringParameters"),
            R"("queryStringParameters":{"email":"test+alias@x.com","plus":"a b","name":"v",)"
            R"("bad":"100%","odd":"%zz"})");
}

// A name without '=' has the empty value; only the first '=' splits.
TEST_F(EventsTest, ProxyEventQueryNameWithoutEqualsHasEmptyValue) {
  route("/items/42");
  facts_.raw_query = "flag&expr=a=b";
  EXPECT_EQ(member_text(proxy_event(facts_, nullptr), "queryStringParameters",
                        "multiValueQueryStringParameters"),
            R"("queryStringParameters":{"flag":"","expr":"a=b"})");
}

// Empty pieces and empty names are skipped; a query with nothing left gives null maps.
TEST_F(EventsTest, ProxyEventQueryWithoutParametersHasNullMaps) {
  route("/items/42");
  facts_.raw_query = "&&=x&";
  EXPECT_EQ(member_text(proxy_event(facts_, nullptr), "queryStringParameters", "pathParameters"),
            R"("queryStringParameters":null,"multiValueQueryStringParameters":null)");
  facts_.raw_query = "a=1&&b=2&";
  EXPECT_EQ(member_text(proxy_event(facts_, nullptr), "queryStringParameters",
                        "multiValueQueryStringParameters"),
            R"("queryStringParameters":{"a":"1","b":"2"})");
}

// Stage variables appear as an object in the given order.
TEST_F(EventsTest, ProxyEventCarriesStageVariables) {
  route("/items/42");
  facts_.stage_variables = {{"b", "2"}, {"a", "1"}};
  EXPECT_EQ(member_text(proxy_event(facts_, nullptr), "stageVariables", "requestContext"),
            R"("stageVariables":{"b":"2","a":"1"})");
}

// A text body goes as it is.
TEST_F(EventsTest, ProxyEventCarriesTextBody) {
  route("/items/42");
  facts_.method = "POST";
  facts_.body = R"({"id":"42"})";
  std::string event = proxy_event(facts_, nullptr);
  EXPECT_EQ(event.substr(event.find(R"("body":)")),
            R"("body":"{\"id\":\"42\"}","isBase64Encoded":false})");
}

// A binary body goes base64 with isBase64Encoded true.
TEST_F(EventsTest, ProxyEventEncodesBinaryBody) {
  route("/items/42");
  facts_.body = std::string_view("\x00\xFF\x10", 3);
  facts_.body_is_binary = true;
  std::string event = proxy_event(facts_, nullptr);
  EXPECT_EQ(event.substr(event.find(R"("body":)")), R"("body":"AP8Q","isBase64Encoded":true})");
}

// An empty binary body is null with isBase64Encoded false: there is nothing encoded.
TEST_F(EventsTest, ProxyEventEmptyBinaryBodyIsNull) {
  route("/items/42");
  facts_.body_is_binary = true;
  std::string event = proxy_event(facts_, nullptr);
  EXPECT_EQ(event.substr(event.find(R"("body":)")), R"("body":null,"isBase64Encoded":false})");
}

// requestTime is CLF in UTC with English month names; requestTimeEpoch the integer ms.
TEST_F(EventsTest, ProxyEventFormatsRequestTime) {
  route("/items/42");
  const std::pair<int64_t, std::string> cases[] = {
      {0, "01/Jan/1970:00:00:00 +0000"},
      {951782400999, "29/Feb/2000:00:00:00 +0000"},
      {1735689599000, "31/Dec/2024:23:59:59 +0000"},
      {1781049600000, "10/Jun/2026:00:00:00 +0000"},
  };
  for (const auto& [ms, text] : cases) {
    facts_.request_time_epoch_ms = ms;
    EXPECT_EQ(member_text(proxy_event(facts_, nullptr), "requestTime", "path"),
              "\"requestTime\":\"" + text + "\"")
        << ms;
  }
  EXPECT_EQ(member_text(proxy_event(facts_, nullptr), "requestTimeEpoch", "requestId"),
            R"("requestTimeEpoch":1781049600000)");
}

// Without a User-Agent header, identity.userAgent is null.
TEST_F(EventsTest, ProxyEventWithoutUserAgentHasNullUserAgent) {
  route("/items/42");
  facts_.user_agent = "";
  EXPECT_EQ(member_text(proxy_event(facts_, nullptr), "userArn", "user"),
            R"("userArn":null,"userAgent":null)");
}

// Invalid UTF-8 from the client becomes U+FFFD: the event is always valid JSON.
TEST_F(EventsTest, ProxyEventReplacesInvalidUtf8) {
  route("/items/42");
  facts_.headers = {{"X-Bin", "a\xFFz"}};
  std::string event = proxy_event(facts_, nullptr);
  EXPECT_EQ(member_text(event, "headers", "multiValueHeaders"),
            "\"headers\":{\"X-Bin\":\"a\xEF\xBF\xBDz\"}");
  boost::system::error_code ec;
  json::parse(event, ec);
  EXPECT_FALSE(ec) << ec.message();
}

// ---------------------------------------------------------------------------------------------
// stringify_claim

// Strings are passed as they are, without quotes.
TEST(StringifyClaim, KeepsStrings) {
  EXPECT_EQ(stringify_claim(json::value("read write")), "read write");
  EXPECT_EQ(stringify_claim(json::value("")), "");
}

// Integers are decimal, including the full int64 and uint64 ranges.
TEST(StringifyClaim, WritesIntegersInDecimal) {
  EXPECT_EQ(stringify_claim(parse_json("1787996002")), "1787996002");
  EXPECT_EQ(stringify_claim(parse_json("-42")), "-42");
  EXPECT_EQ(stringify_claim(parse_json("-9223372036854775808")), "-9223372036854775808");
  EXPECT_EQ(stringify_claim(parse_json("18446744073709551615")), "18446744073709551615");
}

// Other numbers are written as JavaScript's String(n) writes them. (The doubles are built
// directly: Boost.JSON 1.81's parser is not always correctly rounded in the last bit.)
TEST(StringifyClaim, WritesDoublesLikeJavaScript) {
  const std::pair<double, const char*> cases[] = {
      {1.5, "1.5"},
      {0.1, "0.1"},
      {100.0, "100"},
      {-2.5e3, "-2500"},
      {1e21, "1e+21"},
      {1.5e300, "1.5e+300"},
      {123456789012345680000.0, "123456789012345680000"},
      {0.000001, "0.000001"},
      {1e-7, "1e-7"},
      {-1.25e-10, "-1.25e-10"},
      {-0.0, "0"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {18446744073709551616.0, "18446744073709552000"},
  };
  for (const auto& [in, out] : cases)
    EXPECT_EQ(stringify_claim(json::value(in)), out) << out;
  // Numbers too large for uint64 arrive as doubles.
  EXPECT_EQ(stringify_claim(parse_json("18446744073709551616")), "18446744073709552000");
}

// Booleans and null are their JSON words.
TEST(StringifyClaim, WritesBooleansAndNull) {
  EXPECT_EQ(stringify_claim(json::value(true)), "true");
  EXPECT_EQ(stringify_claim(json::value(false)), "false");
  EXPECT_EQ(stringify_claim(json::value(nullptr)), "null");
}

// Arrays are Go-style "[a b c]", elements stringified the same way, nested arrays too.
TEST(StringifyClaim, WritesArraysGoStyle) {
  EXPECT_EQ(stringify_claim(parse_json(R"(["Admin","Merchant"])")), "[Admin Merchant]");
  EXPECT_EQ(stringify_claim(parse_json(R"([1,2.5,true,null,["x","y"],{"k":1}])")),
            R"([1 2.5 true null [x y] {"k":1}])");
  EXPECT_EQ(stringify_claim(parse_json("[]")), "[]");
}

// Objects are compact JSON text in their key order, numbers written as JavaScript writes them.
TEST(StringifyClaim, WritesObjectsAsCompactJson) {
  EXPECT_EQ(stringify_claim(parse_json(R"({ "b" : [true, null, 1.0], "a" : {"q":"x\"y"} })")),
            R"({"b":[true,null,1],"a":{"q":"x\"y"}})");
}

}  // namespace
}  // namespace gatehouse::functions::events
