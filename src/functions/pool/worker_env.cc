#include "functions/pool/worker_env.h"

#include <fmt/format.h>
#include <string_view>

namespace gatehouse::functions::pool {

std::vector<std::string> worker_environment(const PoolOptions& options,
                                            const WorkerEnvInputs& inputs) {
  auto days = std::chrono::floor<std::chrono::days>(inputs.now);
  std::chrono::year_month_day ymd{days};
  std::vector<std::string> env;
  auto add = [&](std::string_view k, std::string_view v) {
    env.push_back(fmt::format("{}={}", k, v));
  };
  add("PATH", inputs.path ? *inputs.path : "/usr/local/bin:/usr/bin/:/bin:/opt/bin");
  if (inputs.home) add("HOME", *inputs.home);
  add("LANG", "en_US.UTF-8");
  add("TZ", ":UTC");
  add("AWS_LAMBDA_RUNTIME_API", fmt::format("127.0.0.1:{}", inputs.runtime_api_port));
  if (!options.handler.empty()) add("_HANDLER", options.handler);
  add("LAMBDA_TASK_ROOT", options.working_dir);
  add("LAMBDA_RUNTIME_DIR",
      options.runtime_dir.empty() ? options.working_dir : options.runtime_dir);
  add("AWS_REGION", options.region);
  add("AWS_DEFAULT_REGION", options.region);
  add("AWS_LAMBDA_FUNCTION_NAME", options.name);
  add("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", std::to_string(options.memory_mb));
  add("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
  add("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
  add("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + options.name);
  add("AWS_LAMBDA_LOG_STREAM_NAME",
      fmt::format("{:04}/{:02}/{:02}/{}", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  inputs.log_stream));
  if (!options.execution_env.empty()) add("AWS_EXECUTION_ENV", options.execution_env);
  if (!options.access_key_id.empty()) {
    add("AWS_ACCESS_KEY_ID", options.access_key_id);
    add("AWS_SECRET_ACCESS_KEY", options.secret_access_key);
    if (!options.session_token.empty()) add("AWS_SESSION_TOKEN", options.session_token);
  }
  if (!options.dynamodb_endpoint.empty())
    add("AWS_ENDPOINT_URL_DYNAMODB", options.dynamodb_endpoint);
  for (const auto& [k, v] : options.environment) {
    std::string prefix = k + "=";
    std::erase_if(env, [&](const std::string& e) { return e.starts_with(prefix); });
    add(k, v);
  }
  return env;
}

}  // namespace gatehouse::functions::pool
