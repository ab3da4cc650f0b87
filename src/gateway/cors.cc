#include "gateway/cors.h"

#include <algorithm>
#include <utility>

#include "core/text.h"

namespace gatehouse::gateway {
namespace {

namespace bhttp = boost::beast::http;

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) {
    if (!out.empty()) out += ", ";
    out += i;
  }
  return out;
}

bool listed(const std::vector<std::string>& items, std::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

bool is_access_control(std::string_view name) {
  static constexpr std::string_view kPrefix = "access-control-";
  return name.size() > kPrefix.size() &&
         core::ascii_iequals(name.substr(0, kPrefix.size()), kPrefix);
}

}  // namespace

CorsPolicy::CorsPolicy(config::Cors config) : config_(std::move(config)) {
  any_origin_ = listed(config_.allow_origins, "*");
  any_method_ = listed(config_.allow_methods, "*");
  any_header_ = listed(config_.allow_headers, "*");
  if (!any_method_) methods_ = joined(config_.allow_methods);
  if (!any_header_) headers_ = joined(config_.allow_headers);
  expose_ = joined(config_.expose_headers);
}

bool CorsPolicy::is_preflight(const bhttp::request<bhttp::string_body>& req) {
  return req.method() == bhttp::verb::options && req.find(bhttp::field::origin) != req.end() &&
         req.find(bhttp::field::access_control_request_method) != req.end();
}

std::string_view CorsPolicy::allowed_origin(std::string_view origin) const {
  if (origin.empty()) return {};
  if (any_origin_) return "*";
  if (!core::is_web_origin(origin)) return {};  // anything else is never echoed back
  for (const std::string& allowed : config_.allow_origins) {
    // "https://*" and "http://*": any origin of the scheme.
    if (allowed.ends_with("://*")) {
      if (origin.starts_with(std::string_view(allowed).substr(0, allowed.size() - 1))) {
        return origin;
      }
    } else if (core::ascii_iequals(allowed, origin)) {
      return origin;
    }
  }
  return {};
}

void CorsPolicy::add_origin_headers(std::string_view allowed, http::Response& res) const {
  res.set(bhttp::field::access_control_allow_origin, allowed);
  if (allowed != "*") res.insert(bhttp::field::vary, "Origin");
  if (config_.allow_credentials) res.set(bhttp::field::access_control_allow_credentials, "true");
}

http::Response CorsPolicy::preflight(const bhttp::request<bhttp::string_body>& req) const {
  http::Response res{bhttp::status::no_content, 11};
  const std::string_view allowed = allowed_origin(req[bhttp::field::origin]);
  if (allowed.empty()) return res;
  add_origin_headers(allowed, res);
  if (any_method_) {
    res.set(bhttp::field::access_control_allow_methods,
            req[bhttp::field::access_control_request_method]);
  } else if (!methods_.empty()) {
    res.set(bhttp::field::access_control_allow_methods, methods_);
  }
  std::string_view requested = req[bhttp::field::access_control_request_headers];
  if (any_header_) {
    if (!requested.empty()) res.set(bhttp::field::access_control_allow_headers, requested);
  } else if (!headers_.empty()) {
    res.set(bhttp::field::access_control_allow_headers, headers_);
  }
  if (config_.max_age_s) {
    res.set(bhttp::field::access_control_max_age, std::to_string(*config_.max_age_s));
  }
  return res;
}

void CorsPolicy::apply(const bhttp::request<bhttp::string_body>& req, http::Response& res,
                       http::WireFields& passed) const {
  for (auto it = res.begin(); it != res.end();) {
    if (is_access_control(it->name_string())) {
      it = res.erase(it);
    } else {
      ++it;
    }
  }
  if (!passed.empty()) {
    passed.erase_if([](size_t, std::string_view name) { return is_access_control(name); });
  }
  const std::string_view allowed = allowed_origin(req[bhttp::field::origin]);
  if (allowed.empty()) return;
  add_origin_headers(allowed, res);
  if (!expose_.empty()) res.set(bhttp::field::access_control_expose_headers, expose_);
}

}  // namespace gatehouse::gateway
