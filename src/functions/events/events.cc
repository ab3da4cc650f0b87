#include "functions/events/events.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "core/base64.h"
#include "core/json_text.h"
#include "functions/invoker.h"

namespace gatehouse::functions::events {
namespace {

namespace json = boost::json;

// ---------------------------------------------------------------------------------------------
// Small text helpers

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return header_name_equals(a, b);
}

// For maps keyed by header names, which compare case-insensitively (FNV-1a over lower case).
struct CaseInsensitiveHash {
  size_t operator()(std::string_view s) const {
    uint64_t h = 14695981039346656037ull;
    for (char c : s) {
      h ^= static_cast<uint8_t>(ascii_lower(c));
      h *= 1099511628211ull;
    }
    return static_cast<size_t>(h);
  }
};
struct CaseInsensitiveEqual {
  bool operator()(std::string_view a, std::string_view b) const { return iequals(a, b); }
};
template <class V>
using CaseInsensitiveMap =
    std::unordered_map<std::string_view, V, CaseInsensitiveHash, CaseInsensitiveEqual>;

void append_int(std::string& out, int64_t v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

void append_uint(std::string& out, uint64_t v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

void append_claim(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      out += v.get_string();
      return;
    case json::kind::array: {
      // Go's fmt prints a []interface{} as "[a b c]"; API Gateway's JWT authorizers do the same.
      out += '[';
      bool first = true;
      for (const auto& element : v.get_array()) {
        if (!first) out += ' ';
        first = false;
        append_claim(out, element);
      }
      out += ']';
      return;
    }
    default:
      core::append_compact_json(out, v);
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Event writing

// Writes one JSON object, adding the commas; the caller decides the key order.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }

  // Starts member `name`; the caller appends its value to the returned string.
  std::string& key(std::string_view name) {
    if (!first_) out_ += ',';
    first_ = false;
    core::append_json_string(out_, name);
    out_ += ':';
    return out_;
  }
  void string(std::string_view name, std::string_view value) {
    std::string& out = key(name);
    core::append_json_string(out, value);
  }
  // An empty value is written as null.
  void string_or_null(std::string_view name, std::string_view value) {
    if (value.empty()) {
      null(name);
    } else {
      string(name, value);
    }
  }
  void null(std::string_view name) { key(name) += "null"; }
  void boolean(std::string_view name, bool value) { key(name) += value ? "true" : "false"; }
  void integer(std::string_view name, int64_t value) { append_int(key(name), value); }
  void close() { out_ += '}'; }

 private:
  std::string& out_;
  bool first_ = true;
};

// One name of a single-value/multi-value map pair and all its values, in arrival order.
template <class S>
struct NamedValues {
  S name;
  std::vector<S> values;
};

// {"name": last value, ...} under single_key and {"name": [every value], ...} under multi_key,
// both null when there are no names.
// Groups: a vector of NamedValues or QueryParam (a name and its values).
template <class Groups>
void write_map_pair(ObjectWriter& w, std::string_view single_key, std::string_view multi_key,
                    const Groups& groups) {
  if (groups.empty()) {
    w.null(single_key);
    w.null(multi_key);
    return;
  }
  ObjectWriter single(w.key(single_key));
  for (const auto& group : groups)
    single.string(group.name, group.values.back());
  single.close();
  ObjectWriter multi(w.key(multi_key));
  for (const auto& group : groups) {
    std::string& out = multi.key(group.name);
    out += '[';
    for (size_t i = 0; i < group.values.size(); ++i) {
      if (i > 0) out += ',';
      core::append_json_string(out, group.values[i]);
    }
    out += ']';
  }
  multi.close();
}

// Request headers grouped case-insensitively under the first occurrence's casing, without the
// ones API Gateway does not pass on (§5.3, §6.1); find_header() reads one name the same way.
std::vector<NamedValues<std::string_view>> group_headers(const std::vector<NameValue>& headers) {
  std::vector<NamedValues<std::string_view>> groups;
  CaseInsensitiveMap<size_t> index;
  for (const auto& [name, value] : headers) {
    if (!is_passed_on(name)) continue;
    auto [it, inserted] = index.try_emplace(name, groups.size());
    if (inserted) groups.push_back({name, {}});
    groups[it->second].values.push_back(value);
  }
  return groups;
}

// "dd/Mon/yyyy:HH:mm:ss +0000" in UTC. English month names, no locale involved.
std::string request_time(int64_t epoch_ms) {
  using namespace std::chrono;
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const sys_time<milliseconds> t{milliseconds{epoch_ms}};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{floor<seconds>(t - day)};
  char buf[48];
  int n = std::snprintf(
      buf, sizeof buf, "%02u/%s/%04d:%02d:%02d:%02d +0000", static_cast<unsigned>(ymd.day()),
      kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
      static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
      static_cast<int>(hms.seconds().count()));
  return std::string(buf, static_cast<size_t>(n));
}

// The members both event types share, from headers to stageVariables.
void write_request_maps(ObjectWriter& w, const RequestFacts& request) {
  write_map_pair(w, "headers", "multiValueHeaders", group_headers(request.headers));
  write_map_pair(w, "queryStringParameters", "multiValueQueryStringParameters",
                 parse_query(request.raw_query));
  if (request.path_params == nullptr || request.path_params->empty()) {
    w.null("pathParameters");
  } else {
    ObjectWriter params(w.key("pathParameters"));
    // Raw, not decoded: API Gateway passes path parameter values as received (router.h).
    for (const auto& param : *request.path_params)
      params.string(param.name, param.raw);
    params.close();
  }
  if (request.stage_variables.empty()) {
    w.null("stageVariables");
  } else {
    ObjectWriter vars(w.key("stageVariables"));
    for (const auto& [name, value] : request.stage_variables)
      vars.string(name, value);
    vars.close();
  }
}

void write_authorizer(ObjectWriter& context, const AuthorizerFacts& authorizer) {
  ObjectWriter w(context.key("authorizer"));
  if (authorizer.claims != nullptr) {
    ObjectWriter claims(w.key("claims"));
    std::string text;
    for (const auto& claim : *authorizer.claims) {
      text.clear();
      append_claim(text, claim.value());
      claims.string(claim.key(), text);
    }
    claims.close();
    if (!authorizer.principal_id.empty()) w.string("principalId", authorizer.principal_id);
  } else {
    w.string("principalId", authorizer.principal_id);
    if (authorizer.integration_latency_ms) {
      w.integer("integrationLatency", *authorizer.integration_latency_ms);
    }
    if (authorizer.context != nullptr) {
      for (const auto& [name, value] : *authorizer.context) {
        // A context key must not shadow what the gateway itself reports (a JSON object with a
        // key twice reads differently in different parsers).
        if (name == "principalId" || name == "integrationLatency") continue;
        w.string(name, value);
      }
    }
  }
  w.close();
}

// ---------------------------------------------------------------------------------------------
// Proxy response parsing

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
      append_int(out, v.get_int64());
      break;
    case json::kind::uint64:
      append_uint(out, v.get_uint64());
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

std::string token_authorizer_event(std::string_view authorization_token,
                                   std::string_view method_arn) {
  std::string out;
  out.reserve(64 + authorization_token.size() + method_arn.size());
  ObjectWriter w(out);
  w.string("type", "TOKEN");
  w.string("authorizationToken", authorization_token);
  w.string("methodArn", method_arn);
  w.close();
  return out;
}

std::string request_authorizer_event(const RequestFacts& request) {
  std::string out;
  out.reserve(1024 + request.raw_path.size() + request.raw_query.size());
  ObjectWriter w(out);
  w.string("type", "REQUEST");
  w.string("methodArn", request.method_arn);
  w.string("resource", request.resource);
  w.string("path", request.raw_path);
  w.string("httpMethod", request.method);
  write_request_maps(w, request);

  ObjectWriter context(w.key("requestContext"));
  context.string("path", context_path(request));
  context.string("accountId", request.account_id);
  context.string("resourceId", request.resource_id);
  context.string("stage", request.stage);
  context.string("requestId", request.request_id);
  context.string("extendedRequestId", request.extended_request_id);
  context.string("requestTime", request_time(request.request_time_epoch_ms));
  context.integer("requestTimeEpoch", request.request_time_epoch_ms);
  context.string("protocol", request.protocol);
  context.string("domainName", request.domain_name);
  context.string("domainPrefix", request.api_id);
  {
    ObjectWriter identity(context.key("identity"));
    identity.null("apiKey");
    identity.null("apiKeyId");
    identity.string_or_null("sourceIp", request.source_ip);
    identity.string_or_null("userAgent", request.user_agent);
    identity.null("accessKey");
    identity.null("accountId");
    identity.null("caller");
    identity.null("user");
    identity.null("userArn");
    identity.null("cognitoAuthenticationProvider");
    identity.null("cognitoAuthenticationType");
    identity.null("cognitoIdentityId");
    identity.null("cognitoIdentityPoolId");
    identity.null("principalOrgId");
    identity.close();
  }
  context.string("resourcePath", request.resource);
  context.string("httpMethod", request.method);
  context.string("apiId", request.api_id);
  context.close();
  w.close();
  return out;
}

std::string proxy_event(const RequestFacts& request, const AuthorizerFacts* authorizer) {
  std::string out;
  out.reserve(1536 + request.raw_path.size() + request.raw_query.size() +
              (request.body_is_binary ? request.body.size() / 3 * 4 + 4 : request.body.size()));
  ObjectWriter w(out);
  w.string("resource", request.resource);
  w.string("path", request.raw_path);
  w.string("httpMethod", request.method);
  write_request_maps(w, request);

  ObjectWriter context(w.key("requestContext"));
  context.string("resourceId", request.resource_id);
  context.string("resourcePath", request.resource);
  context.string("httpMethod", request.method);
  context.string("extendedRequestId", request.extended_request_id);
  context.string("requestTime", request_time(request.request_time_epoch_ms));
  context.string("path", context_path(request));
  context.string("accountId", request.account_id);
  context.string("protocol", request.protocol);
  context.string("stage", request.stage);
  context.string("domainPrefix", request.api_id);
  context.integer("requestTimeEpoch", request.request_time_epoch_ms);
  context.string("requestId", request.request_id);
  {
    ObjectWriter identity(context.key("identity"));
    identity.null("cognitoIdentityPoolId");
    identity.null("accountId");
    identity.null("cognitoIdentityId");
    identity.null("caller");
    identity.string_or_null("sourceIp", request.source_ip);
    identity.null("principalOrgId");
    identity.null("accessKey");
    identity.null("cognitoAuthenticationType");
    identity.null("cognitoAuthenticationProvider");
    identity.null("userArn");
    identity.string_or_null("userAgent", request.user_agent);
    identity.null("user");
    identity.close();
  }
  context.string("domainName", request.domain_name);
  context.string("apiId", request.api_id);
  if (authorizer != nullptr) write_authorizer(context, *authorizer);
  context.close();

  if (request.body.empty()) {
    w.null("body");
    w.boolean("isBase64Encoded", false);
  } else if (request.body_is_binary) {
    w.string("body", core::base64_encode(request.body));
    w.boolean("isBase64Encoded", true);
  } else {
    w.string("body", request.body);
    w.boolean("isBase64Encoded", false);
  }
  w.close();
  return out;
}

std::string stringify_claim(const boost::json::value& value) {
  std::string out;
  append_claim(out, value);
  return out;
}

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
      return "headers_too_large";
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
