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
// Four characters at a time: one check of the four table values (an invalid character is -1, so
// any invalid one makes their OR negative), then three bytes written at once. A JWT is about 800
// characters, decoded on every request the JWT authorizer verifies.
std::optional<std::string> decode_unpadded(std::string_view in, const std::array<int8_t, 256>& t) {
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out(in.size() / 4 * 3 + (in.size() % 4 == 0 ? 0 : in.size() % 4 - 1), '\0');
  char* o = out.data();
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  const uint8_t* full_end = p + in.size() / 4 * 4;
  for (; p != full_end; p += 4, o += 3) {
    int32_t a = t[p[0]], b = t[p[1]], c = t[p[2]], d = t[p[3]];
    if ((a | b | c | d) < 0) return std::nullopt;
    uint32_t n = (static_cast<uint32_t>(a) << 18) | (static_cast<uint32_t>(b) << 12) |
                 (static_cast<uint32_t>(c) << 6) | static_cast<uint32_t>(d);
    o[0] = static_cast<char>(n >> 16);
    o[1] = static_cast<char>(n >> 8);
    o[2] = static_cast<char>(n);
  }
  size_t rest = in.size() % 4;  // 0, 2 or 3 characters: 0, 1 or 2 bytes
  if (rest == 0) return out;
  int32_t a = t[p[0]], b = t[p[1]], c = rest == 3 ? t[p[2]] : 0;
  if ((a | b | c) < 0) return std::nullopt;
  uint32_t n = (static_cast<uint32_t>(a) << 18) | (static_cast<uint32_t>(b) << 12) |
               (static_cast<uint32_t>(c) << 6);
  // Leftover bits must be zero: otherwise two encodings decode to the same bytes.
  if ((rest == 2 && (n & 0xFFFF) != 0) || (rest == 3 && (n & 0xFF) != 0)) return std::nullopt;
  o[0] = static_cast<char>(n >> 16);
  if (rest == 3) o[1] = static_cast<char>(n >> 8);
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
