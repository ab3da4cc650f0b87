#include "functions/invoker.h"

namespace gatehouse::functions {

std::string_view to_string(InvokeError error) {
  switch (error) {
    case InvokeError::kFunctionError:
      return "function_error";
    case InvokeError::kTimeout:
      return "function_timeout";
    case InvokeError::kCallerTimeout:
      return "integration_timeout";
    case InvokeError::kCrashed:
      return "worker_crashed";
    case InvokeError::kInitFailed:
      return "init_failed";
    case InvokeError::kResponseTooLarge:
      return "response_too_large";
    case InvokeError::kThrottled:
      return "throttled";
    case InvokeError::kShuttingDown:
      return "shutting_down";
  }
  return "unknown";
}

}  // namespace gatehouse::functions
