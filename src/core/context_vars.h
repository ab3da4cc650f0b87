// API Gateway's $context variables that gatehouse knows, and where each may be used: as a request
// authorizer's identity source (`context.<name>`, whose value the events carry at
// requestContext.<name>) and in the templates of mock integrations and gateway responses
// (`$context.<name>`). One table: config checks identity sources against it, and the event
// readers and the template renderer switch over ContextVar.
//
// Thread safety: constants and a pure function.
#pragma once

#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace gatehouse::core {

enum class ContextVar : uint8_t {
  kHttpMethod,
  kResourcePath,
  kResourceId,
  kPath,
  kStage,
  kRequestId,
  kExtendedRequestId,
  kApiId,
  kAccountId,
  kDomainName,
  kDomainPrefix,
  kProtocol,
  kIdentitySourceIp,
  kIdentityUserAgent,
  // identity.clientCert.*: the client certificate of a mutual TLS connection (empty without one).
  kClientCertPem,
  kClientCertSubjectDn,
  kClientCertIssuerDn,
  kClientCertSerialNumber,
  kClientCertNotBefore,
  kClientCertNotAfter,
  kErrorMessage,
  kErrorMessageString,
  kErrorResponseType,
  kAuthorizerPrincipalId,
  kAuthorizerClaims,
  kAuthorizerClaim,    // authorizer.claims.<claim name>, templates only
  kAuthorizerContext,  // authorizer.<key> of a Lambda authorizer's context, templates only
};

// Where a variable may be used (a bit set).
enum ContextUse : uint8_t {
  kIdentitySource = 1,  // context.<name> in a request authorizer's identity_source
  kTemplate = 2,        // $context.<name> in mock bodies and gateway responses
};

struct ContextVarInfo {
  std::string_view name;
  ContextVar var;
  uint8_t uses;
};

// The identity sources first, in the order error messages list them.
inline constexpr std::array<ContextVarInfo, 27> kContextVars = {{
    {"httpMethod", ContextVar::kHttpMethod, kIdentitySource | kTemplate},
    {"resourcePath", ContextVar::kResourcePath, kIdentitySource | kTemplate},
    {"resourceId", ContextVar::kResourceId, kIdentitySource | kTemplate},
    {"path", ContextVar::kPath, kIdentitySource | kTemplate},
    {"stage", ContextVar::kStage, kIdentitySource | kTemplate},
    {"requestId", ContextVar::kRequestId, kIdentitySource | kTemplate},
    {"extendedRequestId", ContextVar::kExtendedRequestId, kIdentitySource | kTemplate},
    {"apiId", ContextVar::kApiId, kIdentitySource | kTemplate},
    {"accountId", ContextVar::kAccountId, kIdentitySource | kTemplate},
    {"domainName", ContextVar::kDomainName, kIdentitySource | kTemplate},
    {"domainPrefix", ContextVar::kDomainPrefix, kIdentitySource | kTemplate},
    {"protocol", ContextVar::kProtocol, kIdentitySource | kTemplate},
    {"identity.sourceIp", ContextVar::kIdentitySourceIp, kIdentitySource | kTemplate},
    {"identity.userAgent", ContextVar::kIdentityUserAgent, kIdentitySource | kTemplate},
    {"identity.clientCert.clientCertPem", ContextVar::kClientCertPem, kIdentitySource | kTemplate},
    {"identity.clientCert.subjectDN", ContextVar::kClientCertSubjectDn,
     kIdentitySource | kTemplate},
    {"identity.clientCert.issuerDN", ContextVar::kClientCertIssuerDn, kIdentitySource | kTemplate},
    {"identity.clientCert.serialNumber", ContextVar::kClientCertSerialNumber,
     kIdentitySource | kTemplate},
    {"identity.clientCert.validity.notBefore", ContextVar::kClientCertNotBefore,
     kIdentitySource | kTemplate},
    {"identity.clientCert.validity.notAfter", ContextVar::kClientCertNotAfter,
     kIdentitySource | kTemplate},
    {"error.message", ContextVar::kErrorMessage, kTemplate},
    {"error.messageString", ContextVar::kErrorMessageString, kTemplate},
    {"error.responseType", ContextVar::kErrorResponseType, kTemplate},
    {"authorizer.principalId", ContextVar::kAuthorizerPrincipalId, kTemplate},
    {"authorizer.claims", ContextVar::kAuthorizerClaims, kTemplate},
    {"authorizer.claims.", ContextVar::kAuthorizerClaim, kTemplate},  // a prefix
    {"authorizer.", ContextVar::kAuthorizerContext, kTemplate},       // a prefix, matched last
}};

// The variable `name` names where `use` is, or nullopt. For kTemplate, "authorizer.claims.<x>"
// (x non-empty) is kAuthorizerClaim, the claim's name what follows the prefix; any other
// "authorizer.<key>" (key non-empty, without '.') is kAuthorizerContext, a key of a Lambda
// authorizer's context.
constexpr std::optional<ContextVar> find_context_var(std::string_view name, ContextUse use) {
  for (const ContextVarInfo& v : kContextVars) {
    if ((v.uses & use) == 0) continue;
    if (v.var == ContextVar::kAuthorizerClaim) {
      if (name.size() > v.name.size() && name.starts_with(v.name)) return v.var;
    } else if (v.var == ContextVar::kAuthorizerContext) {
      // A context key: a name without '.' (so "authorizer.claims." stays unknown).
      if (name.size() > v.name.size() && name.starts_with(v.name) &&
          name.find('.', v.name.size()) == std::string_view::npos)
        return v.var;
    } else if (v.name == name) {
      return v.var;
    }
  }
  return std::nullopt;
}

// One `$context.<name>` reference in a template, as the renderer reads it: the name runs over
// letters, digits, '.' and '_', and a trailing '.' is punctuation, not part of it.
struct ContextReference {
  size_t at;              // where "$context." starts
  size_t end;             // just past the name
  std::string_view name;  // e.g. "authorizer.principalId"
};
inline std::vector<ContextReference> context_references(std::string_view tmpl) {
  static constexpr std::string_view kPrefix = "$context.";
  std::vector<ContextReference> out;
  size_t i = 0;
  while ((i = tmpl.find(kPrefix, i)) != std::string_view::npos) {
    size_t start = i + kPrefix.size();
    size_t end = start;
    while (end < tmpl.size()) {
      unsigned char ch = static_cast<unsigned char>(tmpl[end]);
      if (!std::isalnum(ch) && ch != '.' && ch != '_') break;
      ++end;
    }
    while (end > start && tmpl[end - 1] == '.')
      --end;
    out.push_back({i, end, tmpl.substr(start, end - start)});
    i = end;
  }
  return out;
}

}  // namespace gatehouse::core
