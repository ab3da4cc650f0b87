// List cursors: the opaque Page::next_cursor a backend hands out and takes back. A cursor is the
// base64url (unpadded) encoding of the last key of the page it ends, so the next page starts
// strictly after that key; it holds no position that a write could invalidate, and a client that
// edits it can only skip ahead in key order, never reach items a query would not return.
//
// Usage:
//   page.next_cursor = encode_cursor(page.items.back().key);
//   auto after = decode_cursor(*query.cursor);  // nullopt -> kBadCursor
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::store {

std::string encode_cursor(std::string_view last_key);

// The key a cursor ends after; nullopt unless `cursor` is strict unpadded base64url of a
// non-empty key (the only cursors encode_cursor produces).
std::optional<std::string> decode_cursor(std::string_view cursor);

}  // namespace gatehouse::store
