#include "functions/events/proxy_response.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "functions/invoker.h"

namespace gatehouse::functions::events {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

// A complete response: status, headers in merge order, body as given.
TEST(ParseProxyResponse, AcceptsAllFiveKeys) {
  auto r = parse_proxy_response(
      R"({"statusCode":201,"headers":{"Content-Type":"application/json","X-Cache":"miss"},)"
      R"("multiValueHeaders":{"Vary":["Accept","Origin"]},"body":"{\"id\":\"42\"}",)"
      R"("isBase64Encoded":false})");
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ(r->status, 201u);
  EXPECT_EQ(r->headers, (Headers{{"Vary", "Accept, Origin"},
                                 {"Content-Type", "application/json"},
                                 {"X-Cache", "miss"}}));
  EXPECT_EQ(r->body, R"({"id":"42"})");
}

// `{"headers":{...}}` alone is a 200 with an empty body (§6.2).
TEST(ParseProxyResponse, HeadersAloneGive200AndEmptyBody) {
  auto r = parse_proxy_response(R"({"headers":{"X-A":"1"}})");
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->headers, (Headers{{"X-A", "1"}}));
  EXPECT_EQ(r->body, "");
}

// A numeric string status code is accepted.
TEST(ParseProxyResponse, AcceptsNumericStringStatusCode) {
  auto r = parse_proxy_response(R"({"statusCode":"201"})");
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ(r->status, 201u);
}

// A number without a fraction is an integer, however it is written.
TEST(ParseProxyResponse, AcceptsIntegralDoubleStatusCode) {
  auto r = parse_proxy_response(R"({"statusCode":404.0})");
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ(r->status, 404u);
}

// null counts as absent for every key: 200, no headers, empty body, not base64.
TEST(ParseProxyResponse, TreatsNullMembersAsAbsent) {
  auto r = parse_proxy_response(
      R"({"statusCode":null,"headers":null,"multiValueHeaders":null,"body":null,)"
      R"("isBase64Encoded":null})");
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ(r->status, 200u);
  EXPECT_TRUE(r->headers.empty());
  EXPECT_EQ(r->body, "");
}

// Numbers and booleans as header values become text.
TEST(ParseProxyResponse, ConvertsNumberAndBooleanHeaderValues) {
  auto r = parse_proxy_response(
      R"({"headers":{"X-Int":42,"X-Neg":-1,"X-Real":1.5,"X-Yes":true,"X-No":false},)"
      R"("multiValueHeaders":{"X-Multi":[7,false,"s"]}})");
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ(r->headers, (Headers{{"X-Multi", "7, false, s"},
                                 {"X-Int", "42"},
                                 {"X-Neg", "-1"},
                                 {"X-Real", "1.5"},
                                 {"X-Yes", "true"},
                                 {"X-No", "false"}}));
}

// A name in both maps becomes one header: multi values first, then the single value, joined
// with ", ", under the multiValueHeaders casing (§6.2, observed on AWS).
TEST(ParseProxyResponse, MergesSameNameMultiValuesFirst) {
  auto r =
      parse_proxy_response(R"({"headers":{"test-multi":"value-solo","X-Other":"o"},)"
                           R"("multiValueHeaders":{"Test-Multi":["value-multi","value-two"]}})");
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ(r->headers,
            (Headers{{"Test-Multi", "value-multi, value-two, value-solo"}, {"X-Other", "o"}}));
}

// Set-Cookie values are never joined: each is its own header, multi values first.
TEST(ParseProxyResponse, KeepsSetCookieValuesSeparate) {
  auto r = parse_proxy_response(
      R"({"headers":{"set-cookie":"c=3"},)"
      R"("multiValueHeaders":{"Set-Cookie":["a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT",)"
      R"("b=2; Path=/"]}})");
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ(r->headers, (Headers{{"Set-Cookie", "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT"},
                                 {"Set-Cookie", "b=2; Path=/"},
                                 {"Set-Cookie", "c=3"}}));
}

