#include "functions/events/events.h"

#include <boost/json/value.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "core/base64.h"
#include "core/json_text.h"
#include "functions/events/detail/header_map.h"

namespace gatehouse::functions::events {
namespace {

namespace json = boost::json;
using detail::CaseInsensitiveMap;
using detail::NamedValues;

// ---------------------------------------------------------------------------------------------
// Small text helpers

void append_int(std::string& out, int64_t v) {
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

// identity.clientCert on a listener that does mutual TLS: the client's certificate, or null when
// it was let in without one (mutual_tls.required: false). Absent elsewhere, as in API Gateway.
void write_client_cert(ObjectWriter& identity, const RequestFacts& request) {
  if (!request.tls || !request.tls->client_certificate_asked) return;
  if (!request.tls->client_certificate) return identity.null("clientCert");
  const core::ClientCertificate& c = *request.tls->client_certificate;
  ObjectWriter cert(identity.key("clientCert"));
  cert.string("clientCertPem", c.pem);
  cert.string("subjectDN", c.subject_dn);
  cert.string("issuerDN", c.issuer_dn);
  cert.string("serialNumber", c.serial_number);
  {
    ObjectWriter validity(cert.key("validity"));
    validity.string("notBefore", c.not_before);
    validity.string("notAfter", c.not_after);
    validity.close();
  }
  cert.close();
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
    write_client_cert(identity, request);
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
    write_client_cert(identity, request);
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

}  // namespace gatehouse::functions::events
