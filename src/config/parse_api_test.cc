// api:, admin:, access_log: and the values they check.
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "config/config_test_support.h"

namespace gatehouse::config {
namespace {

using namespace test_support;

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

}  // namespace

// api.cors: lists normalised, origins checked, credentials never with "*".
TEST(ConfigLoad, Cors) {
  auto c = config_of(with_route(
      "api:\n  name: x\n  cors:\n    allow_origins: [HTTPS://App.Example.com, "
      "http://localhost:3000]\n"
      "    allow_methods: [get, POST]\n    allow_headers: [Authorization, \"*\"]\n"
      "    expose_headers: [X-Request-Id]\n    allow_credentials: true\n    max_age_s: 600\n"));
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->api.cors.has_value());
  const Cors& cors = *c->api.cors;
  EXPECT_EQ(cors.allow_origins,
            (std::vector<std::string>{"https://app.example.com", "http://localhost:3000"}));
  EXPECT_EQ(cors.allow_methods, (std::vector<std::string>{"GET", "POST"}));
  EXPECT_EQ(cors.allow_headers, (std::vector<std::string>{"authorization", "*"}));
  EXPECT_EQ(cors.expose_headers, (std::vector<std::string>{"x-request-id"}));
  EXPECT_TRUE(cors.allow_credentials);
  EXPECT_EQ(cors.max_age_s, 600u);
  EXPECT_FALSE(config_of(with_route("api: {name: x}\n"))->api.cors.has_value());
}

TEST(ConfigErrors, Cors) {
  const std::string kOrigin =
      " is not valid here; expected an origin such as https://app.example.com (scheme, host and "
      "port, no path), \"*\", \"https://*\" or \"http://*\"";
  expect_errors({
      {"no origins", with_route("api: {name: x, cors: {allow_methods: [GET]}}\n"),
       "gh.yaml:1:22: api.cors.allow_origins: required key is missing; expected the origins "
       "browsers may call from, e.g. [https://app.example.com]"},
      {"empty origins", with_route("api: {name: x, cors: {allow_origins: []}}\n"),
       "gh.yaml:1:38: api.cors.allow_origins: list at least one origin, e.g. "
       "[https://app.example.com]"},
      {"a path", with_route("api: {name: x, cors: {allow_origins: [https://a.test/app]}}\n"),
       "gh.yaml:1:39: api.cors.allow_origins[0]: 'https://a.test/app'" + kOrigin},
      {"no scheme", with_route("api: {name: x, cors: {allow_origins: [a.test]}}\n"),
       "gh.yaml:1:39: api.cors.allow_origins[0]: 'a.test'" + kOrigin},
      {"credentials with any https origin",
       with_route(
           "api: {name: x, cors: {allow_origins: [\"https://*\"], allow_credentials: true}}\n"),
       "gh.yaml:1:72: api.cors.allow_credentials: allow_credentials cannot go with allow_origins "
       "'https://*': any site of that scheme could make credentialed calls; list the origins"},
      {"credentials with any origin",
       with_route("api: {name: x, cors: {allow_origins: [\"*\"], allow_credentials: true}}\n"),
       "gh.yaml:1:64: api.cors.allow_credentials: allow_credentials cannot go with allow_origins "
       "\"*\": browsers refuse credentials from a wildcard; list the origins"},
      {"repeated",
       with_route("api: {name: x, cors: {allow_origins: [https://a.test, HTTPS://A.test]}}\n"),
       "gh.yaml:1:55: api.cors.allow_origins[1]: 'HTTPS://A.test' is listed twice (compared "
       "case-insensitively)"},
      {"bad method",
       with_route(
           "api: {name: x, cors: {allow_origins: [\"*\"], allow_methods: [\"GET POST\"]}}\n"),
       "gh.yaml:1:61: api.cors.allow_methods[0]: 'GET POST' is not valid here; expected a method "
       "such as GET, or \"*\""},
      {"max age", with_route("api: {name: x, cors: {allow_origins: [\"*\"], max_age_s: 86401}}\n"),
       "gh.yaml:1:56: api.cors.max_age_s: 86401 is out of range; expected an integer in 0..86400"},
      {"unknown key", with_route("api: {name: x, cors: {allow_origins: [\"*\"], origins: [a]}}\n"),
       "gh.yaml:1:45: api.cors.origins: unknown key 'origins'; expected one of: allow_origins, "
       "allow_methods, allow_headers, expose_headers, allow_credentials, max_age_s"},
  });
}

