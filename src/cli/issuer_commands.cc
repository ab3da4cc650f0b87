// `gatehouse token` and `gatehouse keys rotate`: the embedded issuer from the command line, for
// scripts, curl and operators. Both read the same config file as `serve`.
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "config/config.h"
#include "core/clock.h"
#include "gateway/build.h"
#include "issuer/issuer.h"

namespace gatehouse::cli {

int token(const TokenArgs& args) {
  auto cfg = config::load(args.config_path);
  if (!cfg) {
    std::fprintf(stderr, "gatehouse: %s\n", cfg.error().message().c_str());
    return 2;
  }
  const config::Config& config = **cfg;
  const config::IssuerClient* client = nullptr;
  if (config.issuer) {
    for (const auto& c : config.issuer->clients) {
      if (c.id == args.client_id) client = &c;
    }
  }
  if (client == nullptr) {
    std::fprintf(stderr, "gatehouse: %s has no issuer client '%s'\n", args.config_path.c_str(),
                 args.client_id.c_str());
    return 2;
  }
  std::string audience = args.audience;
  if (audience.empty()) {
    if (client->audiences.size() != 1) {
      std::fprintf(stderr,
                   "gatehouse: client '%s' may request several audiences; pick one with "
                   "--audience\n",
                   client->id.c_str());
      return 2;
    }
    audience = client->audiences[0];
  }
  auto options = gateway::issuer_options(config, 0, true);
  if (!options) {
    std::fprintf(stderr, "gatehouse: %s\n", options.error().message().c_str());
    return 2;
  }
  // Only the client asked for needs its secret hashed.
  std::erase_if(options->clients,
                [&](const issuer::ClientOptions& c) { return c.id != args.client_id; });
  issuer::IssuerStats stats;
  auto iss = issuer::Issuer::open(std::move(*options), core::system_clock(), stats);
  if (!iss) {
    std::fprintf(stderr, "gatehouse: issuer: %s\n", iss.error().message().c_str());
    return 1;
  }
  auto jwt = (*iss)->mint(args.client_id, audience, args.scope);
  (*iss)->close();
  if (!jwt) {
    std::fprintf(stderr, "gatehouse: %s\n", jwt.error().message().c_str());
    return 2;
  }
  std::fprintf(stdout, "%s\n", jwt->c_str());
  return 0;
}

int keys_rotate(const std::string& config_path) {
  auto cfg = config::load(config_path);
  if (!cfg) {
    std::fprintf(stderr, "gatehouse: %s\n", cfg.error().message().c_str());
    return 2;
  }
  auto options = gateway::issuer_options(**cfg, 0, false);
  if (!options) {
    std::fprintf(stderr, "gatehouse: %s\n", options.error().message().c_str());
    return 2;
  }
  auto kid = issuer::rotate_keys(*options, core::system_clock());
  if (!kid) {
    std::fprintf(stderr, "gatehouse: keys rotate: %s\n", kid.error().message().c_str());
    return 1;
  }
  std::fprintf(stdout, "{\"event\":\"rotated\",\"kid\":\"%s\",\"previous_key_grace_s\":%u}\n",
               kid->c_str(), (*cfg)->issuer->rotation_grace_s);
  return 0;
}

}  // namespace gatehouse::cli