// Connection, Content-Length, Date and Server come back renamed; Transfer-Encoding is dropped.
TEST(ParseProxyResponse, RemapsReservedHeadersAndDropsTransferEncoding) {
  auto r = parse_proxy_response(
      R"({"headers":{"Connection":"close","content-length":"3","Date":"d","Server":"s",)"
      R"("Transfer-Encoding":"chunked","X-Keep":"k"}})");
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ(r->headers, (Headers{{"x-amzn-Remapped-Connection", "close"},
                                 {"x-amzn-Remapped-content-length", "3"},
                                 {"x-amzn-Remapped-Date", "d"},
                                 {"x-amzn-Remapped-Server", "s"},
                                 {"X-Keep", "k"}}));
}

// An empty multi-value array adds no header.
TEST(ParseProxyResponse, EmptyMultiValueArrayAddsNoHeader) {
  auto r = parse_proxy_response(R"({"multiValueHeaders":{"X-None":[]}})");
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_TRUE(r->headers.empty());
}

// isBase64Encoded true: the body is decoded, padded or not.
TEST(ParseProxyResponse, DecodesBase64Body) {
  auto padded = parse_proxy_response(R"({"body":"AP8QYQ==","isBase64Encoded":true})");
  ASSERT_TRUE(padded.has_value()) << to_string(padded.error());
  EXPECT_EQ(padded->body, std::string("\x00\xFF\x10"
                                      "a",
                                      4));
  auto unpadded = parse_proxy_response(R"({"body":"AP8QYQ","isBase64Encoded":true})");
  ASSERT_TRUE(unpadded.has_value()) << to_string(unpadded.error());
  EXPECT_EQ(unpadded->body, padded->body);
}

// isBase64Encoded false leaves base64-looking text alone.
TEST(ParseProxyResponse, KeepsBodyWhenNotBase64) {
  auto r = parse_proxy_response(R"({"body":"AP8QYQ==","isBase64Encoded":false})");
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ(r->body, "AP8QYQ==");
}

// kTooLarge: over 6 MiB + 100 bytes is refused before parsing; exactly the limit is parsed.
TEST(ParseProxyResponse, RejectsPayloadOverLambdaLimit) {
  std::string body(kMaxResponseBytes - 11, 'x');  // {"body":"..."} adds 11 bytes
  std::string at_limit = R"({"body":")" + body + R"("})";
  ASSERT_EQ(at_limit.size(), kMaxResponseBytes);
  auto ok = parse_proxy_response(at_limit);
  ASSERT_TRUE(ok.has_value()) << to_string(ok.error());
  EXPECT_EQ(ok->body.size(), body.size());
  std::string over = R"({"body":")" + body + R"(x"})";
  auto r = parse_proxy_response(over);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), ProxyResponseError::kTooLarge);
}

// kNotJson: broken JSON, invalid UTF-8, or nesting deeper than 64 levels.
TEST(ParseProxyResponse, RejectsNonJson) {
  for (std::string_view bad : {"{", "", "{\"body\":\"a\xFF\"}", "{\"statusCode\":200,}"}) {
    auto r = parse_proxy_response(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error(), ProxyResponseError::kNotJson) << bad;
  }
  std::string deep = R"({"headers":)" + std::string(70, '[') + std::string(70, ']') + "}";
  auto r = parse_proxy_response(deep);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), ProxyResponseError::kNotJson);
}

// kNotObject: the bare string "justAString", null, an array, a number.
TEST(ParseProxyResponse, RejectsNonObject) {
  for (std::string_view bad : {R"("justAString")", "null", "[]", "200"}) {
    auto r = parse_proxy_response(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error(), ProxyResponseError::kNotObject) << bad;
  }
}

