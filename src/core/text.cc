#include "core/text.h"

#include <boost/url/decode_view.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/grammar/string_token.hpp>
#include <boost/url/pct_string_view.hpp>

#include <algorithm>

namespace gatehouse::core {
namespace {

boost::urls::encoding_opts boost_opts(PercentDecoding how) {
  boost::urls::encoding_opts opts;
  opts.space_as_plus = how.plus_is_space;
  return opts;
}

}  // namespace

size_t percent_decoded_size(std::string_view encoded) {
  auto pv = boost::urls::make_pct_string_view(encoded);
  return pv ? pv->decoded_size() : std::string_view::npos;
}

void append_percent_decoded(std::string_view encoded, std::string& out, PercentDecoding how) {
  auto pv = boost::urls::make_pct_string_view(encoded);
  if (!pv) return;  // a precondition: callers checked percent_decoded_size first
  pv->decode(boost_opts(how), boost::urls::string_token::append_to(out));
}

std::optional<std::string> percent_decode(std::string_view encoded, PercentDecoding how) {
  auto pv = boost::urls::make_pct_string_view(encoded);
  if (!pv) return std::nullopt;
  std::string out;
  out.reserve(pv->decoded_size());
  pv->decode(boost_opts(how), boost::urls::string_token::append_to(out));
  return out;
}

// Boost.URL refuses malformed escapes outright; a query string keeps them, so each well-formed
// run between them is decoded on its own.
std::string percent_decode_lenient(std::string_view encoded, PercentDecoding how) {
  std::string out;
  out.reserve(encoded.size());
  size_t run = 0;  // start of the well-formed run not yet decoded
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '%') continue;
    if (i + 2 < encoded.size() && hex_digit_value(encoded[i + 1]) >= 0 &&
        hex_digit_value(encoded[i + 2]) >= 0) {
      i += 2;
      continue;
    }
    append_percent_decoded(encoded.substr(run, i - run), out, how);
    out.push_back('%');
    run = i + 1;
  }
  append_percent_decoded(encoded.substr(run), out, how);
  return out;
}

int compare_percent_decoded(std::string_view encoded, std::string_view text) {
  auto pv = boost::urls::make_pct_string_view(encoded);
  if (!pv) return encoded.compare(text) < 0 ? -1 : 1;  // a precondition; any consistent order
  int c = boost::urls::decode_view(*pv).compare(text);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

bool is_valid_utf8(std::string_view s) noexcept {
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

size_t utf8_char_length_lenient(std::string_view s, size_t i) noexcept {
  auto lead = static_cast<unsigned char>(s[i]);
  size_t want = lead < 0x80           ? 1
                : (lead >> 5) == 0x6  ? 2
                : (lead >> 4) == 0xE  ? 3
                : (lead >> 3) == 0x1E ? 4
                                      : 1;
  size_t length = 1;
  while (length < want && i + length < s.size() &&
         (static_cast<unsigned char>(s[i + length]) & 0xC0) == 0x80) {
    ++length;
  }
  return length;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = ascii_lower(c);
  return out;
}

std::string media_type_of(std::string_view content_type) {
  return ascii_lower(trim_ows(content_type.substr(0, content_type.find(';'))));
}

bool media_type_matches(std::string_view content_type, std::string_view pattern) {
  if (pattern == "*/*") return true;
  // Compared in place: this runs per pattern on every request that has a body.
  std::string_view media = trim_ows(content_type.substr(0, content_type.find(';')));
  size_t slash = pattern.find('/');
  size_t media_slash = media.find('/');
  if (slash == std::string_view::npos || media_slash == std::string_view::npos) return false;
  auto part_matches = [](std::string_view want, std::string_view got) {
    return want == "*" ||
           std::equal(want.begin(), want.end(), got.begin(), got.end(),
                      [](char a, char b) { return ascii_lower(a) == ascii_lower(b); });
  };
  return part_matches(pattern.substr(0, slash), media.substr(0, media_slash)) &&
         part_matches(pattern.substr(slash + 1), media.substr(media_slash + 1));
}

bool is_web_origin(std::string_view s) noexcept {
  if (s.starts_with("https://")) {
    s.remove_prefix(8);
  } else if (s.starts_with("http://")) {
    s.remove_prefix(7);
  } else {
    return false;
  }
  if (s.empty()) return false;
  for (char ch : s) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == ':' || ch == '[' ||
                    ch == ']';
    if (!ok) return false;
  }
  return true;
}

}  // namespace gatehouse::core
