// CORS as API Gateway's HTTP APIs do it (config::Cors, api.cors): a browser's preflight
// (OPTIONS with Origin and Access-Control-Request-Method) is answered here, before routing and
// authorization, 204 with the configured Access-Control-Allow-* headers; every other answer to a
// request from an allowed origin gets Access-Control-Allow-Origin (and -Credentials,
// -Expose-Headers), whoever made it: an integration, the authorizer's 401 or 403, a 5xx. The
// Access-Control-* headers an integration sets are dropped, as API Gateway ignores them: the
// policy is the configuration's alone.
//
// An origin not allowed gets no CORS header at all (its preflight a bare 204): the browser then
// refuses the call. Where the answer names the origin rather than "*", it carries Vary: Origin,
// so a shared cache does not hand one origin's answer to another.
//
// Usage:
//   CorsPolicy cors(config.api.cors.value());
//   if (CorsPolicy::is_preflight(req.msg)) return respond(cors.preflight(req.msg));
//   cors.apply(req.msg, res, passed);  // on every other answer
//
// Thread safety: const after construction.
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"
#include "http/message.h"

namespace gatehouse::gateway {

class CorsPolicy {
 public:
  explicit CorsPolicy(config::Cors config);

  // OPTIONS with Origin and Access-Control-Request-Method: a browser asking before the call.
  static bool is_preflight(const boost::beast::http::request<boost::beast::http::string_body>& req);

  // The answer to a preflight: 204, with the Access-Control-Allow-* headers when its origin is
  // allowed.
  http::Response preflight(
      const boost::beast::http::request<boost::beast::http::string_body>& req) const;

  // Drops the Access-Control-* headers of `res` and `passed` (an integration's), then adds the
  // policy's when `req` comes from an allowed origin.
  void apply(const boost::beast::http::request<boost::beast::http::string_body>& req,
             http::Response& res, http::WireFields& passed) const;

  // The Access-Control-Allow-Origin value for `origin`: "*", the origin itself, or empty when
  // it is not allowed (or empty).
  std::string_view allowed_origin(std::string_view origin) const;

 private:
  // Access-Control-Allow-Origin (`allowed`: what allowed_origin() said, not empty),
  // -Credentials, and Vary when the origin is echoed.
  void add_origin_headers(std::string_view allowed, http::Response& res) const;

  config::Cors config_;
  bool any_origin_ = false;  // "*" listed
  std::string methods_;      // joined, ", "; empty when "*" (the request's is echoed)
  std::string headers_;      // likewise
  bool any_method_ = false;
  bool any_header_ = false;
  std::string expose_;  // joined
};

}  // namespace gatehouse::gateway
