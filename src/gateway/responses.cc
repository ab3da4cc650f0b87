#include "gateway/responses.h"

#include <cctype>

#include <boost/json/serialize.hpp>

#include "core/context_vars.h"
#include "core/json_text.h"

namespace gatehouse::gateway {
namespace {

struct Default {
  ResponseType type;
  unsigned status;
  const char* message;          // nullptr: $context.error.message is null
  std::string_view error_type;  // x-amzn-ErrorType
  // The exact default body when it is not `{"message":<messageString>}` (capital-M Message,
  // or the integration path's "key": "value" spacing).
  const char* body_key;  // "message" or "Message"
  bool spaced;           // `{"message": "..."}` with a space after the colon
};

// docs/aws-compatibility.md §5.1 (types, statuses) and §5.2 (observed wire bodies).
constexpr Default kDefaults[kResponseTypeCount] = {
    {ResponseType::kAccessDenied, 403, "User is not authorized to access this resource",
     "AccessDeniedException", "Message", false},
    {ResponseType::kApiConfigurationError, 500, "Internal server error",
     "InternalServerErrorException", "message", true},
    {ResponseType::kAuthorizerConfigurationError, 500, nullptr, "AuthorizerConfigurationException",
     "message", false},
    {ResponseType::kAuthorizerFailure, 500, nullptr, "AuthorizerConfigurationException", "message",
     false},
    {ResponseType::kBadRequestBody, 400, "Invalid request body", "BadRequestException", "message",
     false},
    {ResponseType::kBadRequestParameters, 400, "Missing required request parameters",
     "BadRequestException", "message", false},
    {ResponseType::kDefault4xx, 400, "Bad Request", "BadRequestException", "message", false},
    {ResponseType::kDefault5xx, 500, "Internal server error", "InternalServerErrorException",
     "message", false},
    {ResponseType::kExpiredToken, 403, "The security token included in the request is expired",
     "ExpiredTokenException", "message", false},
    {ResponseType::kIntegrationFailure, 504, "Internal server error",
     "InternalServerErrorException", "message", true},
    {ResponseType::kIntegrationTimeout, 504, "Endpoint request timed out",
     "InternalServerErrorException", "message", true},
    {ResponseType::kInvalidApiKey, 403, "Forbidden", "ForbiddenException", "message", false},
    {ResponseType::kInvalidSignature, 403, "Invalid signature", "InvalidSignatureException",
     "message", false},
    {ResponseType::kMissingAuthenticationToken, 403, "Missing Authentication Token",
     "MissingAuthenticationTokenException", "message", false},
    {ResponseType::kQuotaExceeded, 429, "Limit Exceeded", "LimitExceededException", "message",
     false},
    {ResponseType::kRequestTooLarge, 413, "Request Too Long", "RequestTooLongException", "message",
     false},
    {ResponseType::kResourceNotFound, 404, "Not Found", "NotFoundException", "message", false},
    {ResponseType::kThrottled, 429, "Too Many Requests", "TooManyRequestsException", "message",
     false},
    {ResponseType::kUnauthorized, 401, "Unauthorized", "UnauthorizedException", "message", false},
    {ResponseType::kUnsupportedMediaType, 415, "Unsupported Media Type",
     "UnsupportedMediaTypeException", "message", false},
    {ResponseType::kWafFiltered, 403, "Forbidden", "ForbiddenException", "message", false},
};

const Default& defaults_of(ResponseType t) {
  return kDefaults[static_cast<size_t>(t)];
}

void append_message_string(std::string& out, const std::optional<std::string>& message) {
  if (message) {
    core::append_json_string(out, *message);
  } else {
    out += "null";
  }
}

}  // namespace

GatewayResponses::GatewayResponses(std::map<ResponseType, ResponseOverride> overrides) {
  for (auto& [type, o] : overrides) {
    if (o.body_template) has_templates_ = true;
    overrides_[static_cast<size_t>(type)] = std::move(o);
  }
}

namespace {

// The value of $context.<name>; unknown variables render empty, as API Gateway's templates do.
void append_context_var(std::string& out, std::string_view name, const ResponseContext& ctx,
                        std::string_view response_type,
                        const std::optional<std::string>& error_message) {
  auto var = core::find_context_var(name, core::kTemplate);
  if (!var) return;
  // What the proxy event carries under requestContext.<name>, when a route matched.
  if (ctx.facts) {
    if (auto value = functions::events::request_context_value(*ctx.facts, name)) {
      out += *value;
      return;
    }
  }
  using core::ContextVar;
  switch (*var) {
    case ContextVar::kErrorMessageString:
      return append_message_string(out, error_message);
    case ContextVar::kErrorMessage:
      if (error_message) out += *error_message;
      return;
    case ContextVar::kErrorResponseType:
      out += response_type;
      return;
    case ContextVar::kRequestId:
      out += ctx.request_id;
      return;
    case ContextVar::kExtendedRequestId:
      out += ctx.extended_request_id;
      return;
    case ContextVar::kHttpMethod:
      out += ctx.http_method;
      return;
    case ContextVar::kPath:
    case ContextVar::kResourcePath:
      out += ctx.path;
      return;
    case ContextVar::kStage:
      out += ctx.stage;
      return;
    case ContextVar::kAuthorizerPrincipalId:
      out += ctx.principal_id;
      return;
    case ContextVar::kAuthorizerClaims:
      out += ctx.claims ? boost::json::serialize(*ctx.claims) : std::string("{}");
      return;
    case ContextVar::kAuthorizerClaim: {
      // Claim values as API Gateway hands them to templates: strings verbatim, others as JSON.
      if (!ctx.claims) return;
      auto* v = ctx.claims->if_contains(name.substr(std::string_view("authorizer.claims.").size()));
      if (v == nullptr) return;
      if (v->is_string()) {
        out += v->get_string();
      } else {
        out += boost::json::serialize(*v);
      }
      return;
    }
    case ContextVar::kAuthorizerContext: {
      if (!ctx.authorizer_context) return;
      std::string_view key = name.substr(std::string_view("authorizer.").size());
      for (const auto& [k, v] : *ctx.authorizer_context) {
        if (k == key) {
          out += v;
          return;
        }
      }
      return;
    }
    case ContextVar::kResourceId:
    case ContextVar::kApiId:
    case ContextVar::kAccountId:
    case ContextVar::kDomainName:
    case ContextVar::kDomainPrefix:
    case ContextVar::kProtocol:
    case ContextVar::kIdentitySourceIp:
    case ContextVar::kIdentityUserAgent:
    case ContextVar::kClientCertPem:
    case ContextVar::kClientCertSubjectDn:
    case ContextVar::kClientCertIssuerDn:
    case ContextVar::kClientCertSerialNumber:
    case ContextVar::kClientCertNotBefore:
    case ContextVar::kClientCertNotAfter:
      return;  // only known from the request's facts (a route matched)
  }
}

}  // namespace

std::string context_value(std::string_view name, const ResponseContext& ctx) {
  std::string out;
  append_context_var(out, name, ctx, "", std::nullopt);
  return out;
}

std::string render_template(std::string_view tmpl, const ResponseContext& ctx,
                            std::string_view response_type,
                            const std::optional<std::string>& error_message) {
  std::string out;
  out.reserve(tmpl.size() + 64);
  size_t i = 0;
  for (const core::ContextReference& ref : core::context_references(tmpl)) {
    out.append(tmpl.substr(i, ref.at - i));
    append_context_var(out, ref.name, ctx, response_type, error_message);
    i = ref.end;
  }
  out.append(tmpl.substr(i));
  return out;
}

http::Response GatewayResponses::render(ResponseType type, const ResponseContext& ctx,
                                        const ErrorDetail& detail) const {
  const Default& d = defaults_of(type);
  unsigned default_status = detail.status.value_or(d.status);
  const auto& own = overrides_[static_cast<size_t>(type)];
  const auto& fallback = overrides_[static_cast<size_t>(
      default_status >= 500 ? ResponseType::kDefault5xx : ResponseType::kDefault4xx)];

  unsigned status = default_status;
  if (own && own->status) {
    status = *own->status;
  } else if (fallback && fallback->status && !detail.status) {
    status = *fallback->status;
  }

  std::optional<std::string> message = detail.message;
  if (!message && d.message) message = d.message;

  http::Response res{static_cast<http::bhttp::status>(status), 11};
  res.set("x-amzn-RequestId", ctx.request_id);
  res.set("x-amzn-ErrorType", d.error_type);
  if (!ctx.extended_request_id.empty()) res.set("x-amz-apigw-id", ctx.extended_request_id);
  res.set(http::bhttp::field::content_type, "application/json");

  const std::string* body_template = nullptr;
  if (own && own->body_template) {
    body_template = &*own->body_template;
  } else if (fallback && fallback->body_template) {
    body_template = &*fallback->body_template;
  }
  if (body_template) {
    res.body() = render_template(*body_template, ctx, core::to_string(type), message);
  } else {
    std::string body = "{\"";
    body += d.body_key;
    body += d.spaced ? "\": " : "\":";
    append_message_string(body, message);
    body += '}';
    res.body() = std::move(body);
  }
  // Owner headers last, so they may replace ours (e.g. a CORS header on DEFAULT_4XX).
  if (fallback && &fallback != &own) {
    for (auto& [k, v] : fallback->headers)
      res.set(k, v);
  }
  if (own) {
    for (auto& [k, v] : own->headers)
      res.set(k, v);
  }
  return res;
}

}  // namespace gatehouse::gateway