// kUnknownKey: any key besides the five, including a Lambda error document.
TEST(ParseProxyResponse, RejectsUnknownKey) {
  for (std::string_view bad : {R"({"statusCode":200,"extra":1})", R"({"StatusCode":200})",
                               R"({"errorMessage":"boom","errorType":"Error"})"}) {
    auto r = parse_proxy_response(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error(), ProxyResponseError::kUnknownKey) << bad;
  }
}

// kBadStatusCode: non-numeric strings, fractions, out of range, other types.
TEST(ParseProxyResponse, RejectsBadStatusCode) {
  for (std::string_view bad :
       {R"({"statusCode":"abc"})", R"({"statusCode":""})", R"({"statusCode":" 200"})",
        R"({"statusCode":"+200"})", R"({"statusCode":"200.0"})", R"({"statusCode":200.5})",
        R"({"statusCode":99})", R"({"statusCode":600})", R"({"statusCode":"0600"})",
        // A 1xx is informational: as a final answer it would desynchronise the connection.
        R"({"statusCode":100})", R"({"statusCode":101})", R"({"statusCode":"103"})",
        R"({"statusCode":199})", R"({"statusCode":199.0})", R"({"statusCode":"0199"})",
        R"({"statusCode":-200})", R"({"statusCode":true})", R"({"statusCode":[200]})",
        R"({"statusCode":18446744073709551615})", R"({"statusCode":"99999999999999"})"}) {
    auto r = parse_proxy_response(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error(), ProxyResponseError::kBadStatusCode) << bad;
  }
}

// kHeadersTooLarge: one long name or value, values that are long only once joined, and many
// cookies; each counted as sent (name, ": ", value, CRLF). Just under the bound is served.
TEST(ParseProxyResponse, BoundsTheHeaderBlock) {
  const std::string big(kMaxResponseHeaderBytes, 'a');
  const std::string half(kMaxResponseHeaderBytes / 2, 'b');
  const std::string long_name(70'000, 'N');
  for (const std::string& bad : {
           R"({"headers":{"X-Big":")" + big + R"("}})",
           R"({"headers":{")" + long_name + R"(":"1"}})",
           R"({"multiValueHeaders":{"X-Two":[")" + half + R"(",")" + half + R"("]}})",
           R"({"headers":{"X-One":")" + half + R"("},"multiValueHeaders":{"x-one":[")" + half +
               R"("]}})",
           R"({"multiValueHeaders":{"Set-Cookie":[")" + half + R"(",")" + half + R"("]}})",
       }) {
    auto r = parse_proxy_response(bad);
    ASSERT_FALSE(r.has_value()) << bad.substr(0, 60);
    EXPECT_EQ(r.error(), ProxyResponseError::kHeadersTooLarge) << bad.substr(0, 60);
  }
  std::string fits(kMaxResponseHeaderBytes - std::string_view("X-Fits: \r\n").size(), 'c');
  auto r = parse_proxy_response(R"({"headers":{"X-Fits":")" + fits + R"("}})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->headers.at(0).second, fits);
  EXPECT_EQ(to_string(ProxyResponseError::kHeadersTooLarge), "response_headers_too_large");
}

// kBadHeaders: not an object, a value of another type, a name that is not a token, or a value
// with CR/LF or other control characters (response splitting).
TEST(ParseProxyResponse, RejectsBadHeaders) {
  for (std::string_view bad : {
           R"({"headers":["X-A"]})",
           R"({"headers":"X-A: 1"})",
           R"({"headers":{"X-A":{"v":1}}})",
           R"({"headers":{"X-A":["1"]}})",
           R"({"headers":{"X-A":null}})",
           R"({"headers":{"":"1"}})",
           R"({"headers":{"X A":"1"}})",
           R"({"headers":{"X-A:":"1"}})",
           R"({"headers":{"X-A":"1\r\nSet-Cookie: evil=1"}})",
           R"({"headers":{"X-A":"1\u0000"}})",
       }) {
    auto r = parse_proxy_response(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error(), ProxyResponseError::kBadHeaders) << bad;
  }
}

