// The reading kit's errors, as a config shows them: unknown keys with suggestions, wrong types,
// ranges, missing keys, paths, listen addresses and headers.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "config/config.h"
#include "config/config_test_support.h"

namespace gatehouse::config {
namespace {

using namespace test_support;
namespace fs = std::filesystem;

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
      "function, http_proxy");
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
       "binary_media_types, stage_variables, cors, throttle, api_key_source, tls"},
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
       "crud, function or http_proxy"},
      {"route auth without default",
       "api: {name: x}\nroutes:\n  - path: /\n    method: GET\n"
       "    integration: {type: mock}\n",
       "gh.yaml:3:5: routes[0].auth: required key is missing and api.default_authorizer is not "
       "set; routes fail closed: write auth: none for a public route or name an authorizer"},
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

}  // namespace
}  // namespace gatehouse::config
