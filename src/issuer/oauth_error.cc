#include "issuer/oauth_error.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace gatehouse::issuer {

std::string_view to_string(OAuthErrorCode code) {
  switch (code) {
    case OAuthErrorCode::kInvalidRequest:
      return "invalid_request";
    case OAuthErrorCode::kInvalidClient:
      return "invalid_client";
    case OAuthErrorCode::kUnauthorizedClient:
      return "unauthorized_client";
    case OAuthErrorCode::kUnsupportedGrantType:
      return "unsupported_grant_type";
    case OAuthErrorCode::kInvalidScope:
      return "invalid_scope";
    case OAuthErrorCode::kAccessDenied:
      return "access_denied";
    case OAuthErrorCode::kTooManyRequests:
      return "too_many_requests";
    case OAuthErrorCode::kTemporarilyUnavailable:
      return "temporarily_unavailable";
  }
  return "server_error";
}

unsigned http_status(OAuthErrorCode code) {
  switch (code) {
    case OAuthErrorCode::kInvalidClient:
      return 401;
    case OAuthErrorCode::kAccessDenied:
      return 403;
    case OAuthErrorCode::kTooManyRequests:
      return 429;
    case OAuthErrorCode::kTemporarilyUnavailable:
      return 503;
    case OAuthErrorCode::kInvalidRequest:
    case OAuthErrorCode::kUnauthorizedClient:
    case OAuthErrorCode::kUnsupportedGrantType:
    case OAuthErrorCode::kInvalidScope:
      return 400;
  }
  return 500;
}

void add_no_store_headers(HttpReply& reply) {
  reply.headers.emplace_back("Content-Type", "application/json");
  reply.headers.emplace_back("Cache-Control", "no-store");
  reply.headers.emplace_back("Pragma", "no-cache");
}

HttpReply error_reply(const OAuthError& error) {
  HttpReply reply;
  reply.status = http_status(error.code);
  add_no_store_headers(reply);
  if (error.code == OAuthErrorCode::kInvalidClient && error.basic_auth) {
    reply.headers.emplace_back("WWW-Authenticate", "Basic realm=\"gatehouse\"");
  }
  if (error.retry_after_s > 0) {
    reply.headers.emplace_back("Retry-After", std::to_string(error.retry_after_s));
  }
  reply.body = boost::json::serialize(boost::json::object{
      {"error", to_string(error.code)}, {"error_description", error.description}});
  return reply;
}

HttpReply method_not_allowed(std::string_view method, std::string_view path,
                             std::string_view allowed) {
  HttpReply reply;
  reply.status = 405;
  add_no_store_headers(reply);
  reply.headers.emplace_back("Allow", std::string(allowed));
  reply.body = boost::json::serialize(boost::json::object{
      {"error", "method_not_allowed"},
      {"error_description", "method " + std::string(method) + " is not allowed on " +
                                std::string(path) + "; use " + std::string(allowed)}});
  return reply;
}

}  // namespace gatehouse::issuer