// Tabs are allowed inside header values.
TEST(ParseProxyResponse, AcceptsTabInHeaderValue) {
  auto r = parse_proxy_response(R"({"headers":{"X-A":"a\tb"}})");
  ASSERT_TRUE(r.has_value()) << to_string(r.error());
  EXPECT_EQ(r->headers, (Headers{{"X-A", "a\tb"}}));
}

// kBadMultiValueHeaders: not an object, a value that is not an array (a string included), an
// element of another type, a bad name or an unsafe value.
TEST(ParseProxyResponse, RejectsBadMultiValueHeaders) {
  for (std::string_view bad : {
           R"({"multiValueHeaders":["X-A"]})",
           R"({"multiValueHeaders":{"X-A":"1"}})",
           R"({"multiValueHeaders":{"X-A":null}})",
           R"({"multiValueHeaders":{"X-A":[{"v":1}]}})",
           R"({"multiValueHeaders":{"X-A":[null]}})",
           R"({"multiValueHeaders":{"X-A":[["1"]]}})",
           R"({"multiValueHeaders":{"X\nA":["1"]}})",
           R"({"multiValueHeaders":{"X-A":["1\n"]}})",
       }) {
    auto r = parse_proxy_response(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error(), ProxyResponseError::kBadMultiValueHeaders) << bad;
  }
}

// kBadBody: a body that is not a string or null.
TEST(ParseProxyResponse, RejectsBadBody) {
  for (std::string_view bad :
       {R"({"body":{"id":42}})", R"({"body":42})", R"({"body":["a"]})", R"({"body":false})"}) {
    auto r = parse_proxy_response(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error(), ProxyResponseError::kBadBody) << bad;
  }
}

// kBadBase64Flag: isBase64Encoded that is not a boolean.
TEST(ParseProxyResponse, RejectsBadBase64Flag) {
  for (std::string_view bad : {R"({"isBase64Encoded":"true"})", R"({"isBase64Encoded":1})"}) {
    auto r = parse_proxy_response(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error(), ProxyResponseError::kBadBase64Flag) << bad;
  }
}

// kBadBase64Body: characters outside the alphabet, an impossible length, base64url, non-zero
// padding bits.
TEST(ParseProxyResponse, RejectsBadBase64Body) {
  for (std::string_view bad :
       {R"({"body":"not base64!","isBase64Encoded":true})",
        R"({"body":"QUJDR","isBase64Encoded":true})", R"({"body":"_-8=","isBase64Encoded":true})",
        R"({"body":"QR==","isBase64Encoded":true})", R"({"body":"Q===","isBase64Encoded":true})"}) {
    auto r = parse_proxy_response(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error(), ProxyResponseError::kBadBase64Body) << bad;
  }
}

// Every error value has a distinct snake_case name for the access log.
TEST(ParseProxyResponse, NamesEveryError) {
  EXPECT_EQ(to_string(ProxyResponseError::kTooLarge), "too_large");
  EXPECT_EQ(to_string(ProxyResponseError::kNotJson), "not_json");
  EXPECT_EQ(to_string(ProxyResponseError::kNotObject), "not_object");
  EXPECT_EQ(to_string(ProxyResponseError::kUnknownKey), "unknown_key");
  EXPECT_EQ(to_string(ProxyResponseError::kBadStatusCode), "bad_status_code");
  EXPECT_EQ(to_string(ProxyResponseError::kBadHeaders), "bad_headers");
  EXPECT_EQ(to_string(ProxyResponseError::kBadMultiValueHeaders), "bad_multi_value_headers");
  EXPECT_EQ(to_string(ProxyResponseError::kBadBody), "bad_body");
  EXPECT_EQ(to_string(ProxyResponseError::kBadBase64Flag), "bad_base64_flag");
  EXPECT_EQ(to_string(ProxyResponseError::kBadBase64Body), "bad_base64_body");
}

}  // namespace
}  // namespace gatehouse::functions::events
