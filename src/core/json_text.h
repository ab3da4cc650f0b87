// Writing JSON text by hand on hot paths (access log lines, gateway bodies) without building a
// boost::json::value first.
#pragma once

#include <string>
#include <string_view>

namespace gatehouse::core {

// Appends `s` as a JSON string literal (with quotes), escaping per RFC 8259. Invalid UTF-8 bytes
// are replaced with U+FFFD so the output is always valid JSON.
void append_json_string(std::string& out, std::string_view s);

// `s` as a JSON string literal.
inline std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

}  // namespace gatehouse::core
