// Request identifiers: a random UUIDv4 for x-amzn-RequestId (what API Gateway sends, and the
// invocation id a runtime answers under) and a short base64 id for x-amz-apigw-id. Every random
// bit comes from the kernel's CSPRNG (getrandom), so no id can be computed from the ids a client
// has seen.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace gatehouse::core {

// 36 characters, lower-case hex, RFC 9562 version 4 layout: 122 random bits.
using RequestId = std::array<char, 36>;
RequestId new_request_id();
// A UUIDv7 (RFC 9562 §5.7): 48-bit Unix milliseconds, a 12-bit counter, then random bits. Ids
// sort in the order they were made, within one millisecond and across threads (items listed in
// key order come out oldest first). Unique, not unpredictable.
RequestId new_time_ordered_id(int64_t unix_ms);
inline std::string to_string(const RequestId& id) {
  return std::string(id.data(), id.size());
}
inline std::string_view id_view(const RequestId& id) {
  return {id.data(), id.size()};
}

// 16 characters of base64 ending in '=', shaped like API Gateway's extendedRequestId.
using ExtendedRequestId = std::array<char, 16>;
ExtendedRequestId new_extended_request_id();
inline std::string_view id_view(const ExtendedRequestId& id) {
  return {id.data(), id.size()};
}

}  // namespace gatehouse::core
