#include "config/config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace gatehouse::config {
namespace {

namespace fs = std::filesystem;

std::string testdata() {
  const char* env = std::getenv("GH_TESTDATA");
  return env != nullptr ? env : GH_TESTDATA_DIR;
}

// Parses yaml as "/etc/gh/gh.yaml"; fails the test on error.
std::shared_ptr<const Config> config_of(std::string_view yaml) {
  auto r = parse(yaml, "/etc/gh/gh.yaml");
  if (!r) {
    ADD_FAILURE() << r.error().to_string();
    return std::make_shared<const Config>();
  }
  return *r;
}

// The error message for yaml parsed as "gh.yaml"; fails the test if it parses.
std::string error_of(std::string_view yaml) {
  auto r = parse(yaml, "gh.yaml");
  if (r) {
    ADD_FAILURE() << "parsed, expected an error";
    return "";
  }
  EXPECT_EQ(r.error().code(), core::Code::kInvalidArgument) << r.error().to_string();
  return r.error().message();
}

// A valid public route, to complete configs whose subject is elsewhere.
constexpr std::string_view kPublicRoute =
    "routes:\n"
    "  - path: /\n"
    "    method: GET\n"
    "    auth: none\n"
    "    integration: {type: mock}\n";

std::string with_route(std::string_view head) {
  return std::string(head) + std::string(kPublicRoute);
}

// A jwt authorizer block; `extra` goes after issuer/audiences, `keys` is the keys map's body.
std::string jwt_config(std::string_view extra,
                       std::string_view keys = "      jwks_file: k.json\n") {
  return "api: {name: x}\n"
         "authorizers:\n"
         "  jwt:\n"
         "    type: jwt\n"
         "    issuer: https://issuer/\n"
         "    audiences: [api]\n" +
         std::string(extra) + "    keys:\n" + std::string(keys) + std::string(kPublicRoute);
}

// ---------------------------------------------------------------------------------------------
// Valid configs

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

// Relative paths resolve against the config file's directory and are normalised; absolute paths
// stay; a file name without a directory resolves against the working directory.
TEST(ConfigLoad, RelativePathResolution) {
  auto c = config_of(jwt_config("", "      jwks_file: ../keys/./jwks.json\n"));
  EXPECT_EQ(c->authorizers[0].jwt.keys.location, "/etc/keys/jwks.json");
  auto a = config_of(jwt_config("", "      jwks_file: /var/lib/jwks.json\n"));
  EXPECT_EQ(a->authorizers[0].jwt.keys.location, "/var/lib/jwks.json");
  auto here = parse(jwt_config("", "      jwks_file: k.json\n"), "gh.yaml");
  ASSERT_TRUE(here.has_value()) << here.error().to_string();
  EXPECT_EQ((*here)->authorizers[0].jwt.keys.location,
            (fs::current_path() / "k.json").lexically_normal().string());
}

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

// admin and access_log switches; port 0 for tests never collides.
TEST(ConfigLoad, AdminAndAccessLogSwitches) {
  auto c =
      config_of(with_route("api: {name: x, listen: 127.0.0.1:0}\nadmin: {listen: "
                           "\"off\"}\naccess_log: {path: \"off\"}\n"));
  EXPECT_FALSE(c->admin.listen.has_value());
  EXPECT_EQ(c->access_log.kind, AccessLog::Kind::kOff);
  auto d =
      config_of(with_route("api: {name: x, listen: 127.0.0.1:0}\nadmin: {listen: "
                           "127.0.0.1:0}\naccess_log: {path: \"-\"}\n"));
  EXPECT_EQ(d->api.listen.port, 0);
  EXPECT_EQ(d->admin.listen->port, 0);
  EXPECT_EQ(d->access_log.kind, AccessLog::Kind::kStdout);
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

// ---------------------------------------------------------------------------------------------
// Errors: exact "file:line:col: path: message"

struct Case {
  const char* name;
  std::string yaml;
  std::string message;
};

void expect_errors(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(error_of(c.yaml), c.message) << "case: " << c.name << "\n" << c.yaml;
  }
}

// The error from the brief: an unknown enum value lists what is expected.
TEST(ConfigErrors, UnknownEnumValue) {
  EXPECT_EQ(
      error_of("api: {name: x}\n"
               "routes:\n"
               "  - path: /\n"
               "    method: GET\n"
               "    auth: none\n"
               "    integration:\n"
               "      type: mok\n"),
      "gh.yaml:7:13: routes[0].integration.type: unknown value 'mok'; expected one of: mock, crud, "
      "function");
}

// Unknown keys are errors, with a suggestion when one allowed key is within edit distance 2.
TEST(ConfigErrors, UnknownKeys) {
  expect_errors({
      {"suggestion", jwt_config("    isuer: x\n"),
       "gh.yaml:7:5: authorizers.jwt.isuer: unknown key 'isuer'; did you mean 'issuer'?"},
      {"transposition", with_route("api: {name: x, satge: prod}\n"),
       "gh.yaml:1:16: api.satge: unknown key 'satge'; did you mean 'stage'?"},
      {"top level", "api: {name: x}\nroute: []\n",
       "gh.yaml:2:1: route: unknown key 'route'; did you mean 'routes'?"},
      {"no suggestion", with_route("api: {name: x, colour: red}\n"),
       "gh.yaml:1:16: api.colour: unknown key 'colour'; expected one of: name, stage, listen, "
       "region, account_id, api_id, io_threads, default_authorizer, shutdown_grace_ms, limits, "
       "binary_media_types, stage_variables"},
      {"nested", with_route("api:\n  name: x\n  limits: {max_body: 5}\n"),
       "gh.yaml:3:12: api.limits.max_body: unknown key 'max_body'; expected one of: "
       "max_request_line_bytes, max_header_bytes, max_body_bytes, header_timeout_ms, "
       "body_timeout_ms, idle_timeout_ms, max_pipelined_requests, max_connections"},
      {"gateway response type",
       with_route("api: {name: x}\ngateway_responses:\n  UNAUTHORISED: {}\n"),
       "gh.yaml:3:3: gateway_responses.UNAUTHORISED: unknown key 'UNAUTHORISED'; did you mean "
       "'UNAUTHORIZED'?"},
      {"duplicate", with_route("api:\n  name: x\n  name: y\n"),
       "gh.yaml:3:3: api.name: duplicate key 'name'; give each key once"},
  });
}

// Wrong types name what was expected and what was found.
TEST(ConfigErrors, WrongTypes) {
  expect_errors({
      {"list for string", with_route("api: {name: [x]}\n"),
       "gh.yaml:1:13: api.name: expected a string, got a list"},
      {"empty value", with_route("api:\n  name:\n"),
       "gh.yaml:2:3: api.name: expected a string, got an empty value"},
      {"scalar for map", with_route("api: blog\n"), "gh.yaml:1:6: api: expected a map, got 'blog'"},
      {"string for integer", with_route("api: {name: x, io_threads: many}\n"),
       "gh.yaml:1:28: api.io_threads: expected an integer in 0..1024, got 'many'"},
      {"quoted integer", with_route("api: {name: x, limits: {max_connections: \"10\"}}\n"),
       "gh.yaml:1:42: api.limits.max_connections: expected an integer in 1..1000000, got the "
       "quoted string '10'; remove the quotes"},
      {"float", with_route("api: {name: x, io_threads: 1.5}\n"),
       "gh.yaml:1:28: api.io_threads: expected an integer in 0..1024, got '1.5'"},
      {"map for list", jwt_config("    algorithms: {a: b}\n"),
       "gh.yaml:7:17: authorizers.jwt.algorithms: expected a list of algorithms, e.g. [RS256]; "
       "got a map"},
      {"audiences not a list",
       "api: {name: x}\nauthorizers:\n  a: {type: jwt, issuer: i, "
       "audiences: x, keys: {jwks_file: k}}\n" +
           std::string(kPublicRoute),
       "gh.yaml:3:40: authorizers.a.audiences: expected a list of strings, got 'x'"},
      {"routes not a list", "api: {name: x}\nroutes: {path: /}\n",
       "gh.yaml:2:9: routes: expected a list of routes, got a map"},
      {"top level list", "- a\n- b\n",
       "gh.yaml:1:1: the top level must be a map with the keys api and routes, got a list"},
      {"non-scalar key", with_route("api: {name: x, [a]: b}\n"),
       "gh.yaml:1:16: api: keys must be plain names, got a list"},
  });
}

// Numbers outside their documented range.
TEST(ConfigErrors, OutOfRange) {
  expect_errors({
      {"leeway", jwt_config("    leeway_s: 400\n"),
       "gh.yaml:7:15: authorizers.jwt.leeway_s: 400 is out of range; expected an integer in "
       "0..300"},
      {"cache ttl", jwt_config("    cache_ttl_s: 3601\n"),
       "gh.yaml:7:18: authorizers.jwt.cache_ttl_s: 3601 is out of range; expected an integer in "
       "0..3600"},
      {"negative", with_route("api: {name: x, shutdown_grace_ms: -1}\n"),
       "gh.yaml:1:35: api.shutdown_grace_ms: -1 is out of range; expected an integer in "
       "0..3600000"},
      {"overflow",
       with_route("api: {name: x, limits: {max_body_bytes: 99999999999999999999999}}\n"),
       "gh.yaml:1:41: api.limits.max_body_bytes: 99999999999999999999999 is out of range; "
       "expected an integer in 0..1073741824"},
      {"status",
       "api: {name: x}\nroutes:\n  - {path: /, method: GET, auth: none, integration: "
       "{type: mock, status: 600}}\n",
       "gh.yaml:3:74: routes[0].integration.status: 600 is out of range; expected an integer in "
       "200..599"},
      {"informational status",
       "api: {name: x}\nroutes:\n  - {path: /, method: GET, auth: none, integration: "
       "{type: mock, status: 101}}\n",
       "gh.yaml:3:74: routes[0].integration.status: 101 is out of range; expected an integer in "
       "200..599"},
      {"gateway response status",
       with_route("api: {name: x}\ngateway_responses:\n  UNAUTHORIZED: {status: 99}\n"),
       "gh.yaml:3:26: gateway_responses.UNAUTHORIZED.status: 99 is out of range; expected an "
       "integer in 200..599"},
      {"refresh", jwt_config("", "      jwks_url: https://i/jwks\n      refresh_interval_s: 0\n"),
       "gh.yaml:9:27: authorizers.jwt.keys.refresh_interval_s: 0 is out of range; expected an "
       "integer in 1..604800"},
  });
}

// Missing required keys point at the map that lacks them.
TEST(ConfigErrors, MissingRequiredKeys) {
  expect_errors({
      {"api", std::string(kPublicRoute),
       "gh.yaml:1:1: api: required key is missing; expected at least api: {name: <name>}"},
      {"routes", "api: {name: x}\n",
       "gh.yaml:1:1: routes: required key is missing; expected a list of routes"},
      {"api.name", with_route("api:\n  stage: x\n"),
       "gh.yaml:2:3: api.name: required key is missing; expected the API's name, e.g. name: blog"},
      {"authorizer type",
       "api: {name: x}\nauthorizers:\n  a: {issuer: i}\n" + std::string(kPublicRoute),
       "gh.yaml:3:6: authorizers.a.type: required key is missing; expected type: jwt, token or "
       "request"},
      {"issuer",
       "api: {name: x}\nauthorizers:\n  a: {type: jwt, keys: {jwks_file: k.json}}\n" +
           std::string(kPublicRoute),
       "gh.yaml:3:6: authorizers.a.issuer: required key is missing; expected the token issuer "
       "(iss), e.g. https://issuer.example/"},
      {"audiences",
       "api: {name: x}\nauthorizers:\n  a: {type: jwt, issuer: i, keys: {jwks_file: k.json}}\n" +
           std::string(kPublicRoute),
       "gh.yaml:3:6: authorizers.a.audiences: required key is missing; expected a list of "
       "accepted aud values, e.g. [https://my-api]"},
      {"keys",
       "api: {name: x}\nauthorizers:\n  a: {type: jwt, issuer: i, audiences: [x]}\n" +
           std::string(kPublicRoute),
       "gh.yaml:3:6: authorizers.a.keys: required key is missing; expected exactly one of: "
       "jwks_file, jwks_url, discovery_url, pem_file, hmac_secret, issuer"},
      {"route path",
       "api: {name: x}\nroutes:\n  - {method: GET, auth: none, integration: {type: mock}}\n",
       "gh.yaml:3:5: routes[0].path: required key is missing; expected a path template, e.g. "
       "/resource/{id}"},
      {"route methods",
       "api: {name: x}\nroutes:\n  - {path: /, auth: none, integration: {type: mock}}\n",
       "gh.yaml:3:5: routes[0].methods: required key is missing; expected method: GET or "
       "methods: [GET, PUT]"},
      {"route integration", "api: {name: x}\nroutes:\n  - {path: /, method: GET, auth: none}\n",
       "gh.yaml:3:5: routes[0].integration: required key is missing; expected e.g. {type: mock}"},
      {"integration type",
       "api: {name: x}\nroutes:\n  - {path: /, method: GET, auth: none, "
       "integration: {status: 200}}\n",
       "gh.yaml:3:53: routes[0].integration.type: required key is missing; expected type: mock, "
       "type: crud or type: function"},
      {"route auth without default",
       "api: {name: x}\nroutes:\n  - path: /\n    method: GET\n"
       "    integration: {type: mock}\n",
       "gh.yaml:3:5: routes[0].auth: required key is missing and api.default_authorizer is not "
       "set; routes fail closed: write auth: none for a public route or name an authorizer"},
  });
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

// Values that have the right type but the wrong content.
TEST(ConfigErrors, InvalidValues) {
  expect_errors({
      {"empty name", with_route("api: {name: \"\"}\n"),
       "gh.yaml:1:13: api.name: expected a non-empty string, got an empty string"},
      {"stage", with_route("api: {name: x, stage: my-stage}\n"),
       "gh.yaml:1:23: api.stage: 'my-stage' is not a valid stage name; expected letters, digits "
       "and '_', e.g. prod"},
      {"region", with_route("api: {name: x, region: US_EAST}\n"),
       "gh.yaml:1:24: api.region: 'US_EAST' is not a valid region; expected lower-case letters, "
       "digits and '-', e.g. us-east-1"},
      {"account", with_route("api: {name: x, account_id: 12345}\n"),
       "gh.yaml:1:28: api.account_id: '12345' is not an account id; expected 12 digits in "
       "quotes, e.g. \"123456789012\""},
      {"api id", with_route("api: {name: x, api_id: ABC}\n"),
       "gh.yaml:1:24: api.api_id: 'ABC' is not a valid API id; expected lower-case letters and "
       "digits, e.g. abcdef1234"},
      {"identity source", jwt_config("    identity_source: header.Authorization\n"),
       "gh.yaml:7:22: authorizers.jwt.identity_source: 'header.Authorization' is not an identity "
       "source; expected method.request.header.<Name> or method.request.querystring.<name>"},
      {"identity header name",
       jwt_config("    identity_source: \"method.request.header.Bad Name\"\n"),
       "gh.yaml:7:22: authorizers.jwt.identity_source: 'Bad Name' is not a valid header name; "
       "expected method.request.header.<Name> or method.request.querystring.<name>"},
      {"empty audiences", jwt_config("").replace(jwt_config("").find("[api]"), 5, "[]"),
       "gh.yaml:6:16: authorizers.jwt.audiences: the list is empty; expected at least one entry"},
      {"authorizer named none",
       "api: {name: x}\nauthorizers:\n  none: {type: jwt}\n" + std::string(kPublicRoute),
       "gh.yaml:3:3: authorizers.none: 'none' is reserved for public routes (auth: none); pick "
       "another name"},
      {"authorizer name",
       "api: {name: x}\nauthorizers:\n  \"my jwt\": {type: jwt}\n" + std::string(kPublicRoute),
       "gh.yaml:3:3: authorizers.my jwt: 'my jwt' is not a valid authorizer name; expected "
       "letters, digits, '_' and '-'"},
      {"authorizer type",
       "api: {name: x}\nauthorizers:\n  a: {type: lambda}\n" + std::string(kPublicRoute),
       "gh.yaml:3:13: authorizers.a.type: unknown value 'lambda'; expected one of: jwt, token, "
       "request"},
      {"access log empty", with_route("api: {name: x}\naccess_log: {path: \"\"}\n"),
       "gh.yaml:2:20: access_log.path: expected a non-empty string, got an empty string"},
  });
}

// Listen addresses must be IP literals with a port; IPv6 in brackets.
TEST(ConfigErrors, ListenAddresses) {
  const std::string expected =
      "; expected an IP address and port, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080";
  expect_errors({
      {"hostname", with_route("api: {name: x, listen: \"localhost:8080\"}\n"),
       "gh.yaml:1:24: api.listen: 'localhost' is not an IP address" + expected},
      {"no port", with_route("api: {name: x, listen: 127.0.0.1}\n"),
       "gh.yaml:1:24: api.listen: '127.0.0.1' has no port" + expected},
      {"port too big", with_route("api: {name: x, listen: \"127.0.0.1:70000\"}\n"),
       "gh.yaml:1:24: api.listen: '70000' is not a port number (0..65535)" + expected},
      {"empty port", with_route("api: {name: x, listen: \"127.0.0.1:\"}\n"),
       "gh.yaml:1:24: api.listen: '' is not a port number (0..65535)" + expected},
      {"ipv6 without brackets", with_route("api: {name: x, listen: \"::1:8080\"}\n"),
       "gh.yaml:1:24: api.listen: '::1:8080': an IPv6 address goes in brackets, e.g. [::1]:8080"},
      {"bracket without port", with_route("api: {name: x, listen: \"[::1]8080\"}\n"),
       "gh.yaml:1:24: api.listen: '[::1]8080' is not a valid listen address" + expected},
      {"bad ipv6", with_route("api: {name: x, listen: \"[::g]:80\"}\n"),
       "gh.yaml:1:24: api.listen: '::g' is not an IPv6 address" + expected},
      {"admin", with_route("api: {name: x}\nadmin: {listen: nowhere}\n"),
       "gh.yaml:2:17: admin.listen: 'nowhere' has no port" + expected},
      {"admin collides",
       with_route("api: {name: x, listen: 0.0.0.0:9000}\nadmin: {listen: 127.0.0.1:9000}\n"),
       "gh.yaml:2:17: admin.listen: admin listens on 127.0.0.1:9000, which collides with "
       "api.listen 0.0.0.0:9000; use another port or off"},
      {"admin map default collides",
       with_route("api: {name: x, listen: 127.0.0.1:9090}\nadmin: {}\n"),
       "gh.yaml:2:8: admin.listen: admin listens on 127.0.0.1:9090, which collides with "
       "api.listen 127.0.0.1:9090; use another port or off (the default admin port is 9090)"},
      {"admin default collides", with_route("api: {name: x, listen: 127.0.0.1:9090}\n"),
       "gh.yaml:1:1: admin.listen: admin listens on 127.0.0.1:9090, which collides with "
       "api.listen 127.0.0.1:9090; use another port or off (the default admin port is 9090)"},
  });
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

// Response headers: valid names, no framing headers, case-insensitive uniqueness, no CR/LF.
TEST(ConfigErrors, Headers) {
  auto route = [](std::string_view headers) {
    return "api: {name: x}\nroutes:\n  - path: /\n    method: GET\n    auth: none\n"
           "    integration:\n      type: mock\n      headers: " +
           std::string(headers) + "\n";
  };
  expect_errors({
      {"bad name", route("{\"bad name\": x}"),
       "gh.yaml:8:17: routes[0].integration.headers.bad name: 'bad name' is not a valid header "
       "name; expected letters, digits and !#$%&'*+-.^_`|~"},
      {"framing", route("{Content-Length: \"5\"}"),
       "gh.yaml:8:17: routes[0].integration.headers.Content-Length: the gateway sets "
       "'Content-Length' itself; remove it"},
      {"duplicate", route("{X-A: a, x-a: b}"),
       "gh.yaml:8:25: routes[0].integration.headers.x-a: header 'x-a' is given twice (header "
       "names are case-insensitive)"},
      {"newline", route("{X-A: \"a\\r\\nSet-Cookie: x\"}"),
       "gh.yaml:8:22: routes[0].integration.headers.X-A: a header value cannot contain line "
       "breaks or NUL bytes"},
      {"not a map", route("[a]"),
       "gh.yaml:8:16: routes[0].integration.headers: expected a map, got a list"},
  });
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

// ---------------------------------------------------------------------------------------------
// Secrets

class SecretTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gh_config_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content, mode_t mode) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << content;
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }

  std::string dir_;
};

// An environment variable's value is the secret.
TEST_F(SecretTest, FromEnv) {
  ::setenv("GH_TEST_SECRET", "hunter2-hunter2", 1);
  auto r = resolve_secret({SecretRef::Kind::kEnv, "GH_TEST_SECRET"});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(*r, "hunter2-hunter2");
  ::unsetenv("GH_TEST_SECRET");
}

// An unset variable is kNotFound; an empty one kInvalidArgument; both name the variable only.
TEST_F(SecretTest, EnvUnsetOrEmpty) {
  ::unsetenv("GH_TEST_SECRET_UNSET");
  auto unset = resolve_secret({SecretRef::Kind::kEnv, "GH_TEST_SECRET_UNSET"});
  ASSERT_FALSE(unset.has_value());
  EXPECT_EQ(unset.error().code(), core::Code::kNotFound);
  EXPECT_EQ(unset.error().message(), "environment variable GH_TEST_SECRET_UNSET is not set");
  ::setenv("GH_TEST_SECRET_EMPTY", "", 1);
  auto empty = resolve_secret({SecretRef::Kind::kEnv, "GH_TEST_SECRET_EMPTY"});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code(), core::Code::kInvalidArgument);
  EXPECT_EQ(empty.error().message(), "environment variable GH_TEST_SECRET_EMPTY is empty");
  ::unsetenv("GH_TEST_SECRET_EMPTY");
}

