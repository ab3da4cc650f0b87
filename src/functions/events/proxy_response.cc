#include "functions/events/proxy_response.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <cmath>
#include <optional>

#include "core/base64.h"
#include "core/json_text.h"
#include "functions/events/detail/header_map.h"
#include "functions/invoker.h"

namespace gatehouse::functions::events {
namespace {

namespace json = boost::json;
using detail::CaseInsensitiveMap;
using detail::iequals;
using detail::NamedValues;

template <class Integer>
void append_decimal(std::string& out, Integer v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// RFC 9110 §5.6.2 tchar.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_header_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

// No CR, LF, NUL or other control characters (tab is allowed): they would let a function split
// the response or add headers behind the gateway's back.
bool is_safe_header_value(std::string_view value) {
  for (char c : value) {
    auto u = static_cast<uint8_t>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) return false;
  }
  return true;
}

// A header value as API Gateway accepts it (string, number or boolean) as text, or nullopt.
std::optional<std::string> header_text(const json::value& v) {
  std::string out;
  switch (v.kind()) {
    case json::kind::string:
      out = v.get_string();
      break;
    case json::kind::int64:
      append_decimal(out, v.get_int64());
      break;
    case json::kind::uint64:
      append_decimal(out, v.get_uint64());
      break;
    case json::kind::double_:
      core::append_js_number(out, v.get_double());
      break;
    case json::kind::bool_:
      out = v.get_bool() ? "true" : "false";
      break;
    default:
      return std::nullopt;
  }
  if (!is_safe_header_value(out)) return std::nullopt;
  return out;
}

// statusCode as a number in 100..599, or nullopt.
std::optional<unsigned> status_code(const json::value& v) {
  int64_t code = 0;
  if (v.is_int64()) {
    code = v.get_int64();
  } else if (v.is_double()) {
    // JSON does not tell 200 from 200.0; a fraction is an error.
    double d = v.get_double();
    if (!(d >= 200 && d <= 599) || d != std::floor(d)) return std::nullopt;
    code = static_cast<int64_t>(d);
  } else if (v.is_string()) {
    // A string of decimal digits ("201"), as AWS accepts; no sign, spaces or fraction.
    std::string_view s = v.get_string();
    if (s.empty() || s.size() > 9) return std::nullopt;
    for (char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
    }
    std::from_chars(s.data(), s.data() + s.size(), code);
  } else {
    return std::nullopt;  // uint64 (too big), bool, array, object
  }
  // 1xx is informational, never a final answer: sent as one, the client would take the next
  // response on the connection for this request's.
  if (code < 200 || code > 599) return std::nullopt;
  return static_cast<unsigned>(code);
}

// A member that is absent or null counts as absent.
const json::value* member(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  return v == nullptr || v->is_null() ? nullptr : v;
}

// Standard base64, padded or not.
std::optional<std::string> decode_base64_body(std::string_view text) {
  size_t rest = text.size() % 4;
  if (rest == 0) return core::base64_decode(text);
  if (rest == 1) return std::nullopt;
  std::string padded;
  padded.reserve(text.size() + 4 - rest);
  padded.append(text);
  padded.append(4 - rest, '=');
  return core::base64_decode(padded);
}

bool is_remapped(std::string_view name) {
  return iequals(name, "Connection") || iequals(name, "Content-Length") || iequals(name, "Date") ||
         iequals(name, "Server");
}

}  // namespace

std::string_view to_string(ProxyResponseError error) {
  switch (error) {
    case ProxyResponseError::kTooLarge:
      return "too_large";
    case ProxyResponseError::kNotJson:
      return "not_json";
    case ProxyResponseError::kNotObject:
      return "not_object";
    case ProxyResponseError::kUnknownKey:
      return "unknown_key";
    case ProxyResponseError::kBadStatusCode:
      return "bad_status_code";
    case ProxyResponseError::kBadHeaders:
      return "bad_headers";
    case ProxyResponseError::kBadMultiValueHeaders:
      return "bad_multi_value_headers";
    case ProxyResponseError::kBadBody:
      return "bad_body";
    case ProxyResponseError::kBadBase64Flag:
      return "bad_base64_flag";
    case ProxyResponseError::kBadBase64Body:
      return "bad_base64_body";
    case ProxyResponseError::kHeadersTooLarge:
      return "response_headers_too_large";
  }
  return "unknown";
}

core::Result<ProxyResponse, ProxyResponseError> parse_proxy_response(std::string_view payload) {
  // Checked before parsing: Lambda refuses larger responses, and parsing them costs memory.
  if (payload.size() > kMaxResponseBytes) return ProxyResponseError::kTooLarge;

  json::parse_options options;
  options.max_depth = 64;
  json::monotonic_resource arena;
  boost::system::error_code ec;
  json::value root = json::parse(payload, ec, &arena, options);
  if (ec) return ProxyResponseError::kNotJson;
  if (!root.is_object()) return ProxyResponseError::kNotObject;
  const json::object& obj = root.get_object();
  for (const auto& m : obj) {
    std::string_view key = m.key();
    if (key != "statusCode" && key != "headers" && key != "multiValueHeaders" && key != "body" &&
        key != "isBase64Encoded") {
      return ProxyResponseError::kUnknownKey;
    }
  }

  ProxyResponse response;
  if (const json::value* code = member(obj, "statusCode")) {
    std::optional<unsigned> status = status_code(*code);
    if (!status) return ProxyResponseError::kBadStatusCode;
    response.status = *status;
  }

  // The headers, validated; names point into `root`.
  std::vector<std::pair<std::string_view, std::string>> single;
  if (const json::value* headers = member(obj, "headers")) {
    if (!headers->is_object()) return ProxyResponseError::kBadHeaders;
    single.reserve(headers->get_object().size());
    for (const auto& h : headers->get_object()) {
      if (!is_header_name(h.key())) return ProxyResponseError::kBadHeaders;
      std::optional<std::string> text = header_text(h.value());
      if (!text) return ProxyResponseError::kBadHeaders;
      single.emplace_back(h.key(), std::move(*text));
    }
  }
  std::vector<std::pair<std::string_view, std::vector<std::string>>> multi;
  if (const json::value* headers = member(obj, "multiValueHeaders")) {
    if (!headers->is_object()) return ProxyResponseError::kBadMultiValueHeaders;
    multi.reserve(headers->get_object().size());
    for (const auto& h : headers->get_object()) {
      if (!is_header_name(h.key()) || !h.value().is_array()) {
        return ProxyResponseError::kBadMultiValueHeaders;
      }
      std::vector<std::string> values;
      values.reserve(h.value().get_array().size());
      for (const auto& element : h.value().get_array()) {
        std::optional<std::string> text = header_text(element);
        if (!text) return ProxyResponseError::kBadMultiValueHeaders;
        values.push_back(std::move(*text));
      }
      multi.emplace_back(h.key(), std::move(values));
    }
  }

  if (const json::value* body = member(obj, "body")) {
    if (!body->is_string()) return ProxyResponseError::kBadBody;
    response.body = body->get_string();
  }
  bool base64 = false;
  if (const json::value* flag = member(obj, "isBase64Encoded")) {
    if (!flag->is_bool()) return ProxyResponseError::kBadBase64Flag;
    base64 = flag->get_bool();
  }
  if (base64) {
    std::optional<std::string> decoded = decode_base64_body(response.body);
    if (!decoded) return ProxyResponseError::kBadBase64Body;
    response.body = std::move(*decoded);
  }

  // Merge: multiValueHeaders first and their casing, then headers; one entry per name.
  std::vector<NamedValues<std::string_view>> merged;
  CaseInsensitiveMap<size_t> index;
  auto entry = [&](std::string_view name) -> std::vector<std::string_view>& {
    auto [it, inserted] = index.try_emplace(name, merged.size());
    if (inserted) merged.push_back({name, {}});
    return merged[it->second].values;
  };
  for (const auto& [name, values] : multi) {
    auto& out = entry(name);
    for (const auto& v : values)
      out.push_back(v);
  }
  for (const auto& [name, value] : single)
    entry(name).push_back(value);

  response.headers.reserve(merged.size());
  size_t head_bytes = 0;
  for (const auto& [name, values] : merged) {
    if (values.empty() || iequals(name, "Transfer-Encoding")) continue;
    std::string out_name =
        is_remapped(name) ? "x-amzn-Remapped-" + std::string(name) : std::string(name);
    if (iequals(name, "Set-Cookie")) {
      // Never joined: "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT" already contains ", ", so a
      // joined Set-Cookie cannot be split back into cookies (RFC 6265 §3).
      for (const auto& v : values) {
        head_bytes += out_name.size() + v.size() + 4;  // ": " and CRLF
        if (head_bytes > kMaxResponseHeaderBytes) return ProxyResponseError::kHeadersTooLarge;
        response.headers.emplace_back(out_name, std::string(v));
      }
      continue;
    }
    size_t joined_size = 2 * (values.size() - 1);
    for (const auto& v : values)
      joined_size += v.size();
    head_bytes += out_name.size() + joined_size + 4;
    if (head_bytes > kMaxResponseHeaderBytes) return ProxyResponseError::kHeadersTooLarge;
    std::string joined;
    joined.reserve(joined_size);
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) joined += ", ";
      joined += values[i];
    }
    response.headers.emplace_back(std::move(out_name), std::move(joined));
  }
  return response;
}

}  // namespace gatehouse::functions::events
