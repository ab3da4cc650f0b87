// The Invoker seam: how the gateway and the authorizers run a Lambda function without knowing how
// it runs. The worker pool (functions/pool) is the real implementation; tests may substitute a
// fake. An invocation hands over the event JSON and gets back the function's raw response bytes,
// or a precise failure that only gateway/ and auth/ turn into HTTP statuses.
//
// Usage:
//   invoker.invoke({.payload = event_json, .answer_within = 29s}, [](functions::InvokeResult r) {
//     if (!r) handle(r.error().error, r.error().error_message);  // e.g. kFunctionError
//     else parse(*r);                                             // what POST .../response carried
//   });
//
// Thread safety: invoke() may be called from any thread; `done` runs on an I/O thread of the pool
// (never inside invoke()), exactly once.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gatehouse::functions {

enum class InvokeError {
  kFunctionError,     // the function reported an error (POST /runtime/invocation/{id}/error)
  kTimeout,           // it ran past the function's own timeout; its worker was stopped
  kCallerTimeout,     // the caller's answer_within elapsed first (API Gateway's 504); the
                      // function keeps its worker until it ends or its own timeout stops it
  kCrashed,           // the worker exited during the invocation (Runtime.ExitError)
  kInitFailed,        // the worker failed to start (POST /runtime/init/error, exit before its
                      // first /next, or the command could not be run)
  kResponseTooLarge,  // the response was over kMaxResponseBytes (Function.ResponseSizeTooLarge)
  kThrottled,         // the invoke queue was full: nothing ran (API Gateway's 429 THROTTLED)
  kShuttingDown,      // the pool is stopping: nothing ran
};
// Short snake_case name for the access log, e.g. "function_error", "timeout".
std::string_view to_string(InvokeError error);

// Lambda's synchronous response limit, as the Runtime Interface Emulator enforces it: 6 MiB plus
// 100 bytes. Larger responses are refused with 413 to the runtime and kResponseTooLarge here.
inline constexpr size_t kMaxResponseBytes = 6 * 1024 * 1024 + 100;

struct InvokeFailure {
  InvokeError error = InvokeError::kFunctionError;
  // kFunctionError: the error document's `errorType` (or the Lambda-Runtime-Function-Error-Type
  // header when the body has none); kInitFailed: the init error's type when the worker sent one.
  std::string error_type;
  // kFunctionError: the error document's `errorMessage` exactly as sent ("Unauthorized" is what
  // API Gateway turns into 401 for authorizers). Other errors: a description for the log.
  std::string error_message;
  // The invocation's id (the Lambda request id a worker sees as Lambda-Runtime-Aws-Request-Id),
  // so a log line can tie the caller's request to it.
  std::string invocation_id{};
};

using InvokeResult = core::Result<std::string, InvokeFailure>;
using InvokeCallback = std::function<void(InvokeResult)>;

struct InvokeRequest {
  std::string payload;   // the event, JSON text
  std::string trace_id;  // Lambda-Runtime-Trace-Id for the worker; empty: none sent
  // The caller stops waiting after this long with kCallerTimeout (API Gateway's integration
  // timeout). nullopt: only the function's own timeout applies.
  std::optional<std::chrono::milliseconds> answer_within;
};

class Invoker {
 public:
  virtual ~Invoker() = default;
  // Runs the function once with `request` and calls `done` exactly once, later, from a pool
  // thread. Never blocks: a full queue answers kThrottled.
  virtual void invoke(InvokeRequest request, InvokeCallback done) = 0;
  // The function's name as configured (functions.<name>).
  virtual const std::string& name() const = 0;
};

}  // namespace gatehouse::functions