// A 0600 file is read, without its trailing newline; 0400 is fine too.
TEST_F(SecretTest, FromFile) {
  std::string p = write("hmac.key", "correct horse battery staple\n", 0600);
  auto r = resolve_secret({SecretRef::Kind::kFile, p});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(*r, "correct horse battery staple");
  std::string q = write("crlf.key", "abc\r\n", 0400);
  auto s = resolve_secret({SecretRef::Kind::kFile, q});
  ASSERT_TRUE(s.has_value()) << s.error().to_string();
  EXPECT_EQ(*s, "abc");
}

// A file that group or others may access is refused with kPermissionDenied and a fix.
TEST_F(SecretTest, LooseModeRefused) {
  for (mode_t mode : {0644, 0640, 0604, 0620, 0602}) {
    std::string p = write("loose.key", "top-secret-value", mode);
    auto r = resolve_secret({SecretRef::Kind::kFile, p});
    ASSERT_FALSE(r.has_value()) << std::oct << mode;
    EXPECT_EQ(r.error().code(), core::Code::kPermissionDenied);
    char mode_text[8];
    std::snprintf(mode_text, sizeof mode_text, "%04o", static_cast<unsigned>(mode));
    EXPECT_EQ(r.error().message(), "secret file '" + p + "' has mode " + mode_text +
                                       ", which lets group or others access it; expected 0600 or "
                                       "stricter (chmod 600 '" +
                                       p + "')");
    EXPECT_EQ(r.error().message().find("top-secret"), std::string::npos);
  }
}

