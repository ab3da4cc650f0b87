// The subcommands. Each returns the process exit code: 0 success, 1 runtime failure, 2 bad
// configuration or usage.
#pragma once

#include <string>

namespace gatehouse::cli {

inline constexpr const char* kVersion = "0.1.0";

struct ServeArgs {
  std::string config_path;
  int api_port = -1;    // >= 0: overrides api.listen's port
  int admin_port = -1;  // >= 0: overrides admin.listen's port
};
// Runs the gateway until SIGTERM/SIGINT, then shuts down gracefully.
int serve(const ServeArgs& args);
// Validates the config and prints the route table with each route's authorizer.
int check(const std::string& config_path);

struct TokenArgs {
  std::string config_path;
  std::string client_id;
  std::string audience;  // empty: the client's only audience
  std::string scope;     // empty: all the client's scopes
};
// Prints a fresh token from the embedded issuer for a configured client.
int token(const TokenArgs& args);
// Makes a new signing key active; the previous one stays in the JWKS for the grace period.
int keys_rotate(const std::string& config_path);

}  // namespace gatehouse::cli
