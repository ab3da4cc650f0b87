#include "functions/failure_log.h"

#include <spdlog/spdlog.h>

#include <string>

#include "core/json_text.h"

namespace gatehouse::functions {

bool log_invoke_failure(std::string_view request_id, std::string_view caller,
                        const InvokeFailure& f) {
  if (f.error != InvokeError::kFunctionError && f.error != InvokeError::kTimeout &&
      f.error != InvokeError::kCrashed && f.error != InvokeError::kInitFailed &&
      f.error != InvokeError::kResponseTooLarge)
    return false;
  std::string_view message = f.error_message;
  bool cut = message.size() > kLoggedErrorBytes;
  if (cut) {
    // Cut at a character boundary, so the quoted text stays valid UTF-8.
    size_t end = kLoggedErrorBytes;
    while (end > 0 && (static_cast<unsigned char>(message[end]) & 0xC0) == 0x80)
      --end;
    message = message.substr(0, end);
  }
  std::string quoted;
  core::append_json_string(quoted, message);
  spdlog::warn("request {}: {} invocation {} failed ({}): {} {}{}", request_id, caller,
               f.invocation_id.empty() ? "-" : f.invocation_id, to_string(f.error),
               f.error_type.empty() ? "-" : f.error_type, quoted, cut ? " (cut)" : "");
  return true;
}

}  // namespace gatehouse::functions
