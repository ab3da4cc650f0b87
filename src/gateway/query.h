// Query-string parameters of a request target.
#pragma once

#include <string>
#include <string_view>

namespace gatehouse::gateway {

// The decoded value of query parameter `name` ('+' is a space, as in forms), or "" if absent,
// empty or badly encoded (an identity source that cannot be read is a missing one). The first
// occurrence wins.
std::string query_param(std::string_view query, std::string_view name);

}  // namespace gatehouse::gateway
