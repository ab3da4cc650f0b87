// The API listener's TLS settings (api.tls) read from their files: at start and at every reload,
// so a renewed certificate is served from the reload on. Each certificate is logged with its names
// and expiry; one expired, or expiring within kExpiryWarningDays, is warned about.
#pragma once

#include <memory>

#include "config/config.h"
#include "core/status.h"
#include "http/tls_server.h"

namespace gatehouse::gateway {

inline constexpr int64_t kExpiryWarningDays = 14;

// Errors read "<file>:<line>:<col>: api.tls...: <what>", the certificate's own entry's position
// when one is at fault. `now_s`: the Unix time expiry is judged against.
core::Result<std::shared_ptr<const http::TlsServerContext>> load_listener_tls(
    const config::ListenerTls& tls, int64_t now_s);

}  // namespace gatehouse::gateway
