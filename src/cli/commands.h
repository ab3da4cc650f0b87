// The subcommands. Each returns the process exit code: 0 success, 1 runtime failure, 2 bad
// configuration or usage.
#pragma once

#include <string>

namespace gatehouse::cli {

inline constexpr const char* kVersion = "0.1.0";

// Runs the gateway until SIGTERM/SIGINT, then shuts down gracefully.
int serve(const std::string& config_path);
// Validates the config and prints the route table with each route's authorizer.
int check(const std::string& config_path);

}  // namespace gatehouse::cli