// A missing file is kNotFound; an empty one (or only a newline) is kInvalidArgument.
TEST_F(SecretTest, MissingOrEmptyFile) {
  auto missing = resolve_secret({SecretRef::Kind::kFile, dir_ + "/nope"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), core::Code::kNotFound);
  EXPECT_EQ(missing.error().message(), "secret file '" + dir_ + "/nope' does not exist");
  std::string p = write("empty.key", "\n", 0600);
  auto empty = resolve_secret({SecretRef::Kind::kFile, p});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code(), core::Code::kInvalidArgument);
  EXPECT_EQ(empty.error().message(), "secret file '" + p + "' is empty");
}

// A directory is not a secret file.
TEST_F(SecretTest, DirectoryRefused) {
  auto r = resolve_secret({SecretRef::Kind::kFile, dir_});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), core::Code::kIoError);
}

// A secret file named relative to the config resolves against the config's directory and reads.
TEST_F(SecretTest, RelativeSecretFileFromConfig) {
  write("hmac.key", "shared-secret-of-32-bytes-length!", 0600);
  std::string yaml =
      jwt_config("    algorithms: [HS256]\n", "      hmac_secret: {file: hmac.key}\n");
  auto c = parse(yaml, dir_ + "/gatehouse.yaml");
  ASSERT_TRUE(c.has_value()) << c.error().to_string();
  const SecretRef& ref = (*c)->authorizers[0].jwt.keys.hmac_secret;
  EXPECT_EQ(ref.name_or_path, fs::path(dir_).lexically_normal().string() + "/hmac.key");
  auto s = resolve_secret(ref);
  ASSERT_TRUE(s.has_value()) << s.error().to_string();
  EXPECT_EQ(*s, "shared-secret-of-32-bytes-length!");
}

