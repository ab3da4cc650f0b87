#include "gateway/http_proxy.h"

#include <boost/container/small_vector.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <iterator>
#include <optional>
#include <string_view>

#include "core/text.h"
#include "router/method_arn.h"

namespace gatehouse::gateway {
namespace {

namespace bhttp = boost::beast::http;
using Target = ProxyMapping::Target;
using Source = ProxyMapping::Source;

// Every byte but the unreserved ones percent-encoded: safe in a path segment and a query part.
std::string encoded(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

// The client's query parameter `name` (decoded names compared), its last value decoded.
std::optional<std::string> client_query_value(std::string_view raw_query, std::string_view name) {
  std::optional<std::string> found;
  size_t i = 0;
  while (i <= raw_query.size()) {
    size_t amp = raw_query.find('&', i);
    if (amp == std::string_view::npos) amp = raw_query.size();
    std::string_view part = raw_query.substr(i, amp - i);
    size_t eq = part.find('=');
    std::string_view raw_name = part.substr(0, eq);
    if (!part.empty() && core::percent_decode_lenient(raw_name, {true}) == name) {
      found = eq == std::string_view::npos
                  ? std::string()
                  : core::percent_decode_lenient(part.substr(eq + 1), {true});
    }
    i = amp + 1;
  }
  return found;
}

// The value a mapping's source has for this request, or nullopt (then it sets nothing).
std::optional<std::string> source_value(const ProxyMapping& m, const ProxyRequestInputs& in) {
  switch (m.source) {
    case Source::kStatic:
      return m.value;
    case Source::kHeader: {
      std::optional<std::string> last;
      for (const auto& field : in.request.msg) {
        if (core::ascii_iequals(field.name_string(), m.value)) last = std::string(field.value());
      }
      return last;
    }
    case Source::kQueryString:
      return client_query_value(in.request.query, m.value);
    case Source::kPath: {
      const router::PathParam* p = in.params.find(m.value);
      if (p == nullptr) return std::nullopt;
      return p->value;
    }
    case Source::kContext: {
      std::string v = in.context(m.value);
      if (v.empty()) return std::nullopt;
      return v;
    }
    case Source::kStageVariable:
      for (const auto& [name, value] : in.stage_variables) {
        if (name == m.value) return value;
      }
      return std::nullopt;
  }
  return std::nullopt;
}

// The target with its {placeholders} filled: a path mapping's value (encoded), else the route's
// parameter as received (still percent-encoded, slashes of a greedy value included).
std::string fill_target(const ProxyRoute& route, const ProxyRequestInputs& in) {
  std::string out;
  std::string_view t = route.target;
  size_t i = 0;
  for (size_t open; (open = t.find('{', i)) != std::string_view::npos;) {
    size_t close = t.find('}', open);
    out.append(t.substr(i, open - i));
    std::string_view name = t.substr(open + 1, close - open - 1);
    bool mapped = false;
    for (const ProxyMapping& m : route.mappings) {
      if (m.target != Target::kPath || m.name != name) continue;
      mapped = true;
      if (auto v = source_value(m, in)) out += encoded(*v);
    }
    if (!mapped) {
      if (const router::PathParam* p = in.params.find(name)) out.append(p->raw);
    }
    i = close + 1;
  }
  out.append(t.substr(i));
  return out;
}

}  // namespace

bool has_encoded_separator(const ProxyRoute& route, const router::PathParams& params) {
  std::string_view t = route.target;
  for (size_t open; (open = t.find('{')) != std::string_view::npos;) {
    size_t close = t.find('}', open);
    std::string_view name = t.substr(open + 1, close - open - 1);
    t.remove_prefix(close + 1);
    bool mapped = std::any_of(route.mappings.begin(), route.mappings.end(), [&](const auto& m) {
      return m.target == Target::kPath && m.name == name;
    });
    const router::PathParam* p = mapped ? nullptr : params.find(name);
    if (p != nullptr && router::holds_encoded_separator(p->raw)) return true;
  }
  return false;
}

core::Result<http::OriginRequest> upstream_request(const ProxyRoute& route,
                                                   const ProxyRequestInputs& in) {
  http::OriginRequest out;
  out.method = std::string(in.request.msg.method_string());
  // Only what cannot have changed anything may be sent twice.
  out.resend_if_unanswered = out.method == "GET" || out.method == "HEAD" ||
                             out.method == "OPTIONS" || out.method == "PUT" ||
                             out.method == "DELETE";
  out.target = fill_target(route, in);

  // The query: the endpoint's own, then the client's, less what the mappings set.
  std::string query;
  if (size_t q = out.target.find('?'); q != std::string::npos) {
    query = out.target.substr(q + 1);
    out.target.resize(q);
  }
  std::string_view client = in.request.query;
  const bool maps_query =
      std::any_of(route.mappings.begin(), route.mappings.end(),
                  [](const auto& m) { return m.target == Target::kQueryString; });
  size_t i = 0;
  while (i <= client.size() && !client.empty()) {
    size_t amp = client.find('&', i);
    if (amp == std::string_view::npos) amp = client.size();
    std::string_view part = client.substr(i, amp - i);
    // Names are decoded only to compare them with a query mapping's (most routes have none).
    bool replaced = false;
    if (maps_query) {
      std::string name = core::percent_decode_lenient(part.substr(0, part.find('=')), {true});
      replaced = std::any_of(route.mappings.begin(), route.mappings.end(), [&](const auto& m) {
        return m.target == Target::kQueryString && m.name == name;
      });
    }
    if (!part.empty() && !replaced) {
      if (!query.empty()) query += '&';
      query.append(part);
    }
    i = amp + 1;
  }
  for (const ProxyMapping& m : route.mappings) {
    if (m.target != Target::kQueryString) continue;
    auto v = source_value(m, in);
    if (!v) continue;
    if (!query.empty()) query += '&';
    query += encoded(m.name) + "=" + encoded(*v);
  }
  if (!query.empty()) out.target += "?" + query;

  // Headers: the client's as HTTP_PROXY passes them, less what the mappings set, then theirs.
  boost::container::small_vector<std::string_view, 8> replaced;
  for (const ProxyMapping& m : route.mappings) {
    if (m.target == Target::kHeader) replaced.push_back(m.name);
  }
  proxy::upstream_request_headers(in.request.msg, in.connection, replaced, out.wire_headers);
  for (const ProxyMapping& m : route.mappings) {
    if (m.target != Target::kHeader) continue;
    auto v = source_value(m, in);
    if (!v) continue;
    // A field value is visible characters, spaces and tabs (RFC 9110 §5.5).
    bool clean = std::none_of(v->begin(), v->end(), [](char ch) {
      auto u = static_cast<unsigned char>(ch);
      return (u < 0x20 && u != '\t') || u == 0x7f;
    });
    if (!clean) {
      return core::invalid_argument("the value mapped to header " + m.name +
                                    " holds a control character (a line break?)");
    }
    out.wire_headers.add({}, m.name, *v);
  }
  out.body = in.request.msg.body();
  out.head_rule = &proxy::kResponseHeadRule;
  return out;
}

http::Response client_response(http::OriginStream& upstream) {
  // The fields were judged as they were parsed (proxy::kResponseHeadRule) and pass in wire form
  // (upstream.passed): the response holds the status and the body's first bytes.
  http::Response res(std::move(upstream.head));
  res.version(11);
  res.body() = std::move(upstream.first);
  return res;
}

}  // namespace gatehouse::gateway
