// load() and parse() of whole files: every key, every default, the documentation's example, section
// order, documents, unreadable files and garbage.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "config/config.h"
#include "config/config_test_support.h"

namespace gatehouse::config {
namespace {

using namespace test_support;
namespace fs = std::filesystem;

// Every key of testdata/config/full.yaml lands in its field, relative paths resolved against the
// file's directory.
TEST(ConfigLoad, FullConfig) {
  const std::string dir = testdata() + "/config";
  auto r = load(dir + "/full.yaml");
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  const Config& c = **r;
  const std::string abs_dir = fs::absolute(dir).lexically_normal().string();
  EXPECT_EQ(c.file, dir + "/full.yaml");

  EXPECT_EQ(c.api.name, "blog");
  EXPECT_EQ(c.api.stage, "Lab");
  EXPECT_EQ(c.api.listen.host, "::1");
  EXPECT_EQ(c.api.listen.port, 8081);
  EXPECT_EQ(c.api.listen.to_string(), "[::1]:8081");
  EXPECT_EQ(c.api.region, "eu-west-2");
  EXPECT_EQ(c.api.account_id, "000011112222");
  EXPECT_EQ(c.api.api_id, "abcdef1234");
  EXPECT_EQ(c.api.io_threads, 2u);
  EXPECT_EQ(c.api.default_authorizer, "jwt");
  EXPECT_EQ(c.api.shutdown_grace_ms, 5000u);
  EXPECT_EQ(c.api.limits.max_request_line_bytes, 4096u);
  EXPECT_EQ(c.api.limits.max_header_bytes, 8192u);
  EXPECT_EQ(c.api.limits.max_body_bytes, 1048576u);
  EXPECT_EQ(c.api.limits.header_timeout_ms, 5000u);
  EXPECT_EQ(c.api.limits.body_timeout_ms, 20000u);
  EXPECT_EQ(c.api.limits.idle_timeout_ms, 30000u);
  EXPECT_EQ(c.api.limits.max_pipelined_requests, 8u);
  EXPECT_EQ(c.api.limits.max_connections, 500u);
  EXPECT_EQ(c.api.pos.line, 3);
  EXPECT_EQ(c.api.pos.column, 3);

  ASSERT_EQ(c.authorizers.size(), 3u);
  const Authorizer& jwt = c.authorizers[0];
  EXPECT_EQ(jwt.name, "jwt");
  EXPECT_EQ(jwt.type, AuthorizerType::kJwt);
  EXPECT_EQ(jwt.identity_source.kind, IdentitySource::Kind::kHeader);
  EXPECT_EQ(jwt.identity_source.name, "X-Token");
  EXPECT_EQ(jwt.identity_source.to_string(), "method.request.header.X-Token");
  EXPECT_EQ(jwt.cache_ttl_s, 60u);
  EXPECT_EQ(jwt.cache_max_entries, 100u);
  EXPECT_EQ(jwt.jwt.issuer, "https://demo.gatehouse.local/");
  EXPECT_EQ(jwt.jwt.audiences, (std::vector<std::string>{"https://blog-api", "https://other-api"}));
  EXPECT_EQ(jwt.jwt.algorithms,
            (std::vector<JwtAlg>{JwtAlg::kRS256, JwtAlg::kES256, JwtAlg::kEdDSA}));
  EXPECT_EQ(jwt.jwt.leeway_s, 10u);
  EXPECT_EQ(jwt.jwt.max_token_bytes, 4096u);
  EXPECT_EQ(jwt.jwt.keys.source, JwtKeys::Source::kJwksUrl);
  EXPECT_EQ(jwt.jwt.keys.location, "https://demo.gatehouse.local/.well-known/jwks.json");
  EXPECT_EQ(jwt.jwt.keys.refresh_interval_s, 600u);
  EXPECT_EQ(jwt.jwt.keys.retry_interval_s, 10u);
  EXPECT_EQ(jwt.jwt.keys.refetch_min_interval_s, 5u);
  EXPECT_EQ(jwt.jwt.keys.fetch_timeout_ms, 800u);
  EXPECT_EQ(jwt.jwt.keys.max_jwks_bytes, 65536u);
  EXPECT_EQ(jwt.pos.to_string(), dir + "/full.yaml:23:5");

  const Authorizer& local = c.authorizers[1];
  EXPECT_EQ(local.identity_source.kind, IdentitySource::Kind::kQueryString);
  EXPECT_EQ(local.identity_source.to_string(), "method.request.querystring.token");
  EXPECT_EQ(local.jwt.algorithms, std::vector<JwtAlg>{JwtAlg::kHS256});
  EXPECT_EQ(local.jwt.keys.source, JwtKeys::Source::kHmacSecret);
  EXPECT_EQ(local.jwt.keys.hmac_secret.kind, SecretRef::Kind::kFile);
  EXPECT_EQ(local.jwt.keys.hmac_secret.name_or_path, abs_dir + "/secrets/hmac.key");

  const Authorizer& files = c.authorizers[2];
  EXPECT_EQ(files.jwt.keys.source, JwtKeys::Source::kJwksFile);
  EXPECT_EQ(files.jwt.keys.location, abs_dir + "/keys/jwks.json");
  EXPECT_EQ(c.find_authorizer("files"), &files);
  EXPECT_EQ(c.find_authorizer("nope"), nullptr);

  ASSERT_EQ(c.routes.size(), 3u);
  const Route& r0 = c.routes[0];
  EXPECT_EQ(r0.path, "/resource");
  EXPECT_EQ(r0.methods, (std::vector<std::string>{"GET", "POST"}));
  EXPECT_EQ(r0.authorizer, "jwt");  // from api.default_authorizer
  EXPECT_EQ(r0.scopes, (std::vector<std::string>{"read:users", "write:users"}));
  EXPECT_EQ(r0.integration.type, IntegrationType::kMock);
  EXPECT_EQ(r0.integration.mock.status, 201);
  ASSERT_EQ(r0.integration.mock.headers.size(), 2u);
  EXPECT_EQ(r0.integration.mock.headers[0].name, "content-type");
  EXPECT_EQ(r0.integration.mock.headers[0].value, "application/json");
  EXPECT_EQ(r0.integration.mock.headers[1].name, "X-Extra");
  EXPECT_EQ(r0.integration.mock.headers[1].value, "1");
  EXPECT_EQ(r0.integration.mock.body, R"({"principal":"$context.authorizer.principalId"})");
  EXPECT_EQ(r0.pos.line, 54);
  EXPECT_EQ(r0.pos.column, 5);
  EXPECT_EQ(r0.path_pos.line, 54);
  EXPECT_EQ(r0.path_pos.column, 11);
  const Route& r1 = c.routes[1];
  EXPECT_EQ(r1.methods, std::vector<std::string>{"ANY"});
  EXPECT_EQ(r1.authorizer, "local");
  EXPECT_TRUE(r1.scopes.empty());
  EXPECT_EQ(r1.integration.mock.status, 200);
  const Route& r2 = c.routes[2];
  EXPECT_EQ(r2.authorizer, std::nullopt);
  EXPECT_EQ(r2.integration.mock.body, "ok");

  ASSERT_EQ(c.gateway_responses.size(), 2u);
  const GatewayResponse& unauthorized = c.gateway_responses[0];
  EXPECT_EQ(unauthorized.type, GatewayResponseType::kUnauthorized);
  EXPECT_EQ(to_string(unauthorized.type), "UNAUTHORIZED");
  EXPECT_EQ(unauthorized.status, 401);
  ASSERT_EQ(unauthorized.headers.size(), 1u);
  EXPECT_EQ(unauthorized.headers[0].name, "WWW-Authenticate");
  EXPECT_EQ(unauthorized.body, R"({"message":$context.error.messageString})");
  const GatewayResponse& d4 = c.gateway_responses[1];
  EXPECT_EQ(d4.type, GatewayResponseType::kDefault4xx);
  EXPECT_EQ(d4.status, std::nullopt);
  EXPECT_EQ(d4.body, std::nullopt);

  ASSERT_TRUE(c.admin.listen.has_value());
  EXPECT_EQ(c.admin.listen->to_string(), "0.0.0.0:9191");
  EXPECT_EQ(c.access_log.kind, AccessLog::Kind::kFile);
  EXPECT_EQ(c.access_log.path, abs_dir + "/logs/access.log");
}

// testdata/config/minimal.yaml: every optional key takes the default written in config.h.
TEST(ConfigLoad, Defaults) {
  auto r = load(testdata() + "/config/minimal.yaml");
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  const Config& c = **r;
  const Api defaults_api;
  EXPECT_EQ(c.api.name, "blog");
  EXPECT_EQ(c.api.stage, "prod");
  EXPECT_EQ(c.api.listen.to_string(), "127.0.0.1:8080");
  EXPECT_EQ(c.api.region, "us-east-1");
  EXPECT_EQ(c.api.account_id, "123456789012");
  EXPECT_EQ(c.api.api_id, "gatehouse");
  EXPECT_EQ(c.api.io_threads, 0u);
  EXPECT_EQ(c.api.default_authorizer, std::nullopt);
  EXPECT_EQ(c.api.shutdown_grace_ms, 10000u);
  EXPECT_EQ(c.api.limits.max_request_line_bytes, 8192u);
  EXPECT_EQ(c.api.limits.max_header_bytes, 16384u);
  EXPECT_EQ(c.api.limits.max_body_bytes, 10485760u);
  EXPECT_EQ(c.api.limits.header_timeout_ms, 10000u);
  EXPECT_EQ(c.api.limits.body_timeout_ms, 30000u);
  EXPECT_EQ(c.api.limits.idle_timeout_ms, 60000u);
  EXPECT_EQ(c.api.limits.max_pipelined_requests, 16u);
  EXPECT_EQ(c.api.limits.max_connections, 10000u);
  EXPECT_TRUE(c.authorizers.empty());
  ASSERT_EQ(c.routes.size(), 1u);
  EXPECT_EQ(c.routes[0].authorizer, std::nullopt);
  EXPECT_EQ(c.routes[0].integration.mock.status, 200);
  EXPECT_TRUE(c.routes[0].integration.mock.headers.empty());
  EXPECT_EQ(c.routes[0].integration.mock.body, "");
  EXPECT_TRUE(c.gateway_responses.empty());
  ASSERT_TRUE(c.admin.listen.has_value());
  EXPECT_EQ(c.admin.listen->to_string(), "127.0.0.1:9090");
  EXPECT_EQ(c.access_log.kind, AccessLog::Kind::kStdout);
}

// The complete example at the end of docs/configuration.md is a valid config.
TEST(ConfigLoad, DocumentationExampleParses) {
  std::ifstream in(testdata() + "/../docs/configuration.md");
  ASSERT_TRUE(in.good());
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t start = doc.rfind("```yaml\n");
  ASSERT_NE(start, std::string::npos);
  start += 8;
  size_t end = doc.find("```", start);
  ASSERT_NE(end, std::string::npos);
  auto c = config_of(doc.substr(start, end - start));
  EXPECT_EQ(c->api.name, "blog");
  ASSERT_EQ(c->routes.size(), 6u);
  EXPECT_EQ(c->routes[2].authorizer, "internal");
  EXPECT_EQ(c->routes[3].authorizer, std::nullopt);
  EXPECT_EQ(c->routes[1].integration.type, IntegrationType::kCrud);
  EXPECT_EQ(c->routes[1].integration.crud.table, "users");
  ASSERT_TRUE(c->issuer.has_value());
  EXPECT_EQ(c->issuer->clients.size(), 1u);
  EXPECT_EQ(c->issuer->clients[0].id, "blog-demo");
  ASSERT_EQ(c->tables.size(), 1u);
  EXPECT_EQ(c->tables[0].sqlite_path, "/var/lib/gatehouse/users.db");
  // Functions, function authorizers and function integrations.
  EXPECT_EQ(c->api.binary_media_types, (std::vector<std::string>{"image/png", "image/*"}));
  EXPECT_EQ(c->api.stage_variables.size(), 2u);
  ASSERT_EQ(c->functions.size(), 2u);
  EXPECT_EQ(c->functions[0].working_dir, "/etc/gh/authorizer");
  EXPECT_EQ(c->functions[0].environment.size(), 4u);
  EXPECT_EQ(c->functions[0].concurrency, 4u);
  EXPECT_EQ(c->functions[1].command, (std::vector<std::string>{"node", "bootstrap.js"}));
  EXPECT_EQ(c->functions[1].environment[1].second.value, "/etc/gh/certs/ca.pem");
  const Authorizer* token = c->find_authorizer("lambda_token");
  ASSERT_NE(token, nullptr);
  EXPECT_EQ(token->type, AuthorizerType::kToken);
  EXPECT_EQ(token->function.validation_regex, "^Bearer [-0-9a-zA-Z._]+$");
  const Authorizer* request = c->find_authorizer("lambda_request");
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->identity_sources.size(), 4u);
  EXPECT_EQ(request->function.cache_scope, CacheScope::kMethod);
  EXPECT_EQ(c->routes[4].authorizer, "lambda_token");
  EXPECT_EQ(c->routes[4].integration.type, IntegrationType::kFunction);
  EXPECT_EQ(c->routes[4].integration.function.function, "posts");
  EXPECT_EQ(c->routes[5].authorizer, "lambda_request");
}

// A parsed Config is shared immutably.
TEST(ConfigLoad, ResultIsSharedConst) {
  auto r = parse(with_route("api: {name: x}\n"), "gh.yaml");
  ASSERT_TRUE(r.has_value());
  static_assert(std::is_same_v<decltype(*r), std::shared_ptr<const Config>&>);
  EXPECT_EQ((*r)->file, "gh.yaml");
}

// References resolve whatever the order of the sections in the file.
TEST(ConfigLoad, SectionOrderDoesNotMatter) {
  auto c = config_of(
      "routes:\n"
      "  - {path: /, method: GET, auth: t, integration: {type: function, function: fn}}\n"
      "authorizers:\n"
      "  t: {type: request, function: fn, identity_source: stageVariables.key}\n"
      "functions:\n"
      "  fn: {runtime: node, handler: index.handler, environment: {K: {issuer: public_key}}}\n"
      "api: {name: x, default_authorizer: t, stage_variables: {key: v}}\n"
      "issuer:\n"
      "  issuer_url: https://blog.test/\n"
      "  clients: {demo: {secret: {env: S}, audiences: [a]}}\n");
  ASSERT_EQ(c->routes.size(), 1u);
  EXPECT_EQ(c->routes[0].integration.function.function, "fn");
  EXPECT_EQ(c->authorizers[0].identity_sources[0].to_string(), "stageVariables.key");
  EXPECT_EQ(c->functions[0].environment[0].second.kind, EnvValue::Kind::kIssuerPublicKey);
}

// Empty documents, several documents, YAML syntax errors.
TEST(ConfigErrors, Documents) {
  expect_errors({
      {"empty", "", "gh.yaml:1:1: the file is empty; expected a map with the keys api and routes"},
      {"comment only", "# nothing\n",
       "gh.yaml:1:1: the file is empty; expected a map with the keys api and routes"},
      {"two documents", with_route("api: {name: x}\n") + "---\napi: {name: y}\n",
       "gh.yaml:8:1: found 2 YAML documents; expected one (remove the '---' separators)"},
      {"syntax", "api: {name: x\nroutes: []\n",
       "gh.yaml:2:7: invalid YAML: end of map flow not found"},
      {"bad indentation", "api:\n  name: x\n bad: y\n",
       "gh.yaml:3:2: invalid YAML: end of map not found"},
  });
}

// One run reports every entry's error, in the order of the file, not only the first: a route,
// a function and an authorizer, each wrong in its own way, and a route that names the broken
// authorizer without a second complaint about it being unknown.
TEST(ConfigErrors, EveryErrorOfAFile) {
  const std::string yaml =
      "api: {name: x}\n"                                                        // 1
      "authorizers:\n"                                                          // 2
      "  broken: {type: jwt, audiences: [a], issuer: https://i/}\n"             // 3: no keys
      "functions:\n"                                                            // 4
      "  fn: {runtime: node, handler: index}\n"                                 // 5: no export
      "routes:\n"                                                               // 6
      "  - {path: /a, method: GET, auth: broken, integration: {type: mock}}\n"  // 7
      "  - {path: /b, method: FETCH, auth: none, integration: {type: mock}}\n"  // 8
      "  - {path: /c, method: GET, auth: none, integration: {type: mok}}\n";    // 9
  std::string message = error_of(yaml);
  std::vector<std::string> lines;
  for (size_t start = 0; start <= message.size();) {
    size_t end = message.find('\n', start);
    if (end == std::string::npos) end = message.size();
    lines.push_back(message.substr(start, end - start));
    start = end + 1;
  }
  ASSERT_EQ(lines.size(), 4u) << message;
  EXPECT_TRUE(lines[0].starts_with("gh.yaml:3:")) << lines[0];
  EXPECT_NE(lines[0].find("authorizers.broken"), std::string::npos) << lines[0];
  EXPECT_TRUE(lines[1].starts_with("gh.yaml:5:")) << lines[1];
  EXPECT_NE(lines[1].find("functions.fn.handler"), std::string::npos) << lines[1];
  EXPECT_TRUE(lines[2].starts_with("gh.yaml:8:")) << lines[2];
  EXPECT_NE(lines[2].find("unknown value 'FETCH'"), std::string::npos) << lines[2];
  EXPECT_TRUE(lines[3].starts_with("gh.yaml:9:")) << lines[3];
  EXPECT_NE(lines[3].find("routes[2].integration.type"), std::string::npos) << lines[3];
}

// load() reports unreadable files with core::read_file's codes.
TEST(ConfigLoad, MissingFile) {
  auto r = load("/nonexistent/gatehouse.yaml");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), core::Code::kNotFound);
  EXPECT_NE(r.error().message().find("/nonexistent/gatehouse.yaml"), std::string::npos);
}

// No exception escapes parse(), whatever the bytes.
TEST(ConfigErrors, GarbageNeverThrows) {
  for (std::string_view text : {std::string_view("\x00\x01\x02", 3), std::string_view("{{{{"),
                                std::string_view("api: &a [*a]"), std::string_view("!!binary x"),
                                std::string_view("? [a]\n: b\n"), std::string_view("\t- x")}) {
    auto r = parse(text, "gh.yaml");
    EXPECT_FALSE(r.has_value()) << text;
  }
  // Deep nesting is refused by yaml-cpp's recursion limit rather than overflowing the stack.
  auto deep = parse(std::string(100000, '['), "gh.yaml");
  ASSERT_FALSE(deep.has_value());
  EXPECT_EQ(deep.error().code(), core::Code::kInvalidArgument);
}

}  // namespace
}  // namespace gatehouse::config
