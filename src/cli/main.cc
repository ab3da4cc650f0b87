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

  gatehouse::cli::ServeArgs serve_args;
  auto* serve = app.add_subcommand("serve", "Run the gateway");
  serve->add_option("-c,--config", serve_args.config_path, "Path to gatehouse.yaml")->required();
  serve->add_option("--port", serve_args.api_port, "Listen on this port instead of api.listen's")
      ->check(CLI::Range(0, 65535));
  serve
      ->add_option("--admin-port", serve_args.admin_port,
                   "Serve the admin endpoints on this port instead of admin.listen's")
      ->check(CLI::Range(0, 65535));

  std::string check_path;
  auto* check = app.add_subcommand("check", "Validate a config and print its route table");
  check->add_option("-c,--config", check_path, "Path to gatehouse.yaml")->required();

  gatehouse::cli::TokenArgs token_args;
  auto* token = app.add_subcommand("token", "Print a token from the embedded issuer");
  token->add_option("-c,--config", token_args.config_path, "Path to gatehouse.yaml")->required();
  token->add_option("--client", token_args.client_id, "A client under issuer.clients")->required();
  token->add_option("--audience", token_args.audience,
                    "The aud to request (default: the client's only audience)");
  token->add_option("--scope", token_args.scope,
                    "Space-separated scopes (default: all the client's scopes)");

  std::string keys_path;
  auto* keys = app.add_subcommand("keys", "Manage the embedded issuer's signing keys");
  keys->require_subcommand(1);
  auto* rotate = keys->add_subcommand(
      "rotate", "Make a new signing key active; the old one stays in the JWKS for the grace");
  rotate->add_option("-c,--config", keys_path, "Path to gatehouse.yaml")->required();

  CLI11_PARSE(app, argc, argv);

  if (serve->parsed()) return gatehouse::cli::serve(serve_args);
  if (check->parsed()) return gatehouse::cli::check(check_path);
  if (token->parsed()) return gatehouse::cli::token(token_args);
  if (rotate->parsed()) return gatehouse::cli::keys_rotate(keys_path);
  return 2;
}
