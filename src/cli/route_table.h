// The route table as `gatehouse check` prints it and `gatehouse serve` logs it at start: each
// route's methods, path, authorizer (public routes marked), scopes and integration.
#pragma once

#include <string>

#include "config/config.h"

namespace gatehouse::cli {

// "routes:\n  METHODS ... \n  GET,POST  /resource  jwt  -  crud users\n ...\n\nN routes, M
// public\n".
std::string route_table(const config::Config& config);

}  // namespace gatehouse::cli
