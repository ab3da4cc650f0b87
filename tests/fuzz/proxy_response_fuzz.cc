// libFuzzer target: the Lambda proxy response parser (functions/events) on arbitrary bytes. A
// parsed response must keep the promises the gateway relies on when it writes the response: a
// final status (200..599, never 1xx), header names and values that cannot split the HTTP
// response, and a header block within kMaxResponseHeaderBytes (what Beast can hold for a field is
// far above it).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "functions/events/proxy_response.h"

namespace {

bool is_safe_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == ':' || c == '"' || c == '(' || c == ')' || c == ',' ||
        c == '/' || c == ';' || c == '<' || c == '=' || c == '>' || c == '?' || c == '@' ||
        c == '[' || c == '\\' || c == ']' || c == '{' || c == '}') {
      return false;
    }
  }
  return true;
}

bool is_safe_value(std::string_view value) {
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace events = gatehouse::functions::events;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto response = events::parse_proxy_response(input);
  if (!response) {
    (void)events::to_string(response.error());
    return 0;
  }
  if (response->status < 200 || response->status > 599) __builtin_trap();
  size_t head_bytes = 0;
  for (const auto& [name, value] : response->headers) {
    if (!is_safe_name(name) || !is_safe_value(value)) __builtin_trap();
    head_bytes += name.size() + value.size() + 4;
  }
  if (head_bytes > events::kMaxResponseHeaderBytes) __builtin_trap();
  return 0;
}
