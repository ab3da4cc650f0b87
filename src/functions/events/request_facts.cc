#include "functions/events/request_facts.h"

#include <array>
#include <unordered_map>

#include "core/context_vars.h"
#include "core/text.h"

namespace gatehouse::functions::events {
namespace {

// Form-style decoding of one query name or value: '+' is a space, %XX a byte; a '%' without two
// hex digits stays as it is (we never refuse a request over its query).
std::string decode_query_part(std::string_view raw) {
  return core::percent_decode_lenient(raw, {.plus_is_space = true});
}

// Calls visit(name, value) for each parameter of the query, decoded, in order: the one reading
// of a query string that parse_query and find_query_param share.
template <class Visit>
void for_each_query_param(std::string_view raw_query, Visit&& visit) {
  size_t pos = 0;
  while (pos < raw_query.size()) {
    size_t amp = raw_query.find('&', pos);
    if (amp == std::string_view::npos) amp = raw_query.size();
    std::string_view piece = raw_query.substr(pos, amp - pos);
    pos = amp + 1;
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    std::string name = decode_query_part(piece.substr(0, eq));
    if (name.empty()) continue;
    std::string value =
        eq == std::string_view::npos ? std::string() : decode_query_part(piece.substr(eq + 1));
    visit(std::move(name), std::move(value));
  }
}

}  // namespace

bool header_name_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (core::ascii_lower(a[i]) != core::ascii_lower(b[i])) return false;
  }
  return true;
}

bool is_passed_on(std::string_view header_name) {
  return !header_name_equals(header_name, "Content-Length") &&
         !header_name_equals(header_name, "Connection");
}

HeaderValues find_header(const std::vector<NameValue>& headers, std::string_view name) {
  HeaderValues out;
  if (!is_passed_on(name)) return out;
  for (const auto& [n, v] : headers) {
    if (!header_name_equals(n, name)) continue;
    ++out.count;
    out.last = v;
  }
  return out;
}

std::vector<QueryParam> parse_query(std::string_view raw_query) {
  std::vector<QueryParam> params;
  std::unordered_map<std::string, size_t> index;
  for_each_query_param(raw_query, [&](std::string name, std::string value) {
    auto [it, inserted] = index.try_emplace(name, params.size());
    if (inserted) params.push_back({std::move(name), {}});
    params[it->second].values.push_back(std::move(value));
  });
  return params;
}

QueryValues find_query_param(std::string_view raw_query, std::string_view name) {
  QueryValues out;
  for_each_query_param(raw_query, [&](std::string n, std::string value) {
    if (n != name) return;
    ++out.count;
    out.last = std::move(value);
  });
  return out;
}

std::string context_path(const RequestFacts& request) {
  std::string path;
  path.reserve(request.stage.size() + 1 + request.raw_path.size());
  if (!request.stage.empty()) {
    path += '/';
    path += request.stage;
  }
  path += request.raw_path;
  return path;
}

std::optional<std::string> request_context_value(const RequestFacts& f, std::string_view path) {
  auto var = core::find_context_var(path, core::kIdentitySource);
  if (!var) return std::nullopt;
  // The same fields the event builders write under these names (events.cc).
  using core::ContextVar;
  switch (*var) {
    case ContextVar::kHttpMethod:
      return std::string(f.method);
    case ContextVar::kResourcePath:
      return std::string(f.resource);
    case ContextVar::kResourceId:
      return std::string(f.resource_id);
    case ContextVar::kPath:
      return context_path(f);
    case ContextVar::kStage:
      return std::string(f.stage);
    case ContextVar::kRequestId:
      return std::string(f.request_id);
    case ContextVar::kExtendedRequestId:
      return std::string(f.extended_request_id);
    case ContextVar::kApiId:
    case ContextVar::kDomainPrefix:
      return std::string(f.api_id);
    case ContextVar::kAccountId:
      return std::string(f.account_id);
    case ContextVar::kDomainName:
      return std::string(f.domain_name);
    case ContextVar::kProtocol:
      return std::string(f.protocol);
    case ContextVar::kIdentitySourceIp:
      return std::string(f.source_ip);
    case ContextVar::kIdentityUserAgent:
      return std::string(f.user_agent);
    case ContextVar::kClientCertPem:
    case ContextVar::kClientCertSubjectDn:
    case ContextVar::kClientCertIssuerDn:
    case ContextVar::kClientCertSerialNumber:
    case ContextVar::kClientCertNotBefore:
    case ContextVar::kClientCertNotAfter: {
      // Empty without a certificate: an identity source naming it then finds the request
      // without its identity (401), and a template renders nothing.
      if (!f.tls || !f.tls->client_certificate) return std::string();
      const core::ClientCertificate& c = *f.tls->client_certificate;
      switch (*var) {
        case ContextVar::kClientCertPem:
          return c.pem;
        case ContextVar::kClientCertSubjectDn:
          return c.subject_dn;
        case ContextVar::kClientCertIssuerDn:
          return c.issuer_dn;
        case ContextVar::kClientCertSerialNumber:
          return c.serial_number;
        case ContextVar::kClientCertNotBefore:
          return c.not_before;
        default:
          return c.not_after;
      }
    }
    case ContextVar::kErrorMessage:
    case ContextVar::kErrorMessageString:
    case ContextVar::kErrorResponseType:
    case ContextVar::kAuthorizerPrincipalId:
    case ContextVar::kAuthorizerClaims:
    case ContextVar::kAuthorizerClaim:
    case ContextVar::kAuthorizerContext:
      break;  // templates only
  }
  return std::nullopt;
}

}  // namespace gatehouse::functions::events
