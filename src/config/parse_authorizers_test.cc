// authorizers:: jwt settings, key sources, algorithms, identity sources, function authorizers.
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "config/config_test_support.h"

namespace gatehouse::config {
namespace {

using namespace test_support;

// A jwt authorizer with only the required keys gets the documented defaults.
TEST(ConfigLoad, AuthorizerDefaults) {
  auto c = config_of(jwt_config(""));
  ASSERT_EQ(c->authorizers.size(), 1u);
  const Authorizer& a = c->authorizers[0];
  EXPECT_EQ(a.identity_source.to_string(), "method.request.header.Authorization");
  EXPECT_EQ(a.cache_ttl_s, 300u);
  EXPECT_EQ(a.cache_max_entries, 10000u);
  EXPECT_EQ(a.jwt.algorithms, std::vector<JwtAlg>{JwtAlg::kRS256});
  EXPECT_EQ(a.jwt.leeway_s, 30u);
  EXPECT_EQ(a.jwt.max_token_bytes, 8192u);
  EXPECT_EQ(a.jwt.keys.source, JwtKeys::Source::kJwksFile);
  EXPECT_EQ(a.jwt.keys.location, "/etc/gh/k.json");
  EXPECT_EQ(a.jwt.keys.refresh_interval_s, 3600u);
  EXPECT_EQ(a.jwt.keys.retry_interval_s, 30u);
  EXPECT_EQ(a.jwt.keys.refetch_min_interval_s, 30u);
  EXPECT_EQ(a.jwt.keys.fetch_timeout_ms, 1500u);
  EXPECT_EQ(a.jwt.keys.max_jwks_bytes, 150000u);
  EXPECT_EQ(a.pos.to_string(), "/etc/gh/gh.yaml:4:5");
}

// Every algorithm name maps to its enum and back; HS* are the HMAC ones.
TEST(ConfigLoad, AllAlgorithms) {
  auto c = config_of(jwt_config(
      "    algorithms: [RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA]\n"));
  const auto& algs = c->authorizers[0].jwt.algorithms;
  ASSERT_EQ(algs.size(), 9u);
  EXPECT_EQ(to_string(algs[8]), "EdDSA");
  EXPECT_FALSE(is_hmac(algs[0]));
  auto h = config_of(jwt_config("    algorithms: [HS256, HS384, HS512]\n",
                                "      hmac_secret: {env: JWT_SECRET}\n"));
  const Authorizer& a = h->authorizers[0];
  EXPECT_EQ(a.jwt.keys.source, JwtKeys::Source::kHmacSecret);
  EXPECT_EQ(a.jwt.keys.hmac_secret.kind, SecretRef::Kind::kEnv);
  EXPECT_EQ(a.jwt.keys.hmac_secret.name_or_path, "JWT_SECRET");
  for (JwtAlg alg : a.jwt.algorithms)
    EXPECT_TRUE(is_hmac(alg)) << to_string(alg);
}

// Each key source is accepted and stored with its location.
TEST(ConfigLoad, KeySources) {
  auto d = config_of(
      jwt_config("", "      discovery_url: http://issuer/.well-known/openid-configuration\n"));
  EXPECT_EQ(d->authorizers[0].jwt.keys.source, JwtKeys::Source::kDiscoveryUrl);
  EXPECT_EQ(d->authorizers[0].jwt.keys.location, "http://issuer/.well-known/openid-configuration");
  auto p = config_of(jwt_config("", "      pem_file: /abs/signing.pem\n"));
  EXPECT_EQ(p->authorizers[0].jwt.keys.source, JwtKeys::Source::kPemFile);
  EXPECT_EQ(p->authorizers[0].jwt.keys.location, "/abs/signing.pem");
}

// Algorithms: 'none' refused with a reason; unknown names; HS* if and only if hmac_secret.
TEST(ConfigErrors, Algorithms) {
  expect_errors({
      {"none", jwt_config("    algorithms: [RS256, none]\n"),
       "gh.yaml:7:25: authorizers.jwt.algorithms[1]: 'none' is never allowed: it would accept "
       "unsigned tokens that anyone can forge; expected one of: RS256, RS384, RS512, PS256, "
       "PS384, PS512, ES256, ES384, EdDSA, HS256, HS384, HS512"},
      {"None", jwt_config("    algorithms: [None]\n"),
       "gh.yaml:7:18: authorizers.jwt.algorithms[0]: 'none' is never allowed: it would accept "
       "unsigned tokens that anyone can forge; expected one of: RS256, RS384, RS512, PS256, "
       "PS384, PS512, ES256, ES384, EdDSA, HS256, HS384, HS512"},
      {"unknown", jwt_config("    algorithms: [rs256]\n"),
       "gh.yaml:7:18: authorizers.jwt.algorithms[0]: unknown value 'rs256'; expected one of: "
       "RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA, HS256, HS384, HS512"},
      {"repeated", jwt_config("    algorithms: [ES256, ES256]\n"),
       "gh.yaml:7:25: authorizers.jwt.algorithms[1]: 'ES256' is listed twice"},
      {"empty", jwt_config("    algorithms: []\n"),
       "gh.yaml:7:17: authorizers.jwt.algorithms: the list is empty; expected at least one of: "
       "RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA, HS256, HS384, HS512"},
      {"hs with public keys", jwt_config("    algorithms: [RS256, HS256]\n"),
       "gh.yaml:7:25: authorizers.jwt.algorithms[1]: HS256 needs keys.hmac_secret, but keys are "
       "public keys; use RS*, PS*, ES* or EdDSA with public keys"},
      {"rs with hmac",
       jwt_config("    algorithms: [HS256, RS256]\n", "      hmac_secret: {env: S}\n"),
       "gh.yaml:7:25: authorizers.jwt.algorithms[1]: RS256 needs a public key, but keys has "
       "hmac_secret; with an HMAC secret use only HS256, HS384 or HS512"},
      {"hmac with default algorithms", jwt_config("", "      hmac_secret: {env: S}\n"),
       "gh.yaml:8:7: authorizers.jwt.keys.hmac_secret: an HMAC secret verifies only HS256, "
       "HS384 or HS512, but algorithms defaults to [RS256]; add algorithms: [HS256]"},
  });
}

// Key sources: exactly one; fetch settings only for fetched keys; URLs and secret references.
TEST(ConfigErrors, KeySources) {
  expect_errors({
      {"none", jwt_config("", "      fetch_timeout_ms: 100\n"),
       "gh.yaml:8:7: authorizers.jwt.keys: no key source; expected exactly one of: jwks_file, "
       "jwks_url, discovery_url, pem_file, hmac_secret, issuer"},
      {"two", jwt_config("", "      jwks_file: k\n      jwks_url: https://i/k\n"),
       "gh.yaml:9:7: authorizers.jwt.keys.jwks_url: jwks_file is already set; give exactly one "
       "of: jwks_file, jwks_url, discovery_url, pem_file, hmac_secret, issuer"},
      {"fetch knob on file", jwt_config("", "      jwks_file: k\n      refresh_interval_s: 60\n"),
       "gh.yaml:9:7: authorizers.jwt.keys.refresh_interval_s: refresh_interval_s applies only to "
       "keys fetched from jwks_url or discovery_url, not to jwks_file"},
      {"jwks size on pem", jwt_config("", "      pem_file: k.pem\n      max_jwks_bytes: 2048\n"),
       "gh.yaml:9:7: authorizers.jwt.keys.max_jwks_bytes: max_jwks_bytes applies only to "
       "jwks_file, jwks_url and discovery_url, not to pem_file"},
      {"bad url", jwt_config("", "      jwks_url: ftp://issuer/jwks\n"),
       "gh.yaml:8:17: authorizers.jwt.keys.jwks_url: 'ftp://issuer/jwks' is not a URL we can "
       "fetch; expected an http:// or https:// URL, e.g. "
       "https://issuer.example/.well-known/jwks.json"},
      {"url without host", jwt_config("", "      discovery_url: https:///x\n"),
       "gh.yaml:8:22: authorizers.jwt.keys.discovery_url: 'https:///x' is not a URL we can "
       "fetch; expected an http:// or https:// URL, e.g. "
       "https://issuer.example/.well-known/jwks.json"},
      {"env name", jwt_config("    algorithms: [HS256]\n", "      hmac_secret: {env: 1SECRET}\n"),
       "gh.yaml:9:26: authorizers.jwt.keys.hmac_secret.env: '1SECRET' is not an environment "
       "variable name; expected letters, digits and '_', e.g. JWT_SECRET"},
      {"env and file",
       jwt_config("    algorithms: [HS256]\n", "      hmac_secret: {env: S, file: f}\n"),
       "gh.yaml:9:29: authorizers.jwt.keys.hmac_secret.file: env is already set; give either env "
       "or file"},
      {"empty secret ref", jwt_config("    algorithms: [HS256]\n", "      hmac_secret: {}\n"),
       "gh.yaml:9:20: authorizers.jwt.keys.hmac_secret: expected {env: VARIABLE} or {file: path}, "
       "got an empty map"},
      {"unknown secret key",
       jwt_config("    algorithms: [HS256]\n", "      hmac_secret: {value: x}\n"),
       "gh.yaml:9:21: authorizers.jwt.keys.hmac_secret.value: unknown key 'value'; expected one "
       "of: env, file"},
  });
}

// An inline secret is refused, and the message never repeats it.
TEST(ConfigErrors, InlineSecretIsRefusedWithoutEchoingIt) {
  std::string msg =
      error_of(jwt_config("    algorithms: [HS256]\n", "      hmac_secret: s3cr3t-value-123\n"));
  EXPECT_EQ(msg,
            "gh.yaml:9:20: authorizers.jwt.keys.hmac_secret: a secret is never accepted inline; "
            "expected {env: VARIABLE} or {file: path} (a file readable by its owner only)");
  EXPECT_EQ(msg.find("s3cr3t"), std::string::npos);
}

// A token authorizer with only function: reads the Authorization header, caches per identity;
// a request authorizer with its cache off needs no identity sources; a list is accepted too.
TEST(ConfigLoad, FunctionAuthorizerDefaults) {
  auto c = config_of(
      "api: {name: x}\n"
      "functions: {auth: {command: ./bootstrap}}\n"
      "authorizers:\n"
      "  t: {type: token, function: auth}\n"
      "  r: {type: request, function: auth, cache_ttl_s: 0}\n"
      "  l: {type: request, function: auth, identity_source: [method.request.header.A, "
      "context.stage]}\n" +
      std::string(kPublicRoute));
  ASSERT_EQ(c->authorizers.size(), 3u);
  const Authorizer& t = c->authorizers[0];
  EXPECT_EQ(t.identity_source.to_string(), "method.request.header.Authorization");
  EXPECT_EQ(t.cache_ttl_s, 300u);
  EXPECT_EQ(t.function.cache_scope, CacheScope::kIdentity);
  EXPECT_EQ(t.function.validation_regex, "");
  EXPECT_TRUE(c->authorizers[1].identity_sources.empty());
  ASSERT_EQ(c->authorizers[2].identity_sources.size(), 2u);
  EXPECT_EQ(c->authorizers[2].identity_sources[1].to_string(), "context.stage");
  EXPECT_EQ(c->functions[0].command, (std::vector<std::string>{"/bin/sh", "-c", "./bootstrap"}));
}

// Every supported context value is accepted as a request identity source.
TEST(ConfigLoad, AllContextIdentitySources) {
  auto c = config_of(
      "api: {name: x}\n"
      "functions: {auth: {command: [x]}}\n"
      "authorizers:\n"
      "  r:\n"
      "    type: request\n"
      "    function: auth\n"
      "    identity_source: [context.httpMethod, context.resourcePath, context.resourceId, "
      "context.path, context.stage, context.requestId, context.extendedRequestId, context.apiId, "
      "context.accountId, context.domainName, context.domainPrefix, context.protocol, "
      "context.identity.sourceIp, context.identity.userAgent]\n" +
      std::string(kPublicRoute));
  ASSERT_EQ(c->authorizers.size(), 1u);
  EXPECT_EQ(c->authorizers[0].identity_sources.size(), 14u);
  EXPECT_EQ(c->authorizers[0].identity_sources[13].name, "identity.userAgent");
}

// Authorizers of type token and request: keys per type, function, regex, cache scope.
TEST(ConfigErrors, FunctionAuthorizers) {
  // Authorizer `a`'s map body starts on line 6.
  auto authorizer = [](std::string_view body,
                       std::string_view functions = "functions:\n  auth: {command: [x]}\n") {
    return "api: {name: x, stage_variables: {mode: dev}}\n" + std::string(functions) +
           "authorizers:\n  a:\n" + std::string(body) + std::string(kPublicRoute);
  };
  expect_errors({
      {"jwt key on token", authorizer("    type: token\n    function: auth\n    issuer: i\n"),
       "gh.yaml:8:5: authorizers.a.issuer: 'issuer' is only for type: jwt; a token authorizer "
       "leaves verification to its function"},
      {"jwt key on request",
       authorizer("    type: request\n    function: auth\n    keys: {jwks_file: k}\n"),
       "gh.yaml:8:5: authorizers.a.keys: 'keys' is only for type: jwt; a request authorizer "
       "leaves verification to its function"},
      {"function on jwt",
       authorizer("    type: jwt\n    function: auth\n    issuer: i\n    audiences: [a]\n"
                  "    keys: {jwks_file: k}\n"),
       "gh.yaml:7:5: authorizers.a.function: 'function' is only for type: token or type: "
       "request"},
      {"cache_scope on jwt",
       authorizer("    type: jwt\n    cache_scope: method\n    issuer: i\n    audiences: [a]\n"
                  "    keys: {jwks_file: k}\n"),
       "gh.yaml:7:5: authorizers.a.cache_scope: 'cache_scope' is only for type: token or type: "
       "request"},
      {"regex on request",
       authorizer("    type: request\n    function: auth\n    validation_regex: x\n"),
       "gh.yaml:8:5: authorizers.a.validation_regex: 'validation_regex' is only for type: token"},
      {"regex on jwt",
       authorizer("    type: jwt\n    validation_regex: x\n    issuer: i\n    audiences: [a]\n"
                  "    keys: {jwks_file: k}\n"),
       "gh.yaml:7:5: authorizers.a.validation_regex: 'validation_regex' is only for type: token"},
      {"function missing", authorizer("    type: token\n"),
       "gh.yaml:6:5: authorizers.a.function: required key is missing; expected the name of a "
       "function under functions:"},
      {"unknown function", authorizer("    type: token\n    function: auht\n"),
       "gh.yaml:7:15: authorizers.a.function: unknown function 'auht'; expected one of: auth"},
      {"no functions", authorizer("    type: token\n    function: auth\n", ""),
       "gh.yaml:5:15: authorizers.a.function: unknown function 'auth'; no functions are defined "
       "(add one under functions:)"},
      {"bad regex",
       authorizer("    type: token\n    function: auth\n    validation_regex: \"^Bearer [a-\"\n"),
       "gh.yaml:8:23: authorizers.a.validation_regex: '^Bearer [a-' is not a valid regular "
       "expression: Unmatched [ or [^ in character class declaration (at offset 11); expected an "
       "ECMAScript regex, e.g. \"^Bearer [-0-9a-zA-Z._]+$\""},
      {"unbalanced parenthesis",
       authorizer("    type: token\n    function: auth\n    validation_regex: \"(abc\"\n"),
       "gh.yaml:8:23: authorizers.a.validation_regex: '(abc' is not a valid regular expression: "
       "Unmatched marking parenthesis ( or \\( (at offset 4); expected an ECMAScript regex, e.g. "
       "\"^Bearer [-0-9a-zA-Z._]+$\""},
      {"empty regex",
       authorizer("    type: token\n    function: auth\n    validation_regex: \"\"\n"),
       "gh.yaml:8:23: authorizers.a.validation_regex: expected a non-empty string, got an empty "
       "string"},
      {"cache scope",
       authorizer("    type: token\n    function: auth\n    cache_scope: principal\n"),
       "gh.yaml:8:18: authorizers.a.cache_scope: unknown value 'principal'; expected one of: "
       "identity, method"},
  });
}

// Identity sources per authorizer type.
TEST(ConfigErrors, IdentitySources) {
  // Authorizer `a` of type `type`; its identity_source is on line 9.
  auto source = [](std::string_view type, std::string_view value) {
    return "api: {name: x, stage_variables: {mode: dev}}\n"
           "functions: {auth: {command: [x]}}\n"
           "authorizers:\n"
           "  a:\n"
           "    type: " +
           std::string(type) + "\n" +
           (type == "jwt"
                ? "    issuer: i\n    audiences: [a]\n    keys: {jwks_file: k}\n"
                : "    function: auth\n    cache_ttl_s: 60\n    cache_scope: identity\n") +
           "    identity_source: " + std::string(value) + "\n" + std::string(kPublicRoute);
  };
  const std::string request_expected =
      "; expected method.request.header.<Name>, method.request.querystring.<name>, "
      "stageVariables.<name> or context.<path>";
  expect_errors({
      {"token query string", source("token", "method.request.querystring.token"),
       "gh.yaml:9:22: authorizers.a.identity_source: 'method.request.querystring.token' is a "
       "query string parameter, but a token authorizer takes its token from a header; expected "
       "method.request.header.<Name>, or use type: request"},
      {"token stage variable", source("token", "stageVariables.mode"),
       "gh.yaml:9:22: authorizers.a.identity_source: 'stageVariables.mode' is a stage variable, "
       "but a token authorizer takes its token from a header; expected "
       "method.request.header.<Name>, or use type: request"},
      {"token context", source("token", "context.httpMethod"),
       "gh.yaml:9:22: authorizers.a.identity_source: 'context.httpMethod' is a context value, but "
       "a token authorizer takes its token from a header; expected method.request.header.<Name>, "
       "or use type: request"},
      {"token list", source("token", "[method.request.header.A]"),
       "gh.yaml:9:22: authorizers.a.identity_source: a token authorizer takes exactly one "
       "identity source; expected method.request.header.<Name>"},
      {"token comma", source("token", "\"method.request.header.A, method.request.header.B\""),
       "gh.yaml:9:22: authorizers.a.identity_source: a token authorizer takes exactly one "
       "identity source; expected method.request.header.<Name>"},
      {"token path parameter", source("token", "method.request.path.id"),
       "gh.yaml:9:22: authorizers.a.identity_source: 'method.request.path.id': path parameters "
       "cannot be identity sources (API Gateway does not allow them); expected "
       "method.request.header.<Name>"},
      {"jwt stage variable", source("jwt", "stageVariables.mode"),
       "gh.yaml:9:22: authorizers.a.identity_source: 'stageVariables.mode' is a stage variable, "
       "but a jwt authorizer takes its token from a header or a query string parameter; expected "
       "method.request.header.<Name> or method.request.querystring.<name>"},
      {"jwt list", source("jwt", "[method.request.header.A, method.request.header.B]"),
       "gh.yaml:9:22: authorizers.a.identity_source: a jwt authorizer takes exactly one identity "
       "source; expected method.request.header.<Name> or method.request.querystring.<name>"},
      {"jwt context", source("jwt", "context.stage"),
       "gh.yaml:9:22: authorizers.a.identity_source: 'context.stage' is a context value, but a "
       "jwt authorizer takes its token from a header or a query string parameter; expected "
       "method.request.header.<Name> or method.request.querystring.<name>"},
      {"request path parameter", source("request", "method.request.path.id"),
       "gh.yaml:9:22: authorizers.a.identity_source: 'method.request.path.id': path parameters "
       "cannot be identity sources (API Gateway does not allow them)" +
           request_expected},
      {"request path parameter in a list",
       source("request", "[method.request.header.A, method.request.path.id]"),
       "gh.yaml:9:48: authorizers.a.identity_source[1]: 'method.request.path.id': path parameters "
       "cannot be identity sources (API Gateway does not allow them)" +
           request_expected},
      {"request unknown", source("request", "method.request.body.x"),
       "gh.yaml:9:22: authorizers.a.identity_source: 'method.request.body.x' is not an identity "
       "source" +
           request_expected},
      {"context not supported", source("request", "context.authorizer.claims"),
       "gh.yaml:9:22: authorizers.a.identity_source: 'context.authorizer.claims' is not a "
       "supported context value; expected one of: context.httpMethod, context.resourcePath, "
       "context.resourceId, context.path, context.stage, context.requestId, "
       "context.extendedRequestId, context.apiId, context.accountId, context.domainName, "
       "context.domainPrefix, context.protocol, context.identity.sourceIp, "
       "context.identity.userAgent, context.identity.clientCert.clientCertPem, "
       "context.identity.clientCert.subjectDN, context.identity.clientCert.issuerDN, "
       "context.identity.clientCert.serialNumber, context.identity.clientCert.validity.notBefore, "
       "context.identity.clientCert.validity.notAfter"},
      {"stage variable name", source("request", "stageVariables.my-var"),
       "gh.yaml:9:22: authorizers.a.identity_source: 'my-var' is not a valid stage variable "
       "name; expected letters, digits and '_'"},
      {"stage variable undefined", source("request", "stageVariables.tenant"),
       "gh.yaml:9:22: authorizers.a.identity_source: 'stageVariables.tenant' names a stage "
       "variable that api.stage_variables does not define, so every request would be refused "
       "with 401; define it or remove this source"},
      {"query string name", source("request", "\"method.request.querystring.a b\""),
       "gh.yaml:9:22: authorizers.a.identity_source: 'a b' is not a valid query string parameter "
       "name" +
           request_expected},
      {"header name", source("request", "method.request.header."),
       "gh.yaml:9:22: authorizers.a.identity_source: '' is not a valid header name" +
           request_expected},
      {"repeated", source("request", "\"method.request.header.A, method.request.header.A\""),
       "gh.yaml:9:22: authorizers.a.identity_source: 'method.request.header.A' is listed twice"},
      {"repeated header in another case",
       source("request", "[method.request.header.X-Key, method.request.header.x-key]"),
       "gh.yaml:9:52: authorizers.a.identity_source[1]: 'method.request.header.x-key' is listed "
       "twice (header names are case-insensitive)"},
      {"query strings are case-sensitive, context repeated",
       source("request",
              "\"method.request.querystring.a, method.request.querystring.A, context.stage, "
              "context.stage\""),
       "gh.yaml:9:22: authorizers.a.identity_source: 'context.stage' is listed twice"},
      {"empty entry", source("request", "\"method.request.header.A, , context.stage\""),
       "gh.yaml:9:22: authorizers.a.identity_source: 'method.request.header.A, , context.stage' "
       "has an empty entry; expected identity sources separated by commas"},
      {"trailing comma", source("request", "\"method.request.header.A,\""),
       "gh.yaml:9:22: authorizers.a.identity_source: 'method.request.header.A,' has an empty "
       "entry; expected identity sources separated by commas"},
      {"empty list", source("request", "[]"),
       "gh.yaml:9:22: authorizers.a.identity_source: the list is empty; expected at least one "
       "identity source"},
      {"map", source("request", "{a: b}"),
       "gh.yaml:9:22: authorizers.a.identity_source: expected a string, got a map"},
      {"request without sources and cache on",
       "api: {name: x}\nfunctions: {auth: {command: [x]}}\nauthorizers:\n"
       "  a: {type: request, function: auth}\n" +
           std::string(kPublicRoute),
       "gh.yaml:4:6: authorizers.a.identity_source: required key is missing; a request authorizer "
       "with its cache on (cache_ttl_s > 0; the default is 300) needs identity sources, whose "
       "values are the cache key; add e.g. identity_source: method.request.header.Authorization, "
       "or set cache_ttl_s: 0"},
  });
}

}  // namespace
}  // namespace gatehouse::config
