// build_runtime()'s authorizer part (build.cc is the rest): an authorizer's runtime from its
// config, its key source read or set up, and whether a reload may keep the previous runtime's
// one instead. Internal to gateway/.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "config/config.h"
#include "core/status.h"
#include "gateway/build.h"
#include "gateway/runtime.h"

namespace gatehouse::gateway::detail {

// kInvalidArgument "<file>:<line>:<col>: <path>: <what>", as every build error reads.
inline core::Status config_error(const config::SourcePos& pos, std::string_view path,
                                 const std::string& what) {
  return core::invalid_argument(pos.to_string() + ": " + std::string(path) + ": " + what);
}

// The authorizer `a` describes, over `runtime`'s functions and issuer (built before it). Static
// key files and secrets are read now, so a bad one fails the build with its name.
core::Result<std::unique_ptr<AuthorizerRuntime>> make_authorizer(const config::Authorizer& a,
                                                                 BuildDeps& deps,
                                                                 const Runtime& runtime);

// The previous runtime's authorizer named like `a`, if `built` (this build's) may give way to it
// with its decision cache and keys: the same definition, the same key material, the same
// function pool or issuer behind it and the same API identity. Else null.
std::shared_ptr<AuthorizerRuntime> kept_authorizer(const config::Authorizer& a,
                                                   const AuthorizerRuntime& built,
                                                   const Runtime& previous, const Runtime& rt);

}  // namespace gatehouse::gateway::detail
