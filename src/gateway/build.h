// Turns a loaded Config into the gateway's Runtime and each area's plain Options: the only code
// that reads config structs (areas never include config/).
#pragma once

#include <optional>
#include <string>
#include <utility>

#include <memory>

#include "config/config.h"
#include "core/clock.h"
#include "gateway/runtime.h"
#include "http/client.h"
#include "http/limits.h"
#include "http/server.h"

namespace gatehouse::gateway {

struct BuildDeps {
  core::Clock& clock;
  http::Client& fetch_client;  // for JWKS and discovery URLs
  // The API listener's bound port when known (api.listen may say 0); the embedded issuer's
  // default public URL uses it.
  uint16_t api_port = 0;
  // The DynamoDB listener's bound port (dynamodb.listen may say 0): function workers get its URL
  // as AWS_ENDPOINT_URL_DYNAMODB. 0: no listener.
  uint16_t dynamodb_port = 0;
  // The access key id and secret function workers sign with (dynamodb.credentials, resolved),
  // else placeholders the open listener accepts.
  std::optional<std::pair<std::string, std::string>> dynamodb_credentials = std::nullopt;
  // `gatehouse check`: everything is validated and secrets are read, but nothing is created on
  // disk: tables are not opened and the issuer's keys are not loaded (or generated).
  bool validate_only = false;
  // Where function workers' Runtime API endpoints, timers and pipes run. Null: functions are
  // checked (command, working directory, environment) but no pool is created.
  http::IoPool* io = nullptr;
};

// The runtime for `config`. Errors (kInvalidArgument) start with the offending item's
// file:line:col, e.g. a route template the router refuses or a key file that does not parse.
//
// With `previous` (a reload), what did not change is taken from it instead of being made anew:
// the store and the tables (which must not change: restart_needed()), the issuer, function pools
// and authorizers whose definitions are equal, and the counters of routes that are still there.
// New function pools are created, not started; new authorizers' key fetches are not started.
core::Result<std::shared_ptr<const Runtime>> build_runtime(
    std::shared_ptr<const config::Config> config, BuildDeps& deps,
    const Runtime* previous = nullptr);

// Why `next` cannot replace `running` in a running process, if it cannot: a change to what is
// set up once at start (listeners, I/O threads, the API's limits, the access log, the store and
// its tables). kInvalidArgument naming the key and where it is written.
core::Status restart_needed(const config::Config& running, const config::Config& next);

http::Limits http_limits(const config::Config& config);

// About how many descriptors `config` needs besides its API connections: the process's own (I/O
// contexts, listeners, logs, admin connections), each function worker's (its pidfd, output pipes,
// Runtime API endpoint and connections) and each table's (SQLite's files per connection). `serve`
// keeps them out of max_connections, and refuses to start when the open-files limit cannot hold
// them.
uint64_t reserved_descriptors(const config::Config& config);

// The embedded issuer's options from config.issuer. `resolve_secrets` reads each client's secret
// (false for commands that only touch keys, such as key rotation). Errors: kInvalidArgument
// without an issuer: section; a secret that cannot be read, with its file:line:col.
core::Result<issuer::IssuerOptions> issuer_options(const config::Config& config, uint16_t api_port,
                                                   bool resolve_secrets);

}  // namespace gatehouse::gateway
