#include "functions/pool/worker_env.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>

namespace gatehouse::functions::pool {
namespace {

using namespace std::chrono;

std::map<std::string, std::string> as_map(const std::vector<std::string>& env) {
  std::map<std::string, std::string> out;
  for (const std::string& e : env) {
    size_t eq = e.find('=');
    EXPECT_NE(eq, std::string::npos) << e;
    EXPECT_TRUE(out.emplace(e.substr(0, eq), e.substr(eq + 1)).second) << "twice: " << e;
  }
  return out;
}

PoolOptions options() {
  PoolOptions o;
  o.name = "notes";
  o.handler = "index.handler";
  o.working_dir = "/srv/notes";
  o.memory_mb = 256;
  o.region = "eu-west-1";
  o.execution_env = "AWS_Lambda_nodejs20.x";
  return o;
}

WorkerEnvInputs inputs() {
  WorkerEnvInputs in;
  in.runtime_api_port = 40123;
  in.log_stream = "[$LATEST]0123456789abcdef0123456789abcdef";
  in.now = sys_days{year{2026} / 3 / 7} + hours{23} + minutes{59};
  in.path = "/usr/bin:/bin";
  in.home = "/home/gh";
  return in;
}

// Every variable Lambda sets, with the values of the options and inputs.
TEST(WorkerEnvironment, TheLambdaPlatformVariables) {
  auto env = as_map(worker_environment(options(), inputs()));
  EXPECT_EQ(env["PATH"], "/usr/bin:/bin");
  EXPECT_EQ(env["HOME"], "/home/gh");
  EXPECT_EQ(env["LANG"], "en_US.UTF-8");
  EXPECT_EQ(env["TZ"], ":UTC");
  EXPECT_EQ(env["AWS_LAMBDA_RUNTIME_API"], "127.0.0.1:40123");
  EXPECT_EQ(env["_HANDLER"], "index.handler");
  EXPECT_EQ(env["LAMBDA_TASK_ROOT"], "/srv/notes");
  EXPECT_EQ(env["LAMBDA_RUNTIME_DIR"], "/srv/notes");
  EXPECT_EQ(env["AWS_REGION"], "eu-west-1");
  EXPECT_EQ(env["AWS_DEFAULT_REGION"], "eu-west-1");
  EXPECT_EQ(env["AWS_LAMBDA_FUNCTION_NAME"], "notes");
  EXPECT_EQ(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256");
  EXPECT_EQ(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST");
  EXPECT_EQ(env["AWS_LAMBDA_INITIALIZATION_TYPE"], "on-demand");
  EXPECT_EQ(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/notes");
  EXPECT_EQ(env["AWS_LAMBDA_LOG_STREAM_NAME"],
            "2026/03/07/[$LATEST]0123456789abcdef0123456789abcdef");
  EXPECT_EQ(env["AWS_EXECUTION_ENV"], "AWS_Lambda_nodejs20.x");
  EXPECT_EQ(env.size(), 17u);
}

// Nothing else of gatehouse's environment is passed on; PATH has a default, HOME none.
TEST(WorkerEnvironment, UnsetPathAndHome) {
  WorkerEnvInputs in = inputs();
  in.path.reset();
  in.home.reset();
  PoolOptions o = options();
  o.handler.clear();
  o.execution_env.clear();
  o.runtime_dir = "/opt/runtime";
  auto env = as_map(worker_environment(o, in));
  EXPECT_EQ(env["PATH"], "/usr/local/bin:/usr/bin/:/bin:/opt/bin");
  EXPECT_EQ(env.count("HOME"), 0u);
  EXPECT_EQ(env.count("_HANDLER"), 0u);
  EXPECT_EQ(env.count("AWS_EXECUTION_ENV"), 0u);
  EXPECT_EQ(env["LAMBDA_RUNTIME_DIR"], "/opt/runtime");
}

// The function's variables come last and replace a platform default of the same name.
TEST(WorkerEnvironment, FunctionVariablesReplaceDefaults) {
  PoolOptions o = options();
  o.environment = {{"TZ", "Europe/Paris"}, {"TABLE", "notes"}, {"PATH", "/opt/bin"}};
  std::vector<std::string> env = worker_environment(o, inputs());
  auto m = as_map(env);
  EXPECT_EQ(m["TZ"], "Europe/Paris");
  EXPECT_EQ(m["TABLE"], "notes");
  EXPECT_EQ(m["PATH"], "/opt/bin");
  EXPECT_EQ(env.back(), "PATH=/opt/bin");
}

// With the DynamoDB listener, the SDKs in the worker find it and have credentials to sign with;
// without it, neither is set (a function then reaches whatever its own variables say).
TEST(WorkerEnvironment, DynamoDbEndpointAndCredentials) {
  auto none = as_map(worker_environment(options(), inputs()));
  EXPECT_FALSE(none.contains("AWS_ENDPOINT_URL_DYNAMODB"));
  EXPECT_FALSE(none.contains("AWS_ACCESS_KEY_ID"));
  PoolOptions o = options();
  o.dynamodb_endpoint = "http://127.0.0.1:8000";
  o.access_key_id = "AKIDEXAMPLE";
  o.secret_access_key = "secret";
  o.environment = {{"AWS_ENDPOINT_URL_DYNAMODB", "http://other:9000"}};
  auto m = as_map(worker_environment(o, inputs()));
  EXPECT_EQ(m["AWS_ENDPOINT_URL_DYNAMODB"], "http://other:9000");  // the function's own wins
  EXPECT_EQ(m["AWS_ACCESS_KEY_ID"], "AKIDEXAMPLE");
  EXPECT_EQ(m["AWS_SECRET_ACCESS_KEY"], "secret");
  EXPECT_FALSE(m.contains("AWS_SESSION_TOKEN"));
  // Temporary credentials carry their session token, as Lambda passes a role's.
  o.session_token = "token";
  EXPECT_EQ(as_map(worker_environment(o, inputs()))["AWS_SESSION_TOKEN"], "token");
}

}  // namespace
}  // namespace gatehouse::functions::pool