// The embedded issuer, tables and crud routes: defaults resolve against data_dir, which defaults
// to data/ next to the config file; issuer: self takes the issuer URL and algorithm.
TEST(ConfigLoad, IssuerTablesAndCrudDefaults) {
  auto c = config_of(
      "api: {name: blog, default_authorizer: jwt}\n"
      "issuer:\n"
      "  issuer_url: https://blog.test/\n"
      "  algorithm: ES256\n"
      "  clients:\n"
      "    demo: {secret: {env: DEMO_SECRET}, audiences: [https://api]}\n"
      "authorizers:\n"
      "  jwt: {type: jwt, audiences: [https://api], keys: {issuer: self}}\n"
      "tables:\n"
      "  users: {}\n"
      "routes:\n"
      "  - {path: /users, methods: [GET, POST], integration: {type: crud, table: users}}\n");
  EXPECT_EQ(c->data_dir, "/etc/gh/data");
  ASSERT_TRUE(c->issuer.has_value());
  EXPECT_EQ(c->issuer->key_dir, "/etc/gh/data/issuer-keys");
  EXPECT_EQ(c->issuer->algorithm, JwtAlg::kES256);
  EXPECT_EQ(c->issuer->clients[0].token_lifetime_s, 86400u);
  EXPECT_EQ(c->issuer->clients[0].grant_types, std::vector<std::string>{"client_credentials"});
  const Authorizer& a = c->authorizers[0];
  EXPECT_EQ(a.jwt.keys.source, JwtKeys::Source::kIssuer);
  EXPECT_EQ(a.jwt.issuer, "https://blog.test/");
  EXPECT_EQ(a.jwt.algorithms, std::vector<JwtAlg>{JwtAlg::kES256});
  ASSERT_EQ(c->tables.size(), 1u);
  EXPECT_EQ(c->tables[0].sqlite_path, "/etc/gh/data/users.db");
  EXPECT_EQ(c->tables[0].key_attribute, "id");
  EXPECT_EQ(c->tables[0].max_item_bytes, 65536u);
  EXPECT_EQ(c->routes[0].integration.crud.table, "users");
  EXPECT_FALSE(c->routes[0].integration.crud.owner_only);
  EXPECT_EQ(c->routes[0].integration.crud.default_limit, 100u);
}

