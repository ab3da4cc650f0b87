// The log line of a failed invocation, the same for a route's function and an authorizer's: it
// ties the API request id to the Lambda invocation id and carries the function's own errorType
// and errorMessage (quoted, cut at kLoggedErrorBytes; never the event).
#pragma once

#include <cstddef>
#include <string_view>

#include "functions/invoker.h"

namespace gatehouse::functions {

// How much of a function's errorMessage the log keeps: enough to read the cause, not a dump.
inline constexpr size_t kLoggedErrorBytes = 512;

// Logs, as a warning, `request <id>: <caller> invocation <id> failed (<kind>): <errorType>
// "<errorMessage>"` when the failure is the function's own (an error, a timeout, a crash, an init
// failure, a response too large). `caller` names who invoked it, e.g. "function 'users'". Returns
// false, logging nothing, for failures that are not the function's (throttled, shutting down, the
// caller's timeout), which /metrics counts.
bool log_invoke_failure(std::string_view request_id, std::string_view caller,
                        const InvokeFailure& failure);

}  // namespace gatehouse::functions
