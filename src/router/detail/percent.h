// Percent-decoding for request paths (RFC 3986 §2.1), shared by match() and method_arn().
// Internal to router/: no other area includes this.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gatehouse::router::detail {

// 0..15 for a hex digit, -1 otherwise.
inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the decoded bytes of `raw` to *out. Requires: every '%' in raw is followed by two hex
// digits (callers validate first). '+' is not a space in a path.
inline void append_decoded(std::string_view raw, std::string* out) {
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size()) {
      out->push_back(static_cast<char>(hex_value(raw[i + 1]) * 16 + hex_value(raw[i + 2])));
      i += 2;
    } else {
      out->push_back(raw[i]);
    }
  }
}

// The decoded length of raw, or npos if a '%' is not followed by two hex digits.
inline size_t decoded_size(std::string_view raw) {
  size_t n = 0;
  for (size_t i = 0; i < raw.size(); ++i, ++n) {
    if (raw[i] != '%') continue;
    if (i + 2 >= raw.size()) return std::string_view::npos;
    if (hex_value(raw[i + 1]) < 0 || hex_value(raw[i + 2]) < 0) return std::string_view::npos;
    i += 2;
  }
  return n;
}

}  // namespace gatehouse::router::detail
