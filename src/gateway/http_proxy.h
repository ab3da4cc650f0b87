// The http_proxy integration's two translations: the upstream request from the client's (API
// Gateway's HTTP_PROXY: the endpoint's target with the route's path parameters as received, the
// client's query string, its headers as proxy/headers.h passes them, the route's request
// parameter mappings), and the client's response from the upstream's (status and body as they
// are, headers passed, remapped or dropped).
//
// A mapped header or query parameter replaces any the client sent under that name (header names
// compare case-insensitively, query names after decoding): a client cannot add a value beside
// the one the authorizer decided. A mapping whose source has no value (a header the client did
// not send, an authorizer context key the decision lacks) sets nothing, as API Gateway skips it;
// the client's value of that name is still removed.
//
// Thread safety: pure functions.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/message.h"
#include "http/origin_client.h"
#include "proxy/headers.h"
#include "proxy/targets.h"
#include "router/router.h"

namespace gatehouse::gateway {

// One request parameter mapping (config's ParameterMapping, without its position).
struct ProxyMapping {
  enum class Target { kHeader, kQueryString, kPath };
  enum class Source { kStatic, kHeader, kQueryString, kPath, kContext, kStageVariable };
  Target target = Target::kHeader;
  std::string name;
  Source source = Source::kStatic;
  std::string value;  // kStatic: the text; else the source's name
};

struct ProxyRoute {
  std::shared_ptr<proxy::Targets> targets;  // the origins, taken in turn
  std::string target;                       // "/path?query" with {placeholders}
  std::vector<ProxyMapping> mappings;
  std::chrono::milliseconds timeout{29'000};
  bool needs_context = false;  // a mapping's source is context.*: the request's facts are built
};

// What a request brings to the translation.
struct ProxyRequestInputs {
  const http::Request& request;
  const router::PathParams& params;
  // The value of context.<name> (e.g. "authorizer.principalId") for this request; empty when it
  // has none. Called only when the route has a context.* mapping (ProxyRoute::needs_context).
  std::function<std::string(std::string_view name)> context;
  const std::vector<std::pair<std::string, std::string>>& stage_variables;
  proxy::ClientConnection connection;
};

// Whether a path parameter the target sends as received holds an encoded separator (%2F, %5C) or
// a backslash: a service that decodes its path before resolving it would read "..%2F" as a step
// out of the prefix the uri gives it (/base/{proxy} reaching /secret). Such requests are refused
// (400) before anything is sent, as routes with an authorizer refuse them for the method ARN.
bool has_encoded_separator(const ProxyRoute& route, const router::PathParams& params);

// The upstream request. kInvalidArgument when a mapped header's value holds a line break or
// another control character (a JWT claim or an authorizer's context value can hold anything):
// sent, it would add headers of its own to the service's request, so nothing is sent.
core::Result<http::OriginRequest> upstream_request(const ProxyRoute& route,
                                                   const ProxyRequestInputs& in);

// The client's response: the upstream's status and the body's first bytes (the rest streams
// after). Its headers are upstream.passed, as the request's head rule passed them
// (upstream_request sets proxy::kResponseHeadRule, proxy/headers.h's rules).
http::Response client_response(http::OriginStream& upstream);

}  // namespace gatehouse::gateway
