#include "core/base64.h"

#include <array>
#include <cstdint>

namespace gatehouse::core {
namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<int8_t, 256> make_table(const char* alphabet) {
  std::array<int8_t, 256> t{};
  for (auto& v : t)
    v = -1;
  for (int i = 0; i < 64; ++i)
    t[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr auto kStdTable = make_table(kStd);
constexpr auto kUrlTable = make_table(kUrl);

std::string encode(std::string_view in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  size_t rest = in.size() - i;
  if (rest == 1) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

// Decodes unpadded text of any valid length (len % 4 != 1), rejecting non-zero trailing bits.
std::optional<std::string> decode_unpadded(std::string_view in, const std::array<int8_t, 256>& t) {
  if (in.size() % 4 == 1) return std::nullopt;
  // Sized once and written through a pointer: per-byte push_back doubled the cost of decoding a
  // JWT (measured by auth/jwt, which decodes three parts per request).
  std::string out(in.size() * 3 / 4, '\0');
  char* o = out.data();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int8_t v = t[static_cast<uint8_t>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *o++ = static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Leftover bits must be zero: otherwise two encodings decode to the same bytes.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  out.resize(static_cast<size_t>(o - out.data()));
  return out;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  return encode(bytes, kUrl, false);
}

std::optional<std::string> base64url_decode(std::string_view text) {
  return decode_unpadded(text, kUrlTable);
}

std::string base64_encode(std::string_view bytes) {
  return encode(bytes, kStd, true);
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++pad;
  return decode_unpadded(text.substr(0, text.size() - pad), kStdTable);
}

}  // namespace gatehouse::core
