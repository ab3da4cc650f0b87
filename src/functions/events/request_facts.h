// What API Gateway's events say about one request (RequestFacts), and how a name is read from
// it: which header, query-string parameter or requestContext value an event carries for a name.
// The event builders (events.h) write their maps with these functions, and an authorizer's
// identity is read with the very same ones (auth/stage), so what a decision is cached under is
// always what the authorizer was shown.
//
// Reading rules (docs/aws-compatibility.md §1):
//   headers  names compare case-insensitively (ASCII); Content-Length and Connection are not
//            passed on, so an event never carries them; a repeated header appears in the
//            single-value map with its last value and in the multi-value map with every value.
//   query    split on '&', then at the first '='; names and values decoded (a '+' is a space,
//            %XX a byte, a '%' without two hex digits is kept as it is); a piece without '=' has
//            the empty value; empty pieces and pieces with an empty decoded name are skipped.
//            Names compare after decoding: `%74oken=x` is the parameter `token`. A repeated
//            parameter is in the single-value map with its last value.
//   context  request_context_value(path): requestContext.<path> of the events, for the paths
//            an identity source may name.
//
// Thread safety: pure functions over values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/tls_facts.h"
#include "router/router.h"

namespace gatehouse::functions::events {

using NameValue = std::pair<std::string_view, std::string_view>;

// Everything an event says about one request. Views must stay valid while the facts are used.
struct RequestFacts {
  std::string_view method;     // "GET"
  std::string_view raw_path;   // as received, percent-encoded, no query ("/resource/42")
  std::string_view raw_query;  // after '?', without it; empty if none
  std::string_view resource;   // the route's template ("/resource/{id}")
  // The match's parameters; pathParameters holds their `raw` values. Null or empty: null.
  const router::PathParams* path_params = nullptr;
  std::vector<NameValue> headers;          // in arrival order, names as the client cased them
  std::string_view body;                   // raw bytes
  bool body_is_binary = false;             // true: body goes base64 with isBase64Encoded true
  std::string_view method_arn;             // for authorizer events
  std::vector<NameValue> stage_variables;  // empty: stageVariables is null
  // requestContext facts:
  std::string_view stage;       // "prod"
  std::string_view account_id;  // "123456789012"
  std::string_view api_id;      // "gatehouse": also apiId and domainPrefix
  // The Host header, or "<api_id>.execute-api.<region>.amazonaws.com".
  std::string_view domain_name;
  std::string_view request_id;           // x-amzn-RequestId
  std::string_view extended_request_id;  // x-amz-apigw-id
  std::string_view resource_id;          // a stable id for the route (6 chars, like API Gateway's)
  std::string_view source_ip;
  std::string_view user_agent;  // the User-Agent header or empty (null in the event)
  std::string_view protocol = "HTTP/1.1";
  int64_t request_time_epoch_ms = 0;  // wall-clock time the request arrived
  // The connection's TLS facts; null on plain HTTP. With mutual TLS, identity.clientCert.
  const core::TlsFacts* tls = nullptr;
};

// ASCII case-insensitive equality, as header names compare.
bool header_name_equals(std::string_view a, std::string_view b);
// False for the headers events never carry (Content-Length, Connection).
bool is_passed_on(std::string_view header_name);

// How often a name occurs and its last value: what the single-value map holds for it. `last`
// views into the facts' headers.
struct HeaderValues {
  size_t count = 0;
  std::string_view last;
};
// Header `name` as the events carry it; count 0 when absent or not passed on.
HeaderValues find_header(const std::vector<NameValue>& headers, std::string_view name);

// One query-string parameter: its decoded name and every decoded value, in arrival order.
struct QueryParam {
  std::string name;
  std::vector<std::string> values;
};
// Every parameter of `raw_query`, grouped by decoded name in order of first occurrence.
std::vector<QueryParam> parse_query(std::string_view raw_query);

struct QueryValues {
  size_t count = 0;
  std::string last;  // decoded
};
// Parameter `name` (compared with the decoded names) as the events carry it.
QueryValues find_query_param(std::string_view raw_query, std::string_view name);

// requestContext.path: "/{stage}{raw path}".
std::string context_path(const RequestFacts& request);
// The value the events carry at requestContext.<path> for the paths an identity source may name
// (context.<path>; core/context_vars.h lists them). An empty string where the event has null
// (identity.userAgent without a User-Agent). nullopt for any other path.
std::optional<std::string> request_context_value(const RequestFacts& request,
                                                 std::string_view path);

}  // namespace gatehouse::functions::events
