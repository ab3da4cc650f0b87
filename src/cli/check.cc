#include <fmt/format.h>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <cstdio>

#include "cli/commands.h"
#include "cli/route_table.h"
#include "config/config.h"
#include "core/clock.h"
#include "gateway/build.h"

namespace gatehouse::cli {

namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

const char* key_source_name(config::JwtKeys::Source s) {
  switch (s) {
    case config::JwtKeys::Source::kJwksFile:
      return "jwks_file";
    case config::JwtKeys::Source::kJwksUrl:
      return "jwks_url";
    case config::JwtKeys::Source::kDiscoveryUrl:
      return "discovery_url";
    case config::JwtKeys::Source::kPemFile:
      return "pem_file";
    case config::JwtKeys::Source::kHmacSecret:
      return "hmac_secret";
    case config::JwtKeys::Source::kIssuer:
      return "issuer";
  }
  return "?";
}

}  // namespace

int check(const std::string& config_path) {
  auto cfg = config::load(config_path);
  if (!cfg) {
    // Several errors come one per line: say how many first.
    const std::string& message = cfg.error().message();
    const auto count = std::count(message.begin(), message.end(), '\n') + 1;
    if (count > 1) {
      std::fprintf(stderr, "gatehouse check: %ld errors:\n%s\n", static_cast<long>(count),
                   message.c_str());
    } else {
      std::fprintf(stderr, "gatehouse check: %s\n", message.c_str());
    }
    return 2;
  }
  const config::Config& config = **cfg;
  // Building the runtime also compiles the route table and reads key files, so every error a
  // start would meet is found here; URL key sources are not fetched.
  boost::asio::io_context ioc;
  http::Client client(ioc);
  http::IoPool functions_io(1);  // function pools are created (checked), never started
  gateway::BuildDeps deps{core::system_clock(), client};
  deps.validate_only = true;
  deps.io = &functions_io;
  auto runtime = gateway::build_runtime(*cfg, deps);
  if (!runtime) {
    std::fprintf(stderr, "gatehouse check: %s\n", runtime.error().message().c_str());
    return 2;
  }

  std::string out = fmt::format("{}: ok\napi '{}' stage '{}' on {}\n\nauthorizers:\n", config_path,
                                config.api.name, config.api.stage, config.api.listen.to_string());
  if (config.authorizers.empty()) out += "  (none)\n";
  for (auto& a : config.authorizers) {
    bool is_default = config.api.default_authorizer && *config.api.default_authorizer == a.name;
    if (a.type != config::AuthorizerType::kJwt) {
      bool token = a.type == config::AuthorizerType::kToken;
      std::string identity = token ? a.identity_source.to_string() : std::string();
      for (auto& s : a.identity_sources) {
        if (!identity.empty()) identity += ",";
        identity += s.to_string();
      }
      out += fmt::format("  {}{}: {}, function {}, identity {}, cache ttl {}s\n", a.name,
                         is_default ? " (default)" : "", token ? "token" : "request",
                         a.function.function, identity.empty() ? "-" : identity, a.cache_ttl_s);
      continue;
    }
    std::string algs;
    for (auto alg : a.jwt.algorithms) {
      if (!algs.empty()) algs += ",";
      algs += config::to_string(alg);
    }
    out += fmt::format(
        "  {}{}: jwt, identity {}, issuer {}, audiences {}, algorithms {}, "
        "keys {} {}, cache ttl {}s\n",
        a.name, is_default ? " (default)" : "", a.identity_source.to_string(), a.jwt.issuer,
        join(a.jwt.audiences, ","), algs, key_source_name(a.jwt.keys.source),
        a.jwt.keys.source == config::JwtKeys::Source::kHmacSecret ? std::string("(secret)")
        : a.jwt.keys.source == config::JwtKeys::Source::kIssuer   ? std::string("self")
                                                                  : a.jwt.keys.location,
        a.cache_ttl_s);
  }

  if (config.issuer) {
    out += fmt::format("\nissuer: iss {}, {} client(s), keys in {}\n", config.issuer->issuer_url,
                       config.issuer->clients.size(), config.issuer->key_dir);
  }
  for (auto& t : config.tables) {
    if (t.remote) {
      out += fmt::format("table {}: key '{}', on {} (table '{}', region {})\n", t.name,
                         t.key_attribute, t.remote->endpoint, t.remote->table, t.remote->region);
    } else {
      out += fmt::format("table {}: key '{}', in {}\n", t.name, t.key_attribute,
                         config::store_file(config));
    }
  }
  if (config.dynamodb) {
    out += fmt::format("dynamodb: listens on {}, tables in {}{}\n",
                       config.dynamodb->listen.to_string(), config.dynamodb->file,
                       config.dynamodb->credentials ? ", signatures verified" : "");
  }
  // Environment values are never printed: they often hold credentials.
  for (auto& f : config.functions) {
    out += fmt::format("function {}: {}, concurrency {}, timeout {}s, {} env var(s)\n", f.name,
                       f.runtime.empty() ? "command " + join(f.command, " ")
                                         : "runtime " + f.runtime + " " + f.handler,
                       f.concurrency, f.timeout_s, f.environment.size());
  }

  out += "\n" + route_table(config);
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace gatehouse::cli
