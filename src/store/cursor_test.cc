#include "store/cursor.h"

#include <gtest/gtest.h>

namespace gatehouse::store {
namespace {

// Any key, including non-ASCII and binary bytes, comes back from its cursor unchanged.
TEST(Cursor, RoundTripsAnyKey) {
  for (std::string key : {std::string("a"), std::string("item-42"), std::string("ключ/ü?&="),
                          std::string("\0\xff\x01", 3)}) {
    auto decoded = decode_cursor(encode_cursor(key));
    ASSERT_TRUE(decoded.has_value()) << key;
    EXPECT_EQ(*decoded, key);
  }
}

// The encoding is URL-safe: a cursor can go into a query string as is.
TEST(Cursor, IsUrlSafe) {
  EXPECT_EQ(encode_cursor("\xfb\xff"), "-_8");
}

// Text that is not strict unpadded base64url is rejected.
TEST(Cursor, RejectsInvalidBase64url) {
  EXPECT_FALSE(decode_cursor("not a cursor"));
  EXPECT_FALSE(decode_cursor("YQ=="));  // padded
  EXPECT_FALSE(decode_cursor("Y+8"));   // standard alphabet
  EXPECT_FALSE(decode_cursor("Y"));     // impossible length
}

// An empty cursor names no key, so it is rejected rather than taken as "from the start".
TEST(Cursor, RejectsEmpty) {
  EXPECT_FALSE(decode_cursor(""));
}

}  // namespace
}  // namespace gatehouse::store
