// The text toolkit every area shares: percent-decoding (RFC 3986 §2.1; Boost.URL decodes), UTF-8
// well-formedness, Content-Type media types (RFC 9110 §8.3.1) and web origins (RFC 6454). One of
// each, tested once (text_test.cc).
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::core {

// ---------------------------------------------------------------------------------------------
// ASCII

// c lower-cased if it is an ASCII capital letter.
constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// s with its ASCII capital letters lower-cased (names that compare case-insensitively).
std::string ascii_lower(std::string_view s);

// Whether a and b are equal but for ASCII case (header names).
constexpr bool ascii_iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// s without the spaces and tabs at either end (HTTP's optional whitespace, RFC 9110 §5.6.3).
constexpr std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Percent-encoding

// 0..15 for an ASCII hex digit, -1 otherwise.
constexpr int hex_digit_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct PercentDecoding {
  // true: application/x-www-form-urlencoded and query strings, where '+' is a space (a "%2B" is
  // a '+'). false: paths, where '+' is itself.
  bool plus_is_space = false;
};

// The decoded length of `encoded`, or npos if a '%' is not followed by two hex digits. "%00" is
// valid (one NUL byte): callers that refuse NUL (the router) check for it themselves.
size_t percent_decoded_size(std::string_view encoded);

// Appends the decoded bytes of `encoded` to `out`. Requires percent_decoded_size(encoded) != npos.
void append_percent_decoded(std::string_view encoded, std::string& out, PercentDecoding how = {});

// The decoded text, or nullopt if some '%' is not followed by two hex digits. Built in one buffer
// that is never reallocated, so a caller may wipe a decoded secret without a copy left behind.
std::optional<std::string> percent_decode(std::string_view encoded, PercentDecoding how = {});

// The decoded text of a query string part, which never fails: a '%' without two hex digits after
// it is kept as it is (as API Gateway passes such a value on), and decoding goes on after it.
std::string percent_decode_lenient(std::string_view encoded, PercentDecoding how = {});

// -1, 0 or 1 as the decoded bytes of `encoded` compare (unsigned) with `text`; '+' is itself.
// Requires percent_decoded_size(encoded) != npos. Does not allocate.
int compare_percent_decoded(std::string_view encoded, std::string_view text);

// ---------------------------------------------------------------------------------------------
// UTF-8

// The length (1..4) of the well-formed UTF-8 sequence that starts at s[i], or 0 if none does:
// truncated, a stray continuation byte, an overlong form, a surrogate or past U+10FFFF. Bytes
// below 0x80, NUL included, are 1. Requires i < s.size().
inline size_t utf8_sequence_length(std::string_view s, size_t i) noexcept {
  auto b = static_cast<uint8_t>(s[i]);
  size_t n;
  uint32_t min;
  if (b < 0x80) return 1;
  if ((b & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  uint32_t cp = b & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    auto c = static_cast<uint8_t>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// Whether every sequence of s is well-formed (utf8_sequence_length); NUL and control characters
// are allowed, "" is valid.
bool is_valid_utf8(std::string_view s) noexcept;

// How many bytes the character at s[i] spans when stepping over text that need not be valid (IAM
// wildcards): the lead byte's length (0xxxxxxx 1, 110xxxxx 2, 1110xxxx 3, 11110xxx 4, any other 1),
// cut short where a continuation byte is missing. Never 0; no overlong, surrogate or range check.
// Requires i < s.size().
size_t utf8_char_length_lenient(std::string_view s, size_t i) noexcept;

// ---------------------------------------------------------------------------------------------
// Media types

// A Content-Type's "type/subtype": the text before the first ';', spaces and tabs trimmed,
// ASCII lower-cased; "" when there is none. Not checked for syntax.
std::string media_type_of(std::string_view content_type);

// Calls visit(name, value) for each ';'-separated parameter of content_type that has a '=': both
// trimmed of spaces and tabs, the name as sent, the value without one pair of enclosing '"' (no
// unescaping). A ';' inside quotes still separates.
template <class Visit>
void for_each_media_type_param(std::string_view content_type, Visit&& visit) {
  size_t semicolon = content_type.find(';');
  while (semicolon != std::string_view::npos) {
    content_type = content_type.substr(semicolon + 1);
    semicolon = content_type.find(';');
    std::string_view parameter = trim_ows(content_type.substr(0, semicolon));
    size_t equals = parameter.find('=');
    if (equals == std::string_view::npos) continue;
    std::string_view value = trim_ows(parameter.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    visit(trim_ows(parameter.substr(0, equals)), value);
  }
}

// Whether content_type's media type matches `pattern` ("image/png", "image/*", "*/*"): type and
// subtype compared ASCII case-insensitively, '*' standing for a whole part; "*/*" matches any.
bool media_type_matches(std::string_view content_type, std::string_view pattern);

// ---------------------------------------------------------------------------------------------
// Web origins

// Whether `s` is a web origin as a browser sends it in Origin: http:// or https://, then a host
// and an optional port (letters, digits, '-', '.', ':', and the brackets of an IPv6 literal),
// nothing after. Not "null", no path, no list.
bool is_web_origin(std::string_view s) noexcept;

}  // namespace gatehouse::core
