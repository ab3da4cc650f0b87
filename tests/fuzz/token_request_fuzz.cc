// libFuzzer target: the embedded issuer's token-request parser (form and JSON bodies, HTTP Basic
// credentials) on arbitrary bytes. The input is split into content type, Authorization header and
// body at the first two NUL bytes, so all three are mutated together.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "issuer/token_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t first = input.find('\0');
  std::string_view content_type = input.substr(0, first);
  std::string_view rest =
      first == std::string_view::npos ? std::string_view() : input.substr(first + 1);
  size_t second = rest.find('\0');
  std::string_view authorization = rest.substr(0, second);
  std::string_view body =
      second == std::string_view::npos ? std::string_view() : rest.substr(second + 1);
  auto request = gatehouse::issuer::parse_token_request(content_type, body, authorization);
  if (request) {
    // A parsed request always has what the parser promises.
    if ((*request)->grant_type.empty() || (*request)->client_id.empty() ||
        (*request)->client_secret.empty()) {
      __builtin_trap();
    }
    if ((*request)->scope) (void)gatehouse::issuer::split_scope(*(*request)->scope);
  }
  return 0;
}
