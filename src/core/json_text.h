// Writing JSON text by hand on hot paths (access log lines, gateway bodies) without building a
// boost::json::value first.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

namespace gatehouse::core {

// Appends `s` as a JSON string literal (with quotes), escaping per RFC 8259. Invalid UTF-8 bytes
// are replaced with U+FFFD so the output is always valid JSON.
void append_json_string(std::string& out, std::string_view s);

// Appends `v` as JavaScript's String(v) writes it (ECMA-262 Number::toString): the shortest digits
// that read back as `v`, in plain notation for 1e-6 <= |v| < 1e21, otherwise as d.ddde±n; -0 is
// "0", NaN and infinities by name. JSON.stringify writes numbers the same way, so text built
// with it matches what a Node.js function would send, and what API Gateway hands downstream.
void append_js_number(std::string& out, double v);

// Appends `v` as compact JSON text, numbers spelled as JSON.stringify spells them (integers as
// they are, doubles by append_js_number: 1.5, not Boost.JSON's 1.5E0).
void append_compact_json(std::string& out, const boost::json::value& v);

// `s` as a JSON string literal.
inline std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

}  // namespace gatehouse::core
