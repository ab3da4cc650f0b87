#include "core/base64.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>

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

// A decoder written for clarity, one character at a time: the reference the fast one is held to.
std::optional<std::string> reference_url_decode(std::string_view in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    size_t v = kAlphabet.find(c);
    if (v == std::string::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

// Over many random texts of every length up to 40 (valid ones, ones with a character from outside
// the alphabet anywhere, ones with trailing bits set), the decoder agrees with the reference, and
// every byte string round-trips.
TEST(Base64Url, AgreesWithAReferenceDecoder) {
  std::mt19937 rng(4648);
  const std::string pool = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=." +
                           std::string("\0\xff ", 3);
  for (int round = 0; round < 20000; ++round) {
    size_t n = rng() % 41;
    std::string text;
    for (size_t i = 0; i < n; ++i) {
      // Mostly the alphabet (the first 64), sometimes anything from the pool.
      size_t k = rng() % 10 == 0 ? rng() % pool.size() : rng() % 64;
      text += pool[k];
    }
    EXPECT_EQ(base64url_decode(text), reference_url_decode(text)) << text;
    std::string bytes(rng() % 30, '\0');
    for (char& b : bytes)
      b = static_cast<char>(rng());
    EXPECT_EQ(base64url_decode(base64url_encode(bytes)), bytes);
  }
}

}  // namespace
}  // namespace gatehouse::core
