// functions:: runtime or command, handler, environment, numbers and defaults.
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "config/config_test_support.h"

namespace gatehouse::config {
namespace {

using namespace test_support;

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

// {table: name} values: a remote table is named by its remote name, and a function's SDK reaches
// one place (one endpoint, region and key), in the api's region.
TEST(ConfigErrors, FunctionTables) {
  const std::string tables =
      "tables:\n"
      "  local: {}\n"
      "  a: {backend: dynamodb, region: us-east-1, endpoint: http://127.0.0.1:1, table: a_v2}\n"
      "  a2: {backend: dynamodb, region: us-east-1, endpoint: http://127.0.0.1:1}\n"
      "  b: {backend: dynamodb, region: us-east-1, endpoint: http://127.0.0.1:2}\n"
      "  eu: {backend: dynamodb, region: eu-west-1}\n";
  // Lines 12 and 13 hold the two variables.
  auto env = [&](std::string_view first, std::string_view second) {
    return "api: {name: x}\n" + tables + "functions:\n  fn:\n    command: [x]\n" +
           "    environment:\n      " + std::string(first) + "\n      " + std::string(second) +
           "\n" + std::string(kPublicRoute);
  };
  auto cfg = parse(env("A: {table: a}", "B: {table: a2}"), "gh.yaml");
  ASSERT_TRUE(cfg) << cfg.error().message();
  EXPECT_EQ((*cfg)->functions[0].environment[0].second.kind, EnvValue::Kind::kTable);
  EXPECT_EQ((*cfg)->functions[0].environment[0].second.value, "a");
  EXPECT_TRUE(parse(env("A: {table: local}", "B: x"), "gh.yaml"));
  expect_errors({
      {"embedded and remote", env("A: {table: local}", "B: {table: a}"),
       "gh.yaml:13:10: functions.fn.environment.B: table 'a' is on http://127.0.0.1:1 (region "
       "us-east-1, credentials from the AWS chain), but table 'local' is on the embedded store; a "
       "function's SDK reaches one DynamoDB (one AWS_ENDPOINT_URL_DYNAMODB and one key): give it "
       "tables of one place"},
      {"two endpoints", env("A: {table: a}", "B: {table: b}"),
       "gh.yaml:13:10: functions.fn.environment.B: table 'b' is on http://127.0.0.1:2 (region "
       "us-east-1, credentials from the AWS chain), but table 'a' is on http://127.0.0.1:1 "
       "(region us-east-1, credentials from the AWS chain); a function's SDK reaches one "
       "DynamoDB (one AWS_ENDPOINT_URL_DYNAMODB and one key): give it tables of one place"},
      {"another region", env("A: x", "B: {table: eu}"),
       "gh.yaml:13:10: functions.fn.environment.B: table 'eu' is in region eu-west-1, but "
       "functions sign for api.region us-east-1 (their AWS_REGION); give the table and the api "
       "the same region"},
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
       "{env: NAME}, {file: path}, {issuer: certificate}, {issuer: public_key} or {table: name}; "
       "got an empty value"},
      {"list value", env("X: [a]"),
       "gh.yaml:6:10: functions.fn.environment.X: expected a string, number or boolean, or one "
       "of {env: NAME}, {file: path}, {issuer: certificate}, {issuer: public_key} or {table: "
       "name}; got a list"},
      {"NUL", env("X: \"a\\0b\""),
       "gh.yaml:6:10: functions.fn.environment.X: an environment value cannot contain NUL bytes"},
      {"empty map", env("X: {}"),
       "gh.yaml:6:10: functions.fn.environment.X: expected one of {env: NAME}, {file: path}, "
       "{issuer: certificate}, {issuer: public_key} or {table: name}, got an empty map"},
      {"unknown table", env("X: {table: nope}"),
       "gh.yaml:6:18: functions.fn.environment.X.table: unknown table 'nope'; declare it under "
       "tables:"},
      {"two sources", env("X: {env: A, file: b}"),
       "gh.yaml:6:19: functions.fn.environment.X.file: env is already set; give exactly one of "
       "env, file, issuer, table"},
      {"unknown source", env("X: {secret: a}"),
       "gh.yaml:6:11: functions.fn.environment.X.secret: unknown key 'secret'; expected one of: "
       "env, file, issuer, table"},
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

}  // namespace
}  // namespace gatehouse::config
