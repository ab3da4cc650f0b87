// gatehouse: the composition root. Parses the command line, loads the config, wires the areas
// together in an explicit start-up order and tears them down in the reverse order.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"gatehouse — an API gateway with AWS API Gateway's authorizer semantics"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("gatehouse ") + gatehouse::cli::kVersion);

  std::string config_path;
  auto* serve = app.add_subcommand("serve", "Run the gateway");
  serve->add_option("-c,--config", config_path, "Path to gatehouse.yaml")->required();

  std::string check_path;
  auto* check = app.add_subcommand("check", "Validate a config and print its route table");
  check->add_option("-c,--config", check_path, "Path to gatehouse.yaml")->required();

  CLI11_PARSE(app, argc, argv);

  if (serve->parsed()) return gatehouse::cli::serve(config_path);
  if (check->parsed()) return gatehouse::cli::check(check_path);
  return 2;
}