// api.throttle is every route's default; a route's own replaces it.
TEST(ConfigLoad, Throttle) {
  auto c = config_of(
      "api: {name: x, throttle: {rate: 0.5, burst: 2}}\n"
      "routes:\n"
      "  - {path: /a, method: GET, auth: none, integration: {type: mock}}\n"
      "  - {path: /b, method: GET, auth: none, throttle: {rate: 100, burst: 0},\n"
      "     integration: {type: mock}}\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->api.throttle, (Throttle{0.5, 2}));
  EXPECT_EQ(c->routes[0].throttle, (Throttle{0.5, 2}));
  EXPECT_EQ(c->routes[1].throttle, (Throttle{100, 0}));
  EXPECT_FALSE(config_of(with_route("api: {name: x}\n"))->routes[0].throttle.has_value());
}

TEST(ConfigErrors, Throttle) {
  const std::string kRate =
      " is not a rate; expected requests per second from 0 to 1000000, e.g. 100 or 0.5";
  expect_errors({
      {"no burst", with_route("api: {name: x, throttle: {rate: 1}}\n"),
       "gh.yaml:1:26: api.throttle.burst: required key is missing; expected requests at once, e.g. "
       "200"},
      {"no rate", with_route("api: {name: x, throttle: {burst: 1}}\n"),
       "gh.yaml:1:26: api.throttle.rate: required key is missing; expected requests per second, "
       "e.g. 100"},
      {"negative rate", with_route("api: {name: x, throttle: {rate: -1, burst: 1}}\n"),
       "gh.yaml:1:33: api.throttle.rate: '-1'" + kRate},
      {"rate not a number", with_route("api: {name: x, throttle: {rate: fast, burst: 1}}\n"),
       "gh.yaml:1:33: api.throttle.rate: 'fast'" + kRate},
      {"burst too large", with_route("api: {name: x, throttle: {rate: 1, burst: 1000001}}\n"),
       "gh.yaml:1:43: api.throttle.burst: 1000001 is out of range; expected an integer in "
       "0..1000000"},
      {"route throttle",
       "api: {name: x}\nroutes:\n  - {path: /, method: GET, auth: none, throttle: {rate: 1e9, "
       "burst: 1}, integration: {type: mock}}\n",
       "gh.yaml:3:57: routes[0].throttle.rate: '1e9'" + kRate},
  });
}

// usage_plans: keys nested in their plan, one plan per key; routes that need a key need plans.
TEST(ConfigLoad, UsagePlans) {
  auto c = config_of(
      "api: {name: x, api_key_source: authorizer}\n"
      "usage_plans:\n"
      "  basic:\n"
      "    throttle: {rate: 5, burst: 10}\n"
      "    quota: {limit: 1000, period: week}\n"
      "    api_keys:\n"
      "      partner-a: {value: {env: PARTNER_A_KEY}}\n"
      "  free:\n"
      "    api_keys: {trial: {value: {env: TRIAL_KEY}}}\n"
      "routes:\n"
      "  - {path: /, method: GET, auth: none, api_key_required: true, integration: {type: "
      "mock}}\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->api.api_key_source, ApiKeySource::kAuthorizer);
  ASSERT_EQ(c->usage_plans.size(), 2u);
  EXPECT_EQ(c->usage_plans[0].name, "basic");
  EXPECT_EQ(c->usage_plans[0].throttle, (Throttle{5, 10}));
  EXPECT_EQ(c->usage_plans[0].quota, (UsagePlan::Quota{1000, UsagePlan::Period::kWeek}));
  EXPECT_EQ(c->usage_plans[0].api_keys[0].name, "partner-a");
  EXPECT_EQ(c->usage_plans[0].api_keys[0].value.name_or_path, "PARTNER_A_KEY");
  EXPECT_FALSE(c->usage_plans[1].quota.has_value());
  EXPECT_TRUE(c->routes[0].api_key_required);
}

TEST(ConfigErrors, UsagePlans) {
  const std::string route =
      "routes:\n  - {path: /, method: GET, auth: none, integration: {type: mock}}\n";
  expect_errors({
      {"key without plans",
       "api: {name: x}\nroutes:\n  - {path: /, method: GET, auth: none, api_key_required: true, "
       "integration: {type: mock}}\n",
       "gh.yaml:3:58: routes[0].api_key_required: no API key could pass: define the keys under "
       "usage_plans, e.g. usage_plans: {basic: {api_keys: {partner-a: {value: {env: "
       "PARTNER_A_KEY}}}}}"},
      {"inline value", "api: {name: x}\nusage_plans:\n  p: {api_keys: {k: {value: abc}}}\n" + route,
       "gh.yaml:3:29: usage_plans.p.api_keys.k.value: a secret is never accepted inline; expected "
       "{env: VARIABLE} or {file: path} (a file readable by its owner only)"},
      {"key in two plans",
       "api: {name: x}\nusage_plans:\n  p: {api_keys: {k: {value: {env: A}}}}\n"
       "  q: {api_keys: {k: {value: {env: B}}}}\n" +
           route,
       "gh.yaml:4:18: usage_plans.q.api_keys.k: API key 'k' is in another plan too; a key belongs "
       "to one plan"},
      {"no keys", "api: {name: x}\nusage_plans:\n  p: {api_keys: {}}\n" + route,
       "gh.yaml:3:17: usage_plans.p.api_keys: a plan needs at least one API key"},
      {"period",
       "api: {name: x}\nusage_plans:\n  p: {quota: {limit: 5, period: year}, api_keys: {k: {value: "
       "{env: A}}}}\n" +
           route,
       "gh.yaml:3:33: usage_plans.p.quota.period: unknown value 'year'; expected one of: day, "
       "week, month"},
      {"source", "api: {name: x, api_key_source: query}\n" + route,
       "gh.yaml:1:32: api.api_key_source: unknown value 'query'; expected one of: header, "
       "authorizer"},
  });
}

// api.tls: paths resolved against the config's directory; the files are read at build.
TEST(ConfigLoad, Tls) {
  auto c =
      config_of(with_route("api:\n"
                           "  name: x\n"
                           "  tls:\n"
                           "    certificates:\n"
                           "      - {certificate: certs/api.pem, key: /keys/api.key}\n"
                           "      - {certificate: b.pem, key: b.key}\n"
                           "    min_version: 1.3\n"
                           "    ciphers: ECDHE-RSA-AES128-GCM-SHA256\n"
                           "    mutual_tls: {truststore: clients.pem, required: false}\n"));
  ASSERT_TRUE(c->api.tls);
  const ListenerTls& tls = *c->api.tls;
  ASSERT_EQ(tls.certificates.size(), 2u);
  EXPECT_EQ(tls.certificates[0].certificate, "/etc/gh/certs/api.pem");
  EXPECT_EQ(tls.certificates[0].key, "/keys/api.key");
  EXPECT_EQ(tls.certificates[1].key, "/etc/gh/b.key");
  EXPECT_EQ(tls.min_version, TlsMinVersion::kTls13);
  EXPECT_EQ(tls.ciphers, "ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_EQ(tls.mutual_tls, (MutualTls{"/etc/gh/clients.pem", false}));
  auto plain =
      config_of(with_route("api: {name: x, tls: {certificates: [{certificate: a.pem, key: a.key}], "
                           "mutual_tls: {truststore: ca.pem}}}\n"));
  EXPECT_EQ(plain->api.tls->min_version, TlsMinVersion::kTls12);
  EXPECT_FALSE(plain->api.tls->ciphers);
  EXPECT_TRUE(plain->api.tls->mutual_tls->required);
  EXPECT_FALSE(config_of(with_route("api: {name: x}\n"))->api.tls);
}

TEST(ConfigErrors, Tls) {
  const std::string kCert = "{certificate: a.pem, key: a.key}";
  expect_errors({
      {"no certificates", with_route("api: {name: x, tls: {min_version: 1.2}}\n"),
       "gh.yaml:1:21: api.tls.certificates: required key is missing; expected a list of "
       "{certificate: cert.pem, key: key.pem}"},
      {"empty list", with_route("api: {name: x, tls: {certificates: []}}\n"),
       "gh.yaml:1:36: api.tls.certificates: expected a list of one or more {certificate: "
       "cert.pem, key: key.pem}; got an empty list"},
      {"no key", with_route("api: {name: x, tls: {certificates: [{certificate: a.pem}]}}\n"),
       "gh.yaml:1:37: api.tls.certificates[0].key: required key is missing; expected the "
       "certificate's PEM private key"},
      {"version",
       with_route("api: {name: x, tls: {certificates: [" + kCert + "], min_version: 1.1}}\n"),
       "gh.yaml:1:85: api.tls.min_version: '1.1' is not a TLS version gatehouse serves; expected "
       "\"1.2\" (TLS 1.2 and 1.3) or \"1.3\""},
      {"no truststore",
       with_route("api: {name: x, tls: {certificates: [" + kCert + "], mutual_tls: {}}}\n"),
       "gh.yaml:1:84: api.tls.mutual_tls.truststore: required key is missing; expected a PEM "
       "file of the CA certificates client certificates must chain to"},
      {"unknown key",
       with_route("api: {name: x, tls: {certificates: [" + kCert + "], protocols: [tls1.3]}}\n"),
       "gh.yaml:1:72: api.tls.protocols: unknown key 'protocols'; expected one of: "
       "certificates, min_version, ciphers, mutual_tls"},
  });
}

}  // namespace gatehouse::config
