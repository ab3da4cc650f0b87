#include "store/cursor.h"

#include "core/base64.h"

namespace gatehouse::store {

std::string encode_cursor(std::string_view last_key) {
  return core::base64url_encode(last_key);
}

std::optional<std::string> decode_cursor(std::string_view cursor) {
  auto key = core::base64url_decode(cursor);
  if (!key || key->empty()) return std::nullopt;
  return key;
}

}  // namespace gatehouse::store