// Each mistake in the new sections names its place and the fix.
TEST(ConfigErrors, IssuerTablesAndCrud) {
  const std::string issuer =
      "issuer:\n"
      "  issuer_url: https://blog.test/\n"
      "  clients:\n"
      "    demo: {secret: {env: S}, audiences: [a]}\n";
  struct Case {
    const char* name;
    std::string yaml;
    std::string message;
  } cases[] = {
      {"issuer: self without an issuer",
       "api: {name: x}\nauthorizers:\n  a: {type: jwt, audiences: [x], keys: {issuer: self}}\n" +
           std::string(kPublicRoute),
       "gh.yaml:3:49: authorizers.a.keys.issuer: issuer: self needs the embedded issuer, but there "
       "is no top-level issuer: section; add one or point keys at another issuer"},
      {"issuer: other",
       "api: {name: x}\n" + issuer +
           "authorizers:\n  a: {type: jwt, audiences: [x], keys: {issuer: auth0}}\n" +
           std::string(kPublicRoute),
       "gh.yaml:7:49: authorizers.a.keys.issuer: unknown value 'auth0'; expected self (the "
       "embedded issuer); for another issuer use jwks_url or discovery_url"},
      {"iss differs from the embedded issuer",
       "api: {name: x}\n" + issuer +
           "authorizers:\n  a: {type: jwt, issuer: https://other/, audiences: [x], keys: {issuer: "
           "self}}\n" +
           std::string(kPublicRoute),
       "gh.yaml:7:26: authorizers.a.issuer: 'https://other/' differs from issuer.issuer_url "
       "'https://blog.test/', so no token from the embedded issuer would pass; remove it or make "
       "them equal"},
      {"inline client secret",
       "api: {name: x}\nissuer:\n  issuer_url: https://b/\n  clients:\n    demo: {secret: "
       "hunter2, audiences: [a]}\n" +
           std::string(kPublicRoute),
       "gh.yaml:5:20: issuer.clients.demo.secret: a secret is never accepted inline; expected "
       "{env: VARIABLE} or {file: path} (a file readable by its owner only)"},
      {"bad client id",
       "api: {name: x}\nissuer:\n  issuer_url: https://b/\n  clients:\n    'a b': {secret: "
       "{env: S}, audiences: [a]}\n" +
           std::string(kPublicRoute),
       "gh.yaml:5:5: issuer.clients.a b: 'a b' is not a valid client id; expected 1..128 "
       "letters, digits, '-', '_', '.' or '~'"},
      {"no clients",
       "api: {name: x}\nissuer: {issuer_url: https://b/}\n" + std::string(kPublicRoute),
       "gh.yaml:2:9: issuer.clients: required key is missing; expected at least one client, e.g. "
       "clients: {my-app: {secret: {env: MY_APP_SECRET}, audiences: [https://my-api]}}"},
      {"unknown table",
       "api: {name: x}\nroutes:\n  - {path: /u, method: GET, auth: none, integration: {type: "
       "crud, table: users}}\n",
       "gh.yaml:3:74: routes[0].integration.table: unknown table 'users'; no tables are defined "
       "(add one under tables:)"},
      {"mock key on crud",
       "api: {name: x}\ntables: {users: {}}\nroutes:\n  - {path: /u, method: GET, auth: none, "
       "integration: {type: crud, table: users, status: 200}}\n",
       "gh.yaml:4:81: routes[0].integration.status: 'status' does not apply to type: crud"},
      {"shared sqlite file",
       "api: {name: x}\ntables:\n  a: {sqlite: t.db}\n  b: {sqlite: t.db}\n" +
           std::string(kPublicRoute),
       "gh.yaml:4:3: tables.b: tables 'a' and 'b' would share the file " +
           std::filesystem::current_path().string() + "/t.db; give each table its own sqlite file"},
      {"bad table name", "api: {name: x}\ntables:\n  1users: {}\n" + std::string(kPublicRoute),
       "gh.yaml:3:3: tables.1users: '1users' is not a valid table name; expected 1..64 letters, "
       "digits and '_', not starting with a digit"},
      {"owner_only not a boolean",
       "api: {name: x}\ntables: {users: {}}\nroutes:\n  - {path: /u, method: GET, auth: none, "
       "integration: {type: crud, table: users, owner_only: yes}}\n",
       "gh.yaml:4:93: routes[0].integration.owner_only: expected true or false, got 'yes'"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(error_of(c.yaml), c.message) << "case: " << c.name << "\n" << c.yaml;
  }
}

// ---------------------------------------------------------------------------------------------
// Functions, function authorizers and function integrations

// The shape of the configuration reference: every new key lands in its field.
TEST(ConfigLoad, FunctionsAndFunctionAuthorizers) {
  auto c = config_of(
      "api:\n"
      "  name: blog\n"
      "  binary_media_types: [image/png, \"image/*\", \"*/*\", Application/PDF]\n"
      "  stage_variables: {table: users, mode: dev, retries: 3, debug: true}\n"
      "issuer:\n"
      "  issuer_url: https://blog.test/\n"
      "  clients: {demo: {secret: {env: DEMO_SECRET}, audiences: [https://blog-api]}}\n"
      "functions:\n"
      "  authorizer:\n"
      "    runtime: node\n"
      "    handler: index.handler\n"
      "    working_dir: ./authorizer\n"
      "    environment:\n"
      "      AUTH0_CLIENT_ID: https://blog-api\n"
      "      AUTH0_CLIENT_PUBLIC_KEY: {issuer: certificate}\n"
      "      PUBLIC_KEY: {issuer: public_key}\n"
      "      TABLE_PASSWORD: {env: GH_TABLE_PASSWORD}\n"
      "      CA: {file: ../certs/ca.pem}\n"
      "      DEBUG: true\n"
      "      RATIO: 0.50\n"
      "    concurrency: 4\n"
      "    timeout_s: 5\n"
      "    memory_mb: 256\n"
      "    start: lazy\n"
      "    max_queue: 50\n"
      "  users:\n"
      "    command: [node, bootstrap.js]\n"
      "    handler: users.handler\n"
      "    working_dir: /srv/users\n"
      "  ric:\n"
      "    command: \"npx aws-lambda-ric index.handler\"\n"
      "authorizers:\n"
      "  lambda_token:\n"
      "    type: token\n"
      "    function: authorizer\n"
      "    identity_source: method.request.header.Authorization\n"
      "    validation_regex: \"^Bearer [-0-9a-zA-Z._]+$\"\n"
      "    cache_ttl_s: 60\n"
      "    cache_max_entries: 500\n"
      "    cache_scope: method\n"
      "  lambda_request:\n"
      "    type: request\n"
      "    function: authorizer\n"
      "    identity_source: \"method.request.header.X-Api-Key,method.request.querystring.tenant , "
      "stageVariables.mode,\\tcontext.httpMethod, context.identity.sourceIp\"\n"
      "routes:\n"
      "  - path: /resource\n"
      "    methods: [GET]\n"
      "    auth: lambda_token\n"
      "    integration: {type: function, function: users, timeout_ms: 10000}\n"
      "  - path: /other\n"
      "    method: POST\n"
      "    auth: lambda_request\n"
      "    integration: {type: function, function: ric}\n");

  EXPECT_EQ(c->api.binary_media_types,
            (std::vector<std::string>{"image/png", "image/*", "*/*", "application/pdf"}));
  using Vars = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(c->api.stage_variables,
            (Vars{{"table", "users"}, {"mode", "dev"}, {"retries", "3"}, {"debug", "true"}}));

  ASSERT_EQ(c->functions.size(), 3u);
  const Function& a = c->functions[0];
  EXPECT_EQ(a.name, "authorizer");
  EXPECT_EQ(a.runtime, "node");
  EXPECT_TRUE(a.command.empty());
  EXPECT_EQ(a.handler, "index.handler");
  EXPECT_EQ(a.working_dir, "/etc/gh/authorizer");
  ASSERT_EQ(a.environment.size(), 7u);
  using K = EnvValue::Kind;
  EXPECT_EQ(a.environment[0].first, "AUTH0_CLIENT_ID");
  EXPECT_EQ(a.environment[0].second.kind, K::kLiteral);
  EXPECT_EQ(a.environment[0].second.value, "https://blog-api");
  EXPECT_EQ(a.environment[1].second.kind, K::kIssuerCertificate);
  EXPECT_EQ(a.environment[1].second.value, "");
  EXPECT_EQ(a.environment[2].second.kind, K::kIssuerPublicKey);
  EXPECT_EQ(a.environment[3].second.kind, K::kEnv);
  EXPECT_EQ(a.environment[3].second.value, "GH_TABLE_PASSWORD");
  EXPECT_EQ(a.environment[4].second.kind, K::kFile);
  EXPECT_EQ(a.environment[4].second.value, "/etc/certs/ca.pem");
  EXPECT_EQ(a.environment[5].first, "DEBUG");
  EXPECT_EQ(a.environment[5].second.kind, K::kLiteral);
  EXPECT_EQ(a.environment[5].second.value, "true");
  EXPECT_EQ(a.environment[6].second.value, "0.50");  // as written, not as a double
  EXPECT_EQ(a.concurrency, 4u);
  EXPECT_EQ(a.timeout_s, 5u);
  EXPECT_EQ(a.memory_mb, 256u);
  EXPECT_EQ(a.start, WorkerStart::kLazy);
  EXPECT_EQ(a.max_queue, 50u);
  EXPECT_EQ(a.pos.to_string(), "/etc/gh/gh.yaml:10:5");
  const Function& users = c->functions[1];
  EXPECT_EQ(users.runtime, "");
  EXPECT_EQ(users.command, (std::vector<std::string>{"node", "bootstrap.js"}));
  EXPECT_EQ(users.handler, "users.handler");
  EXPECT_EQ(users.working_dir, "/srv/users");
  const Function& ric = c->functions[2];
  EXPECT_EQ(ric.command,
            (std::vector<std::string>{"/bin/sh", "-c", "npx aws-lambda-ric index.handler"}));
  EXPECT_EQ(ric.handler, "");
  EXPECT_EQ(c->find_function("users"), &users);
  EXPECT_EQ(c->find_function("nope"), nullptr);

  ASSERT_EQ(c->authorizers.size(), 2u);
  const Authorizer& token = c->authorizers[0];
  EXPECT_EQ(token.type, AuthorizerType::kToken);
  EXPECT_EQ(token.function.function, "authorizer");
  EXPECT_EQ(token.identity_source.to_string(), "method.request.header.Authorization");
  EXPECT_TRUE(token.identity_sources.empty());
  EXPECT_EQ(token.function.validation_regex, "^Bearer [-0-9a-zA-Z._]+$");
  EXPECT_EQ(token.function.cache_scope, CacheScope::kMethod);
  EXPECT_EQ(token.cache_ttl_s, 60u);
  EXPECT_EQ(token.cache_max_entries, 500u);
  const Authorizer& request = c->authorizers[1];
  EXPECT_EQ(request.type, AuthorizerType::kRequest);
  EXPECT_EQ(request.function.function, "authorizer");
  EXPECT_EQ(request.function.validation_regex, "");
  EXPECT_EQ(request.function.cache_scope, CacheScope::kIdentity);
  EXPECT_EQ(request.cache_ttl_s, 300u);
  EXPECT_EQ(request.identity_source.to_string(), "method.request.header.Authorization");
  ASSERT_EQ(request.identity_sources.size(), 5u);
  using S = IdentitySource::Kind;
  EXPECT_EQ(request.identity_sources[0].kind, S::kHeader);
  EXPECT_EQ(request.identity_sources[0].name, "X-Api-Key");
  EXPECT_EQ(request.identity_sources[1].kind, S::kQueryString);
  EXPECT_EQ(request.identity_sources[1].name, "tenant");
  EXPECT_EQ(request.identity_sources[2].kind, S::kStageVariable);
  EXPECT_EQ(request.identity_sources[2].name, "mode");
  EXPECT_EQ(request.identity_sources[2].to_string(), "stageVariables.mode");
  EXPECT_EQ(request.identity_sources[3].kind, S::kContext);
  EXPECT_EQ(request.identity_sources[3].name, "httpMethod");
  EXPECT_EQ(request.identity_sources[3].to_string(), "context.httpMethod");
  EXPECT_EQ(request.identity_sources[4].to_string(), "context.identity.sourceIp");

  ASSERT_EQ(c->routes.size(), 2u);
  EXPECT_EQ(c->routes[0].integration.type, IntegrationType::kFunction);
  EXPECT_EQ(c->routes[0].integration.function.function, "users");
  EXPECT_EQ(c->routes[0].integration.function.timeout_ms, 10000u);
  EXPECT_EQ(c->routes[1].integration.function.function, "ric");
  EXPECT_EQ(c->routes[1].integration.function.timeout_ms, 29000u);
}

// A function with only the required keys gets the defaults written in config.h; its working
// directory is the config file's.
TEST(ConfigLoad, FunctionDefaults) {
  auto c = config_of(
      with_route("api: {name: x}\nfunctions:\n  fn: {runtime: node, handler: src/app.main}\n"));
  ASSERT_EQ(c->functions.size(), 1u);
  const Function& f = c->functions[0];
  const Function defaults;
  EXPECT_EQ(f.handler, "src/app.main");
  EXPECT_EQ(f.working_dir, "/etc/gh");
  EXPECT_TRUE(f.environment.empty());
  EXPECT_EQ(f.concurrency, 0u);
  EXPECT_EQ(f.timeout_s, 3u);
  EXPECT_EQ(f.memory_mb, 128u);
  EXPECT_EQ(f.start, WorkerStart::kEager);
  EXPECT_EQ(f.max_queue, 1000u);
  EXPECT_EQ(defaults.concurrency, f.concurrency);
  EXPECT_EQ(defaults.max_queue, f.max_queue);
  auto d = config_of(with_route("api: {name: x}\n"));
  EXPECT_TRUE(d->api.binary_media_types.empty());
  EXPECT_TRUE(d->api.stage_variables.empty());
  EXPECT_TRUE(d->functions.empty());
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

// api.binary_media_types and api.stage_variables.
TEST(ConfigErrors, BinaryMediaTypesAndStageVariables) {
  const std::string expected =
      " is not a media type; expected type/subtype, where '*' may stand for a whole part, e.g. "
      "image/png, image/* or */*";
  expect_errors({
      {"not a list", with_route("api: {name: x, binary_media_types: image/png}\n"),
       "gh.yaml:1:36: api.binary_media_types: expected a list of media types, e.g. [image/png, "
       "\"image/*\"]; got 'image/png'"},
      {"no slash", with_route("api: {name: x, binary_media_types: [image]}\n"),
       "gh.yaml:1:37: api.binary_media_types[0]: 'image'" + expected},
      {"partial wildcard", with_route("api: {name: x, binary_media_types: [image/p*g]}\n"),
       "gh.yaml:1:37: api.binary_media_types[0]: 'image/p*g'" + expected},
      {"two slashes", with_route("api: {name: x, binary_media_types: [a/b/c]}\n"),
       "gh.yaml:1:37: api.binary_media_types[0]: 'a/b/c'" + expected},
      {"empty subtype", with_route("api: {name: x, binary_media_types: [image/]}\n"),
       "gh.yaml:1:37: api.binary_media_types[0]: 'image/'" + expected},
      {"parameters", with_route("api: {name: x, binary_media_types: [\"text/plain; q=1\"]}\n"),
       "gh.yaml:1:37: api.binary_media_types[0]: 'text/plain; q=1'" + expected},
      {"repeated", with_route("api: {name: x, binary_media_types: [image/png, IMAGE/PNG]}\n"),
       "gh.yaml:1:48: api.binary_media_types[1]: 'IMAGE/PNG' is listed twice (media types are "
       "case-insensitive)"},
      {"stage variable name", with_route("api: {name: x, stage_variables: {my-var: 1}}\n"),
       "gh.yaml:1:34: api.stage_variables.my-var: 'my-var' is not a valid stage variable name; "
       "expected letters, digits and '_'"},
      {"stage variable value", with_route("api: {name: x, stage_variables: {a: [1]}}\n"),
       "gh.yaml:1:37: api.stage_variables.a: expected a string, number or boolean, got a list"},
      {"stage variables not a map", with_route("api: {name: x, stage_variables: [a]}\n"),
       "gh.yaml:1:33: api.stage_variables: expected a map, got a list"},
  });
}

// functions.<name>: names, runtime or command, handler, numbers.
TEST(ConfigErrors, Functions) {
  // The function `fn`'s map body starts on line 4.
  auto fn = [](std::string_view body) {
    return "api: {name: x}\nfunctions:\n  fn:\n" + std::string(body) + std::string(kPublicRoute);
  };
  const std::string node = "    runtime: node\n    handler: index.handler\n";
  expect_errors({
      {"name", with_route("api: {name: x}\nfunctions:\n  \"my fn\": {command: [x]}\n"),
       "gh.yaml:3:3: functions.my fn: 'my fn' is not a valid function name; expected 1..64 "
       "letters, digits, '-' and '_'"},
      {"long name",
       with_route("api: {name: x}\nfunctions:\n  " + std::string(65, 'f') + ": {command: [x]}\n"),
       "gh.yaml:3:3: functions." + std::string(65, 'f') + ": '" + std::string(65, 'f') +
           "' is not a valid function name; expected 1..64 letters, digits, '-' and '_'"},
      {"both", fn("    runtime: node\n    handler: i.h\n    command: [node]\n"),
       "gh.yaml:6:5: functions.fn.command: runtime and command are both set; give one of them"},
      {"neither", fn("    handler: index.handler\n"),
       "gh.yaml:4:5: functions.fn: neither runtime nor command is set; give one of them: runtime: "
       "node (with handler:) or command: [program, arg, ...]"},
      {"runtime", fn("    runtime: python3.12\n"),
       "gh.yaml:4:14: functions.fn.runtime: unknown value 'python3.12'; expected one of: node"},
      {"node without handler", fn("    runtime: node\n"),
       "gh.yaml:4:5: functions.fn.handler: required key is missing; runtime: node runs "
       "<file>.<export>, e.g. handler: index.handler"},
      {"node handler without export", fn("    runtime: node\n    handler: lib.d/index\n"),
       "gh.yaml:5:14: functions.fn.handler: 'lib.d/index' is not a node handler; expected "
       "<file>.<export>, e.g. index.handler (the export handler of index.js)"},
      {"handler control character", fn("    command: [x]\n    handler: \"a\\tb\"\n"),
       "gh.yaml:5:14: functions.fn.handler: the handler cannot contain control characters"},
      {"command map", fn("    command: {node: x}\n"),
       "gh.yaml:4:14: functions.fn.command: expected a list (the program and its arguments) or a "
       "string (run by /bin/sh -c), got a map"},
      {"command empty list", fn("    command: []\n"),
       "gh.yaml:4:14: functions.fn.command: the list is empty; expected at least one entry"},
      {"command empty argument", fn("    command: [node, \"\"]\n"),
       "gh.yaml:4:21: functions.fn.command[1]: expected a non-empty string, got an empty string"},
      {"command empty string", fn("    command: \"\"\n"),
       "gh.yaml:4:14: functions.fn.command: expected a non-empty string, got an empty string"},
      {"command NUL", fn("    command: [\"a\\0b\"]\n"),
       "gh.yaml:4:14: functions.fn.command: a command cannot contain NUL bytes"},
      {"concurrency", fn(node + "    concurrency: 257\n"),
       "gh.yaml:6:18: functions.fn.concurrency: 257 is out of range; expected an integer in "
       "0..256"},
      {"timeout zero", fn(node + "    timeout_s: 0\n"),
       "gh.yaml:6:16: functions.fn.timeout_s: 0 is out of range; expected an integer in 1..900"},
      {"timeout", fn(node + "    timeout_s: 901\n"),
       "gh.yaml:6:16: functions.fn.timeout_s: 901 is out of range; expected an integer in 1..900"},
      {"memory", fn(node + "    memory_mb: 64\n"),
       "gh.yaml:6:16: functions.fn.memory_mb: 64 is out of range; expected an integer in "
       "128..10240"},
      {"max_queue", fn(node + "    max_queue: 0\n"),
       "gh.yaml:6:16: functions.fn.max_queue: 0 is out of range; expected an integer in "
       "1..100000"},
      {"start", fn(node + "    start: warm\n"),
       "gh.yaml:6:12: functions.fn.start: unknown value 'warm'; expected one of: eager, lazy"},
      {"unknown key", fn(node + "    timeout: 3\n"),
       "gh.yaml:6:5: functions.fn.timeout: unknown key 'timeout'; did you mean 'timeout_s'?"},
      {"working_dir empty", fn(node + "    working_dir: \"\"\n"),
       "gh.yaml:6:18: functions.fn.working_dir: expected a non-empty string, got an empty string"},
  });
}

// functions.<name>.environment: names, reserved names, literal and referenced values.
TEST(ConfigErrors, FunctionEnvironment) {
  // Line 6 holds the one variable (line 7 after `head`).
  auto env = [](std::string_view var, std::string_view head = "") {
    return "api: {name: x}\n" + std::string(head) +
           "functions:\n  fn:\n    command: [x]\n    environment:\n      " + std::string(var) +
           "\n" + std::string(kPublicRoute);
  };
  const std::string issuer =
      "issuer: {issuer_url: https://b/, clients: {d: {secret: {env: S}, audiences: [a]}}}\n";
  expect_errors({
      {"runtime api", env("AWS_LAMBDA_RUNTIME_API: x"),
       "gh.yaml:6:7: functions.fn.environment.AWS_LAMBDA_RUNTIME_API: 'AWS_LAMBDA_RUNTIME_API' is "
       "reserved: gatehouse points it at the worker's own Runtime API endpoint; remove it"},
      {"handler", env("_HANDLER: index.handler"),
       "gh.yaml:6:7: functions.fn.environment._HANDLER: '_HANDLER' is reserved: gatehouse sets it "
       "from handler:; set handler: instead"},
      {"task root", env("LAMBDA_TASK_ROOT: /x"),
       "gh.yaml:6:7: functions.fn.environment.LAMBDA_TASK_ROOT: 'LAMBDA_TASK_ROOT' is reserved: "
       "gatehouse sets it to working_dir; set working_dir: instead"},
      {"runtime dir", env("LAMBDA_RUNTIME_DIR: /x"),
       "gh.yaml:6:7: functions.fn.environment.LAMBDA_RUNTIME_DIR: 'LAMBDA_RUNTIME_DIR' is "
       "reserved: it belongs to the runtime, as in Lambda; remove it"},
      {"AWS_LAMBDA_*", env("AWS_LAMBDA_FUNCTION_NAME: x"),
       "gh.yaml:6:7: functions.fn.environment.AWS_LAMBDA_FUNCTION_NAME: "
       "'AWS_LAMBDA_FUNCTION_NAME' is reserved: gatehouse sets the AWS_LAMBDA_* variables "
       "itself, as Lambda does; remove it"},
      {"digit first", env("1X: x"),
       "gh.yaml:6:7: functions.fn.environment.1X: '1X' is not a valid environment variable name; "
       "expected a letter, then letters, digits and '_'"},
      {"underscore first", env("_X: x"),
       "gh.yaml:6:7: functions.fn.environment._X: '_X' is not a valid environment variable name; "
       "expected a letter, then letters, digits and '_'"},
      {"dash", env("MY-VAR: x"),
       "gh.yaml:6:7: functions.fn.environment.MY-VAR: 'MY-VAR' is not a valid environment "
       "variable name; expected a letter, then letters, digits and '_'"},
      {"empty value", env("X:"),
       "gh.yaml:6:7: functions.fn.environment.X: expected a string, number or boolean, or one of "
       "{env: NAME}, {file: path}, {issuer: certificate} or {issuer: public_key}; got an empty "
       "value"},
      {"list value", env("X: [a]"),
       "gh.yaml:6:10: functions.fn.environment.X: expected a string, number or boolean, or one "
       "of {env: NAME}, {file: path}, {issuer: certificate} or {issuer: public_key}; got a list"},
      {"NUL", env("X: \"a\\0b\""),
       "gh.yaml:6:10: functions.fn.environment.X: an environment value cannot contain NUL bytes"},
      {"empty map", env("X: {}"),
       "gh.yaml:6:10: functions.fn.environment.X: expected one of {env: NAME}, {file: path}, "
       "{issuer: certificate} or {issuer: public_key}, got an empty map"},
      {"two sources", env("X: {env: A, file: b}"),
       "gh.yaml:6:19: functions.fn.environment.X.file: env is already set; give exactly one of "
       "env, file, issuer"},
      {"unknown source", env("X: {secret: a}"),
       "gh.yaml:6:11: functions.fn.environment.X.secret: unknown key 'secret'; expected one of: "
       "env, file, issuer"},
      {"env name", env("X: {env: 9A}"),
       "gh.yaml:6:16: functions.fn.environment.X.env: '9A' is not an environment variable name; "
       "expected letters, digits and '_', e.g. AUTH0_DOMAIN"},
      {"file empty", env("X: {file: \"\"}"),
       "gh.yaml:6:17: functions.fn.environment.X.file: expected a non-empty string, got an empty "
       "string"},
      {"issuer value", env("X: {issuer: jwks}", issuer),
       "gh.yaml:7:19: functions.fn.environment.X.issuer: unknown value 'jwks'; expected one of: "
       "certificate, public_key"},
      {"issuer without issuer", env("X: {issuer: certificate}"),
       "gh.yaml:6:19: functions.fn.environment.X.issuer: {issuer: certificate} needs the "
       "embedded issuer, but there is no top-level issuer: section; add one, or give the key "
       "with {file: path}"},
      {"not a map",
       env("X: y").replace(env("X: y").find("    environment:\n      X: y"),
                           std::string("    environment:\n      X: y").size(),
                           "    environment: [X]"),
       "gh.yaml:5:18: functions.fn.environment: expected a map, got a list"},
  });
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
       "context.identity.userAgent"},
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
