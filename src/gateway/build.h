// Turns a loaded Config into the gateway's Runtime and each area's plain Options: the only code
// that reads config structs (areas never include config/).
#pragma once

#include <memory>

#include "config/config.h"
#include "core/clock.h"
#include "gateway/runtime.h"
#include "http/client.h"
#include "http/limits.h"

namespace gatehouse::gateway {

struct BuildDeps {
  core::Clock& clock;
  http::Client& fetch_client;  // for JWKS and discovery URLs
};

// The runtime for `config`. Errors (kInvalidArgument) start with the offending item's
// file:line:col, e.g. a route template the router refuses or a key file that does not parse.
core::Result<std::shared_ptr<const Runtime>> build_runtime(const config::Config& config,
                                                           BuildDeps& deps);

http::Limits http_limits(const config::Config& config);

}  // namespace gatehouse::gateway
