// Logs the key fetches of URL key sources (jwks_url, discovery_url) that fail, and the first
// success after failures, so an operator learns why requests get 500 (no keys yet) or why a
// rotation is not picked up (stale keys), without one line per retry.
//
// Rate limit: the first failure after a success (or after start) is logged at once; while
// failures go on, at most one line per kReportInterval, counting the failures since the last
// line. A success after failures is logged once. Each line names the authorizer, the URL and the
// reason (the provider's last error, which starts with the URL it fetched).
//
// Thread safety: call from Gateway::poll()'s thread only (it owns the report state).
#pragma once

#include <chrono>

#include "core/clock.h"
#include "gateway/runtime.h"

namespace gatehouse::gateway {

inline constexpr std::chrono::seconds kKeyFetchReportInterval{60};

// Logs what `authorizer`'s URL key source did since the last call. No-op for other key sources.
void report_key_fetches(AuthorizerRuntime& authorizer, core::MonoTime now);

}  // namespace gatehouse::gateway
