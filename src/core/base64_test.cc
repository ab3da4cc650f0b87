#include "core/base64.h"

#include <gtest/gtest.h>

namespace gatehouse::core {
namespace {

// RFC 4648 §10 test vectors round-trip in the standard alphabet.
TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> v[] = {{"", ""},
                                                   {"f", "Zg=="},
                                                   {"fo", "Zm8="},
                                                   {"foo", "Zm9v"},
                                                   {"foob", "Zm9vYg=="},
                                                   {"fooba", "Zm9vYmE="},
                                                   {"foobar", "Zm9vYmFy"}};
  for (auto [plain, enc] : v) {
    EXPECT_EQ(base64_encode(plain), enc);
    auto dec = base64_decode(enc);
    ASSERT_TRUE(dec.has_value()) << enc;
    EXPECT_EQ(*dec, plain);
  }
}

// base64url uses -_ and no padding, as in JWS.
TEST(Base64Url, UrlAlphabetNoPadding) {
  std::string bytes = "\xfb\xff\xfe";
  EXPECT_EQ(base64url_encode(bytes), "-__-");
  EXPECT_EQ(*base64url_decode("-__-"), bytes);
  EXPECT_EQ(base64url_encode("f"), "Zg");
}

// Invalid characters, padding in base64url, impossible lengths and non-zero trailing bits fail.
TEST(Base64Url, RejectsMalformed) {
  EXPECT_FALSE(base64url_decode("Zg==").has_value());
  EXPECT_FALSE(base64url_decode("Z").has_value());
  EXPECT_FALSE(base64url_decode("Zm9v+").has_value());
  EXPECT_FALSE(base64url_decode("Zh").has_value());  // 'h' leaves non-zero trailing bits
  EXPECT_FALSE(base64_decode("Zm9").has_value());
  EXPECT_FALSE(base64_decode("Zm-v").has_value());
}

}  // namespace
}  // namespace gatehouse::core
