// routes:: methods, authorizers and scopes, integrations.
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "config/config_test_support.h"

namespace gatehouse::config {
namespace {

using namespace test_support;

// Routes: `method` and `methods`, explicit authorizer, `auth: none`, default authorizer.
TEST(ConfigLoad, RouteAuthResolution) {
  auto c = config_of(
      "api: {name: x, default_authorizer: a}\n"
      "authorizers:\n"
      "  a: {type: jwt, issuer: i, audiences: [x], keys: {jwks_file: k}}\n"
      "  b: {type: jwt, issuer: i, audiences: [x], keys: {jwks_file: k}}\n"
      "routes:\n"
      "  - {path: /a, method: GET, integration: {type: mock}}\n"
      "  - {path: /b, method: GET, auth: b, integration: {type: mock}}\n"
      "  - {path: /c, methods: [PUT, DELETE], auth: none, integration: {type: mock}}\n");
  ASSERT_EQ(c->routes.size(), 3u);
  EXPECT_EQ(c->routes[0].authorizer, "a");
  EXPECT_EQ(c->routes[1].authorizer, "b");
  EXPECT_EQ(c->routes[2].authorizer, std::nullopt);
  EXPECT_EQ(c->routes[2].methods, (std::vector<std::string>{"PUT", "DELETE"}));
}

// Route methods: one of method/methods, known upper-case names, no repeats, ANY alone.
TEST(ConfigErrors, RouteMethods) {
  auto route = [](std::string_view methods) {
    return "api: {name: x}\nroutes:\n  - path: /\n    " + std::string(methods) +
           "\n    auth: none\n    integration: {type: mock}\n";
  };
  expect_errors({
      {"lower case", route("method: get"),
       "gh.yaml:4:13: routes[0].method: unknown value 'get'; expected one of: GET, POST, PUT, "
       "PATCH, DELETE, HEAD, OPTIONS, ANY"},
      {"unknown in list", route("methods: [GET, FETCH]"),
       "gh.yaml:4:20: routes[0].methods[1]: unknown value 'FETCH'; expected one of: GET, POST, "
       "PUT, PATCH, DELETE, HEAD, OPTIONS, ANY"},
      {"repeated", route("methods: [GET, PUT, GET]"),
       "gh.yaml:4:25: routes[0].methods[2]: 'GET' is listed twice"},
      {"any with others", route("methods: [ANY, GET]"),
       "gh.yaml:4:14: routes[0].methods: ANY already covers every method; give either ANY alone "
       "or specific methods"},
      {"empty list", route("methods: []"),
       "gh.yaml:4:14: routes[0].methods: the list is empty; expected at least one of: GET, POST, "
       "PUT, PATCH, DELETE, HEAD, OPTIONS, ANY"},
      {"both", route("method: GET\n    methods: [PUT]"),
       "gh.yaml:5:5: routes[0].methods: method and methods are both set; give one of them"},
  });
}

// Template variables are checked when the file is read: a typo is an error naming a near miss,
// not a variable that renders empty; what templates cannot render is refused.
TEST(ConfigErrors, TemplateVariables) {
  auto mock = [](std::string_view body) {
    return "api: {name: x}\nroutes:\n  - path: /\n    method: GET\n    auth: none\n"
           "    integration: {type: mock, body: '" +
           std::string(body) + "'}\n";
  };
  EXPECT_TRUE(parse(mock("{\"p\":\"$context.authorizer.principalId\",\"s\":"
                         "\"$context.authorizer.claims.scope\",\"id\":\"$context.requestId.\"}"),
                    "gh.yaml"));
  expect_errors({
      {"near miss", mock("$context.authoriser.principalID"),
       "gh.yaml:6:37: routes[0].integration.body: unknown variable "
       "$context.authoriser.principalID; did you mean $context.authorizer.principalId?"},
      {"unknown", mock("$context.identity.cognitoIdentityId"),
       "gh.yaml:6:37: routes[0].integration.body: unknown variable "
       "$context.identity.cognitoIdentityId; templates have $context.httpMethod, "
       "$context.resourcePath, $context.resourceId, $context.path, $context.stage, "
       "$context.requestId, $context.extendedRequestId, $context.apiId, $context.accountId, "
       "$context.domainName, $context.domainPrefix, $context.protocol, "
       "$context.identity.sourceIp, $context.identity.userAgent, "
       "$context.identity.clientCert.clientCertPem, $context.identity.clientCert.subjectDN, "
       "$context.identity.clientCert.issuerDN, $context.identity.clientCert.serialNumber, "
       "$context.identity.clientCert.validity.notBefore, "
       "$context.identity.clientCert.validity.notAfter, $context.error.message, "
       "$context.error.messageString, $context.error.responseType, "
       "$context.authorizer.principalId, $context.authorizer.claims, "
       "$context.authorizer.claims.<claim> and $context.authorizer.<key> (a Lambda authorizer's "
       "context)"},
      {"stage variables", mock("$stageVariables.mode"),
       "gh.yaml:6:37: routes[0].integration.body: $stageVariables is not available in "
       "gatehouse's templates; they render $context.<name> variables only "
       "(docs/configuration.md, Templates)"},
      {"gateway response",
       "api: {name: x}\nroutes:\n  - {path: /, method: GET, auth: none, "
       "integration: {type: mock}}\ngateway_responses:\n  UNAUTHORIZED:\n"
       "    body: '$context.error.mesage'\n",
       "gh.yaml:6:11: gateway_responses.UNAUTHORIZED.body: unknown variable "
       "$context.error.mesage; did you mean $context.error.message?"},
  });
}

// Route auth and scopes are checked against the authorizers.
TEST(ConfigErrors, RouteAuthAndScopes) {
  const std::string authorizers =
      "authorizers:\n  jwt: {type: jwt, issuer: i, audiences: [x], keys: {jwks_file: k}}\n";
  expect_errors({
      {"unknown authorizer",
       "api: {name: x}\n" + authorizers +
           "routes:\n  - {path: /, method: GET, auth: jtw, integration: {type: mock}}\n",
       "gh.yaml:5:34: routes[0].auth: unknown authorizer 'jtw'; expected one of: none, jwt"},
      {"scopes on public route",
       "api: {name: x}\nroutes:\n  - {path: /, method: GET, auth: none, scopes: [a], "
       "integration: {type: mock}}\n",
       "gh.yaml:3:48: routes[0].scopes: scopes need an authorizer, but this route is public "
       "(auth: none)"},
      {"empty scopes",
       "api: {name: x, default_authorizer: jwt}\n" + authorizers +
           "routes:\n  - {path: /, method: GET, scopes: [], integration: {type: mock}}\n",
       "gh.yaml:5:36: routes[0].scopes: the list is empty; expected at least one entry"},
      {"empty scope",
       "api: {name: x, default_authorizer: jwt}\n" + authorizers +
           "routes:\n  - {path: /, method: GET, scopes: [\"\"], integration: {type: mock}}\n",
       "gh.yaml:5:37: routes[0].scopes[0]: expected a non-empty string, got an empty string"},
      {"unknown default",
       "api: {name: x, default_authorizer: jtw}\n" + authorizers + std::string(kPublicRoute),
       "gh.yaml:1:36: api.default_authorizer: unknown authorizer 'jtw'; expected one of: jwt"},
      {"default without authorizers", with_route("api: {name: x, default_authorizer: jwt}\n"),
       "gh.yaml:1:36: api.default_authorizer: unknown authorizer 'jwt'; no authorizers are "
       "defined (add one under authorizers:)"},
      {"default none", with_route("api: {name: x, default_authorizer: none}\n"),
       "gh.yaml:1:36: api.default_authorizer: 'none' cannot be the default: routes fail closed; "
       "mark each public route with auth: none instead"},
      {"empty routes", "api: {name: x}\nroutes: []\n",
       "gh.yaml:2:9: routes: the list is empty; expected at least one route"},
  });
}

// Routes: scopes need a jwt authorizer; function integrations name a function.
TEST(ConfigErrors, FunctionRoutes) {
  auto route = [](std::string_view route_body) {
    return "api: {name: x}\n"
           "functions: {fn: {command: [x]}}\n"
           "authorizers:\n"
           "  t: {type: token, function: fn}\n"
           "routes:\n"
           "  - {path: /, method: GET, " +
           std::string(route_body) + "}\n";
  };
  expect_errors({
      {"scopes on a token route",
       route("auth: t, scopes: [a], integration: {type: function, function: fn}"),
       "gh.yaml:6:45: routes[0].scopes: scopes apply only to routes with a jwt authorizer, but "
       "'t' is a token authorizer, whose function's policy decides what a caller may do"},
      {"function missing", route("auth: none, integration: {type: function}"),
       "gh.yaml:6:53: routes[0].integration.function: required key is missing; expected the name "
       "of a function under functions:"},
      {"unknown function", route("auth: none, integration: {type: function, function: nf}"),
       "gh.yaml:6:80: routes[0].integration.function: unknown function 'nf'; expected one of: fn"},
      {"timeout too short",
       route("auth: none, integration: {type: function, function: fn, timeout_ms: 49}"),
       "gh.yaml:6:96: routes[0].integration.timeout_ms: 49 is out of range; expected an integer "
       "in 50..900000"},
      {"timeout too long",
       route("auth: none, integration: {type: function, function: fn, timeout_ms: 900001}"),
       "gh.yaml:6:96: routes[0].integration.timeout_ms: 900001 is out of range; expected an "
       "integer in 50..900000"},
      {"mock key on function",
       route("auth: none, integration: {type: function, function: fn, body: x}"),
       "gh.yaml:6:84: routes[0].integration.body: 'body' does not apply to type: function"},
      {"function key on mock", route("auth: none, integration: {type: mock, timeout_ms: 100}"),
       "gh.yaml:6:66: routes[0].integration.timeout_ms: 'timeout_ms' does not apply to type: "
       "mock"},
      {"no functions",
       "api: {name: x}\nroutes:\n  - {path: /, method: GET, auth: none, integration: {type: "
       "function, function: fn}}\n",
       "gh.yaml:3:80: routes[0].integration.function: unknown function 'fn'; no functions are "
       "defined (add one under functions:)"},
  });
}

}  // namespace
}  // namespace gatehouse::config
