// routes[].integration with type: http_proxy: the uri, stage variables, request parameters.
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "config/config_test_support.h"

namespace gatehouse::config {
namespace {

using namespace test_support;

std::string proxy_route(std::string_view path, std::string_view integration) {
  return "api:\n"
         "  name: x\n"
         "  stage_variables: {backend: '127.0.0.1:3000', tenant: acme}\n"
         "routes:\n"
         "  - path: " +
         std::string(path) +
         "\n"
         "    method: ANY\n"
         "    auth: none\n"
         "    integration:\n"
         "      type: http_proxy\n" +
         std::string(integration);
}

TEST(HttpProxyConfig, UriStageVariablesAndMappings) {
  auto c = config_of(
      proxy_route("/users/{id}/{proxy+}",
                  "      uri: http://${stageVariables.backend}/v1/users/{id}/{proxy}?src=gw\n"
                  "      timeout_ms: 5000\n"
                  "      request_parameters:\n"
                  "        integration.request.header.x-user-id: context.authorizer.principalId\n"
                  "        integration.request.header.X-Scope: context.authorizer.claims.scope\n"
                  "        integration.request.querystring.tenant: stageVariables.tenant\n"
                  "        integration.request.header.x-static: \"'fixed value'\"\n"
                  "        integration.request.header.x-from: method.request.header.X-Client\n"
                  "        integration.request.querystring.user: method.request.path.id\n"));
  ASSERT_EQ(c->routes.size(), 1u);
  const HttpProxyIntegration& p = c->routes[0].integration.http_proxy;
  EXPECT_EQ(c->routes[0].integration.type, IntegrationType::kHttpProxy);
  EXPECT_EQ(p.uri, "http://${stageVariables.backend}/v1/users/{id}/{proxy}?src=gw");
  EXPECT_EQ(p.origins, std::vector<std::string>{"http://127.0.0.1:3000"});
  EXPECT_EQ(p.target, "/v1/users/{id}/{proxy}?src=gw");
  EXPECT_EQ(p.timeout_ms, 5000u);
  ASSERT_EQ(p.request_parameters.size(), 6u);
  using T = ParameterMapping::Target;
  using S = ParameterMapping::Source;
  EXPECT_EQ(p.request_parameters[0].target, T::kHeader);
  EXPECT_EQ(p.request_parameters[0].name, "x-user-id");
  EXPECT_EQ(p.request_parameters[0].source, S::kContext);
  EXPECT_EQ(p.request_parameters[0].value, "authorizer.principalId");
  EXPECT_EQ(p.request_parameters[1].value, "authorizer.claims.scope");
  EXPECT_EQ(p.request_parameters[2].target, T::kQueryString);
  EXPECT_EQ(p.request_parameters[2].source, S::kStageVariable);
  EXPECT_EQ(p.request_parameters[3].source, S::kStatic);
  EXPECT_EQ(p.request_parameters[3].value, "fixed value");
  EXPECT_EQ(p.request_parameters[4].source, S::kHeader);
  EXPECT_EQ(p.request_parameters[4].value, "X-Client");
  EXPECT_EQ(p.request_parameters[5].source, S::kPath);
  EXPECT_EQ(p.request_parameters[5].value, "id");
  // The default timeout is API Gateway's.
  auto d = config_of(proxy_route("/", "      uri: https://api.example\n"));
  EXPECT_EQ(d->routes[0].integration.http_proxy.timeout_ms, 29000u);
  EXPECT_EQ(d->routes[0].integration.http_proxy.target, "/");
}

TEST(HttpProxyConfig, TlsAndPool) {
  auto c = config_of(proxy_route("/",
                                 "      uri: https://svc.internal:8443/\n"
                                 "      max_connections: 8\n"
                                 "      idle_timeout_ms: 5000\n"
                                 "      tls: {ca_file: ca.pem, client_certificate: c.pem, "
                                 "client_key: c.key, server_name: svc.test}\n"));
  const HttpProxyIntegration& p = c->routes[0].integration.http_proxy;
  EXPECT_EQ(p.max_connections, 8u);
  EXPECT_EQ(p.idle_timeout_ms, 5000u);
  ASSERT_TRUE(p.tls.has_value());
  EXPECT_EQ(p.tls->ca_file, "/etc/gh/ca.pem");  // relative to the config file
  EXPECT_EQ(p.tls->client_certificate, "/etc/gh/c.pem");
  EXPECT_EQ(p.tls->client_key, "/etc/gh/c.key");
  EXPECT_EQ(p.tls->server_name, "svc.test");
  expect_errors({
      {"tls on http", proxy_route("/", "      uri: http://h/\n      tls: {ca_file: ca.pem}\n"),
       "gh.yaml:11:7: routes[0].integration.tls: tls applies to https:// origins; this one is "
       "http://h"},
      {"a certificate without its key",
       proxy_route("/", "      uri: https://h/\n      tls: {client_certificate: c.pem}\n"),
       "gh.yaml:11:12: routes[0].integration.tls.client_key: required key is missing; a client "
       "certificate needs both client_certificate and client_key"},
  });
}

TEST(HttpProxyConfig, Targets) {
  auto c = config_of(proxy_route("/users/{id}",
                                 "      uri: /v1/users/{id}?src=gw\n"
                                 "      targets: ['http://${stageVariables.backend}', "
                                 "'https://b.example:8443', 'http://[::1]:3001']\n"
                                 "      cool_down_ms: 2500\n"));
  const HttpProxyIntegration& p = c->routes[0].integration.http_proxy;
  EXPECT_EQ(p.origins, (std::vector<std::string>{"http://127.0.0.1:3000", "https://b.example:8443",
                                                 "http://[::1]:3001"}));
  EXPECT_EQ(p.target, "/v1/users/{id}?src=gw");
  EXPECT_EQ(p.cool_down_ms, 2500u);
  auto d = config_of(proxy_route("/", "      uri: /\n      targets: [http://a, http://b]\n"));
  EXPECT_EQ(d->routes[0].integration.http_proxy.cool_down_ms, 10000u);

  expect_errors({
      {"targets with a full uri",
       proxy_route("/", "      uri: http://h/x\n      targets: [http://a]\n"),
       "gh.yaml:10:12: routes[0].integration.uri: 'http://h/x': with targets, the uri is the path "
       "sent to each of them (e.g. /users/{id}); the targets are the origins"},
      {"a path without targets", proxy_route("/", "      uri: /x\n"),
       "gh.yaml:10:12: routes[0].integration.uri: '/x' has no origin; write "
       "http(s)://host[:port]/x, or list the origins under targets"},
      {"a target with a path", proxy_route("/", "      uri: /x\n      targets: [http://a/base]\n"),
       "gh.yaml:11:16: routes[0].integration.targets: 'http://a/base': a target is an origin, "
       "http(s)://host[:port], without a path"},
      {"a target twice", proxy_route("/", "      uri: /x\n      targets: [http://a, 'http://a']\n"),
       "gh.yaml:11:16: routes[0].integration.targets: 'http://a' is listed twice"},
      {"not a url", proxy_route("/", "      uri: /x\n      targets: [a.example]\n"),
       "gh.yaml:11:16: routes[0].integration.targets: 'a.example': expected an http:// or "
       "https:// URI, e.g. http://127.0.0.1:3000/users"},
      {"cool-down without targets",
       proxy_route("/", "      uri: http://h/\n      cool_down_ms: 100\n"),
       "gh.yaml:11:7: routes[0].integration.cool_down_ms: cool_down_ms applies to an integration "
       "with targets"},
      {"tls with an http target",
       proxy_route("/",
                   "      uri: /\n      targets: [https://a, http://b]\n      tls: "
                   "{server_name: x}\n"),
       "gh.yaml:12:7: routes[0].integration.tls: tls applies to https:// origins; this one is "
       "http://b"},
  });
}

TEST(HttpProxyConfig, Errors) {
  expect_errors({
      {"no uri", proxy_route("/", "      timeout_ms: 100\n"),
       "gh.yaml:9:7: routes[0].integration.uri: required key is missing; expected the service's "
       "URL, e.g. http://127.0.0.1:3000/users/{id}"},
      {"not http", proxy_route("/", "      uri: ftp://host/x\n"),
       "gh.yaml:10:12: routes[0].integration.uri: 'ftp://host/x': the scheme must be http or "
       "https, not ftp"},
      {"unknown stage variable", proxy_route("/", "      uri: http://${stageVariables.nope}/\n"),
       "gh.yaml:10:12: routes[0].integration.uri: stage variable 'nope' is not defined under "
       "api.stage_variables"},
      {"placeholder without parameter", proxy_route("/users", "      uri: http://h/u/{id}\n"),
       "gh.yaml:10:12: routes[0].integration.uri: {id} is neither a path parameter of the route "
       "(/users) nor set by a request_parameters entry integration.request.path.id"},
      {"timeout over AWS's limit",
       proxy_route("/", "      uri: http://h/\n      timeout_ms: 30000\n"),
       "gh.yaml:11:19: routes[0].integration.timeout_ms: 30000 is out of range; expected an "
       "integer in 50..29000"},
      {"bad target",
       proxy_route("/",
                   "      uri: http://h/\n      request_parameters:\n        "
                   "integration.response.header.x: \"'a'\"\n"),
       "gh.yaml:12:9: routes[0].integration.request_parameters.integration.response.header.x: "
       "'integration.response.header.x' is not a target; expected "
       "integration.request.header.<name>, integration.request.querystring.<name> or "
       "integration.request.path.<name>"},
      {"host is the gateway's",
       proxy_route("/",
                   "      uri: http://h/\n      request_parameters:\n        "
                   "integration.request.header.Host: \"'evil'\"\n"),
       "gh.yaml:12:9: routes[0].integration.request_parameters.integration.request.header.Host: "
       "the gateway writes 'Host' itself (it describes the connection or the body); it cannot be "
       "mapped"},
      {"unknown context",
       proxy_route("/",
                   "      uri: http://h/\n      request_parameters:\n        "
                   "integration.request.header.x: context.authoriser.principalId\n"),
       "gh.yaml:12:39: routes[0].integration.request_parameters.integration.request.header.x: "
       "'context.authoriser.principalId' is not a context variable a request has; expected e.g. "
       "context.authorizer.principalId, context.authorizer.<key>, "
       "context.authorizer.claims.<claim>, context.requestId or context.identity.sourceIp"},
      {"unknown path source",
       proxy_route("/",
                   "      uri: http://h/\n      request_parameters:\n        "
                   "integration.request.header.x: method.request.path.id\n"),
       "gh.yaml:12:39: routes[0].integration.request_parameters.integration.request.header.x: "
       "'method.request.path.id': the route has no path parameter {id}"},
      {"unquoted static",
       proxy_route("/",
                   "      uri: http://h/\n      request_parameters:\n        "
                   "integration.request.header.x: plain\n"),
       "gh.yaml:12:39: routes[0].integration.request_parameters.integration.request.header.x: "
       "'plain' is not a source; expected 'static text' (in single quotes), "
       "method.request.header.<name>, method.request.querystring.<name>, "
       "method.request.path.<name>, context.<variable> or stageVariables.<name>"},
      {"mapped twice",
       proxy_route("/",
                   "      uri: http://h/\n      request_parameters:\n        "
                   "integration.request.header.X-A: \"'1'\"\n        "
                   "integration.request.header.x-a: \"'2'\"\n"),
       "gh.yaml:13:9: routes[0].integration.request_parameters.integration.request.header.x-a: "
       "'integration.request.header.x-a' is mapped twice"},
      {"a key of another type", proxy_route("/", "      uri: http://h/\n      table: t\n"),
       "gh.yaml:11:7: routes[0].integration.table: 'table' does not apply to type: http_proxy"},
  });
}

}  // namespace
}  // namespace gatehouse::config
