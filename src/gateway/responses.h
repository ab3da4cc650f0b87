// API Gateway's gateway responses: the answers the gateway itself gives (401, 403, 413, 500, ...)
// with AWS's default status, body and headers, each overridable by the API's owner. This is the
// only place where domain errors become HTTP responses.
//
// Defaults are byte-exact with what REST APIs send (docs/aws-compatibility.md §5.2, our choices in
// §13): e.g. UNAUTHORIZED is 401 `{"message":"Unauthorized"}` with `x-amzn-ErrorType:
// UnauthorizedException`; ACCESS_DENIED keeps AWS's capital-M `{"Message":...}` body.
//
// Overrides follow API Gateway: a type's own setting wins, then DEFAULT_4XX / DEFAULT_5XX
// (whichever class the type's default status is in), then the built-in default, field by field
// (status, headers, body template). Templates substitute the variables core/context_vars.h marks
// kTemplate: `$context.error.message`, `$context.error.messageString` (the message as a JSON
// string, or null), `$context.authorizer.claims` (the whole claims object as JSON),
// `$context.authorizer.claims.<name>`, the request's ids, method, path and stage; others render
// empty.
//
// Thread safety: immutable after construction; render() from any thread.
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/gateway_response_types.h"
#include "functions/events/request_facts.h"
#include "http/message.h"

namespace gatehouse::gateway {

// core/gateway_response_types.h: the types with their names (core::to_string).
using ResponseType = core::GatewayResponseType;
inline constexpr size_t kResponseTypeCount = core::kGatewayResponseTypes.size();

// One owner override (config's gateway_responses entry).
struct ResponseOverride {
  std::optional<unsigned> status;
  std::vector<std::pair<std::string, std::string>> headers;  // added to the response
  std::optional<std::string> body_template;
};

// What a particular error instance says; defaults come from the type.
struct ErrorDetail {
  // The $context.error.message. nullopt = the type's default message.
  std::optional<std::string> message;
  // Overrides the status (e.g. 400/414/431 for protocol errors answered through DEFAULT_4XX).
  std::optional<unsigned> status;
};

// Request facts a template may reference.
struct ResponseContext {
  std::string_view request_id{};
  std::string_view extended_request_id{};
  std::string_view http_method{};
  std::string_view path{};
  std::string_view stage{};
  std::string_view principal_id{};
  const boost::json::object* claims = nullptr;  // the JWT's claims, when an authorizer ran
  // A Lambda authorizer's context ($context.authorizer.<key>), when one ran.
  const std::vector<std::pair<std::string, std::string>>* authorizer_context = nullptr;
  // When a route matched: the facts the proxy event is built from, so a template renders the
  // values the event carries ($context.path with the stage, resourcePath as the route's template,
  // identity.sourceIp, ...). Without them, the fields above.
  const functions::events::RequestFacts* facts = nullptr;
};

class GatewayResponses {
 public:
  GatewayResponses() = default;
  explicit GatewayResponses(std::map<ResponseType, ResponseOverride> overrides);

  // The full response for `type`, with x-amzn-RequestId, x-amzn-ErrorType and content-type set.
  http::Response render(ResponseType type, const ResponseContext& ctx,
                        const ErrorDetail& detail = {}) const;
  // Whether any response has a body template (an override): only then may render() read
  // ResponseContext::facts.
  bool has_templates() const { return has_templates_; }

 private:
  std::array<std::optional<ResponseOverride>, kResponseTypeCount> overrides_;
  bool has_templates_ = false;
};

// The value of $context.<name> for a request (as templates render it; empty when it has none):
// what an http_proxy mapping's context.<name> source sends.
std::string context_value(std::string_view name, const ResponseContext& ctx);

// Substitutes $context.* variables in `tmpl` (used by gateway responses and mock integrations).
// `error_message` is nullopt when there is no error (messageString renders as null).
std::string render_template(std::string_view tmpl, const ResponseContext& ctx,
                            std::string_view response_type,
                            const std::optional<std::string>& error_message);

}  // namespace gatehouse::gateway
