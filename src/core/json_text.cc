#include "core/json_text.h"

#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "core/text.h"

namespace gatehouse::core {

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    // A run of characters that need no escaping goes out in one append (tokens and header values
    // are almost entirely such runs; a character at a time was measurable per request).
    size_t run = i;
    while (run < s.size()) {
      auto r = static_cast<uint8_t>(s[run]);
      if (r < 0x20 || r >= 0x80 || r == '"' || r == '\\') break;
      ++run;
    }
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      continue;
    }
    auto c = static_cast<uint8_t>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        ++i;
        continue;
      case '\\':
        out += "\\\\";
        ++i;
        continue;
      case '\n':
        out += "\\n";
        ++i;
        continue;
      case '\r':
        out += "\\r";
        ++i;
        continue;
      case '\t':
        out += "\\t";
        ++i;
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
      continue;
    }
    size_t n = utf8_sequence_length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  out += '"';
}

void append_js_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v < 0 ? "-Infinity" : "Infinity";
    return;
  }
  if (v == 0) {  // also -0, which JavaScript writes as "0"
    out += '0';
    return;
  }
  if (v < 0) {
    out += '-';
    v = -v;
  }
  // Shortest round-trip digits in scientific form: "d[.ddd]e[+-]xx".
  char sci[40];
  char* end = std::to_chars(sci, sci + sizeof sci, v, std::chars_format::scientific).ptr;
  char* e = std::find(sci, end, 'e');
  char digits[24];
  size_t k = 0;
  for (char* p = sci; p < e; ++p) {
    if (*p != '.') digits[k++] = *p;
  }
  int exponent = 0;
  std::from_chars(e + 2, end, exponent);
  if (e[1] == '-') exponent = -exponent;
  const std::string_view d(digits, k);
  const int n = exponent + 1;  // the decimal point sits after n digits
  const int kk = static_cast<int>(k);
  if (kk <= n && n <= 21) {
    out += d;
    out.append(static_cast<size_t>(n - kk), '0');
  } else if (0 < n && n <= 21) {
    out += d.substr(0, static_cast<size_t>(n));
    out += '.';
    out += d.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out += d;
  } else {
    out += d[0];
    if (k > 1) {
      out += '.';
      out += d.substr(1);
    }
    out += 'e';
    out += n - 1 < 0 ? '-' : '+';
    char exp_buf[8];
    out.append(exp_buf, std::to_chars(exp_buf, exp_buf + sizeof exp_buf, std::abs(n - 1)).ptr);
  }
}

void append_compact_json(std::string& out, const boost::json::value& v) {
  namespace json = boost::json;
  char buf[24];
  switch (v.kind()) {
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& member : v.get_object()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, member.key());
        out += ':';
        append_compact_json(out, member.value());
      }
      out += '}';
      return;
    }
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& element : v.get_array()) {
        if (!first) out += ',';
        first = false;
        append_compact_json(out, element);
      }
      out += ']';
      return;
    }
    case json::kind::string:
      append_json_string(out, v.get_string());
      return;
    case json::kind::int64:
      out.append(buf, std::to_chars(buf, buf + sizeof buf, v.get_int64()).ptr);
      return;
    case json::kind::uint64:
      out.append(buf, std::to_chars(buf, buf + sizeof buf, v.get_uint64()).ptr);
      return;
    case json::kind::double_:
      append_js_number(out, v.get_double());
      return;
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case json::kind::null:
      out += "null";
      return;
  }
}

}  // namespace gatehouse::core
