// API Gateway's gateway response types (docs/aws-compatibility.md §5.1) under the names API Gateway
// gives them, and which of them a config may override: one list for config (the keys of
// gateway_responses:) and the gateway (the defaults and the rendering of each type).
//
// Thread safety: constants and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace gatehouse::core {

enum class GatewayResponseType : uint8_t {
  kAccessDenied,
  kApiConfigurationError,
  kAuthorizerConfigurationError,
  kAuthorizerFailure,
  kBadRequestBody,
  kBadRequestParameters,
  kDefault4xx,
  kDefault5xx,
  kExpiredToken,
  kIntegrationFailure,
  kIntegrationTimeout,
  kInvalidApiKey,
  kInvalidSignature,
  kMissingAuthenticationToken,
  kQuotaExceeded,
  kRequestTooLarge,
  kResourceNotFound,
  kThrottled,
  kUnauthorized,
  kUnsupportedMediaType,
  kWafFiltered,
};

struct GatewayResponseTypeInfo {
  GatewayResponseType type;
  std::string_view name;
  // Whether gatehouse gives this answer, so that a config may override it (gateway_responses:).
  bool produced;
};

// In GatewayResponseType order, which is the names' alphabetical order.
inline constexpr std::array<GatewayResponseTypeInfo, 21> kGatewayResponseTypes = {{
    {GatewayResponseType::kAccessDenied, "ACCESS_DENIED", true},
    {GatewayResponseType::kApiConfigurationError, "API_CONFIGURATION_ERROR", true},
    {GatewayResponseType::kAuthorizerConfigurationError, "AUTHORIZER_CONFIGURATION_ERROR", true},
    {GatewayResponseType::kAuthorizerFailure, "AUTHORIZER_FAILURE", true},
    {GatewayResponseType::kBadRequestBody, "BAD_REQUEST_BODY", true},
    {GatewayResponseType::kBadRequestParameters, "BAD_REQUEST_PARAMETERS", true},
    {GatewayResponseType::kDefault4xx, "DEFAULT_4XX", true},
    {GatewayResponseType::kDefault5xx, "DEFAULT_5XX", true},
    {GatewayResponseType::kExpiredToken, "EXPIRED_TOKEN", true},
    {GatewayResponseType::kIntegrationFailure, "INTEGRATION_FAILURE", true},
    {GatewayResponseType::kIntegrationTimeout, "INTEGRATION_TIMEOUT", true},
    {GatewayResponseType::kInvalidApiKey, "INVALID_API_KEY", true},
    {GatewayResponseType::kInvalidSignature, "INVALID_SIGNATURE", false},
    {GatewayResponseType::kMissingAuthenticationToken, "MISSING_AUTHENTICATION_TOKEN", true},
    {GatewayResponseType::kQuotaExceeded, "QUOTA_EXCEEDED", true},
    {GatewayResponseType::kRequestTooLarge, "REQUEST_TOO_LARGE", true},
    {GatewayResponseType::kResourceNotFound, "RESOURCE_NOT_FOUND", true},
    {GatewayResponseType::kThrottled, "THROTTLED", true},
    {GatewayResponseType::kUnauthorized, "UNAUTHORIZED", true},
    {GatewayResponseType::kUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", true},
    {GatewayResponseType::kWafFiltered, "WAF_FILTERED", false},
}};

// "ACCESS_DENIED", ...
constexpr std::string_view to_string(GatewayResponseType type) {
  return kGatewayResponseTypes[static_cast<size_t>(type)].name;
}

// The type API Gateway names `name`, or nullopt.
constexpr std::optional<GatewayResponseType> gateway_response_type(std::string_view name) {
  for (const GatewayResponseTypeInfo& t : kGatewayResponseTypes) {
    if (t.name == name) return t.type;
  }
  return std::nullopt;
}

}  // namespace gatehouse::core
