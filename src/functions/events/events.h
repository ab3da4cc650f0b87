// API Gateway's REST (v1) events, built exactly as API Gateway builds them
// (docs/aws-compatibility.md §1, §6.1); the Lambda proxy response is parsed in proxy_response.h.
// Pure: the caller supplies every fact about the request (time, ids, addresses), so the same inputs
// always give the same bytes.
//
// Events (JSON text, keys in API Gateway's order, written directly rather than through a
// boost::json::value so that the order is fixed and invalid UTF-8 becomes U+FFFD):
//   token_authorizer_event    {"type":"TOKEN","authorizationToken":...,"methodArn":...}
//   request_authorizer_event  {"type":"REQUEST","methodArn",...,"requestContext":{...}}: no body,
//                             no requestContext.authorizer
//   proxy_event               payload format 1.0 with requestContext.authorizer when an authorizer
//                             ran
// Conventions (our decisions, docs/aws-compatibility.md §13): absent maps are null in every event
// (headers, multiValueHeaders, queryStringParameters, multiValueQueryStringParameters,
// pathParameters, stageVariables); header names keep the client's casing; for repeated headers
// and query parameters the single-value maps hold the last value and the multi-value maps every
// value in order; `Content-Length` and `Connection` are not passed on; requestTime is
// "dd/Mon/yyyy:HH:mm:ss +0000" (UTC, English month names).
//
// Paths are NOT decoded: `path` is the request path exactly as received, still percent-encoded,
// without the stage; requestContext.path is "/{stage}{path}"; pathParameters hold the raw values
// (router::PathParam::raw). Evidence: LocalStack's AWS-validated snapshot
// tests/aws/services/apigateway/test_apigateway_lambda.snapshot.json, case
// "invocation-payload-with-path-encoded-email" (recorded against AWS, 2024-07), shows
// "path": "/test-path/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com" with the same
// bytes in requestContext.path and pathParameters.proxy; middleapi/standard-server PR #93, citing
// live captures in hotsock/voker PR #8: REST APIs keep the path percent-encoded, HTTP APIs decode
// it. (The method ARN is decoded instead: router/method_arn.h.)
//
// Query strings ARE decoded, as in the same snapshot ("plus=test+alias" gives "test alias",
// "%2B" gives '+'), by parse_query() (request_facts.h, which states the rules). A query with no
// parameter left gives null maps.
//
// Repeated header names (compared case-insensitively) become one key with the casing of their
// first occurrence: `headers` holds the last value, `multiValueHeaders` all values in arrival
// order (find_header() in request_facts.h reads a name the same way). Which casing AWS keeps for
// a name sent in two casings is unobserved; the first is the one a client normally sends.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "functions/events/request_facts.h"
#include "router/router.h"

namespace gatehouse::functions::events {

// What requestContext.authorizer carries into a proxy event. Views and pointers must stay valid
// during the call.
//   Lambda authorizer (claims == nullptr):
//     {"principalId":...,"integrationLatency":<ms>,<context key>:<string value>,...}
//     integrationLatency is a number and is left out when integration_latency_ms is nullopt.
//     Context keys named principalId or integrationLatency are skipped: the gateway's values win,
//     and the object never has a key twice.
//   JWT authorizer (claims != nullptr), shaped like the REST Cognito user-pool authorizer (§6.1,
//   §8.4), which puts every claim under "claims" as a string:
//     {"claims":{<claim>:stringify_claim(value),...},"principalId":...}
//     principalId (the token's `sub`) is our addition for functions written against Lambda
//     authorizers; it comes after claims and is left out when principal_id is empty.
struct AuthorizerFacts {
  std::string_view principal_id = {};
  // Lambda authorizers: integrationLatency (ms) and every context key, values already strings.
  std::optional<int64_t> integration_latency_ms = std::nullopt;
  const std::vector<std::pair<std::string, std::string>>* context = nullptr;
  // JWT authorizer: the token's claims, stringified as API Gateway does (stringify_claim), under
  // "claims"; null when not a JWT authorizer.
  const boost::json::object* claims = nullptr;
};

// {"type":"TOKEN","authorizationToken":<token>,"methodArn":<arn>}: exactly these three keys.
std::string token_authorizer_event(std::string_view authorization_token,
                                   std::string_view method_arn);
// The REQUEST authorizer event (§1.4 key order): type, methodArn, resource, path, httpMethod,
// headers, multiValueHeaders, queryStringParameters, multiValueQueryStringParameters,
// pathParameters, stageVariables, requestContext. Its identity carries apiKey and apiKeyId (null)
// as in AWS's sample, and clientCert last on a listener that does mutual TLS.
std::string request_authorizer_event(const RequestFacts& request);
// The proxy integration event (§6.1 key order): resource, path, httpMethod, headers,
// multiValueHeaders, queryStringParameters, multiValueQueryStringParameters, pathParameters,
// stageVariables, requestContext, body, isBase64Encoded. body is null when empty, the bytes as
// they are otherwise, or their base64 with isBase64Encoded true when body_is_binary (an empty
// binary body is null with isBase64Encoded false).
// `authorizer` null: no authorizer ran, and requestContext has no `authorizer` key.
std::string proxy_event(const RequestFacts& request, const AuthorizerFacts* authorizer);

// A claim value as API Gateway hands it to Lambda: strings as is; integers in decimal; other
// numbers as JavaScript's String(n) writes them (shortest round-trip digits: 1.5, 0.1, 1e+21,
// 1e-7, and 100 for 100.0); booleans "true"/"false"; null "null"; arrays Go-style "[a b c]"
// with each element stringified the same way (`[1 [x y] {"k":1}]`); objects as compact JSON
// text with numbers written the same way. AWS's own form for nested objects is unobserved (§8.4
// [?]); JSON text is what a function can parse back.
std::string stringify_claim(const boost::json::value& value);

}  // namespace gatehouse::functions::events
