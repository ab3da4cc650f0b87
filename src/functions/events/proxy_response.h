// The Lambda proxy response (payload 1.0) as API Gateway validates and maps it
// (docs/aws-compatibility.md §6.2): what a function's answer may hold, and the HTTP response it
// becomes. Pure.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace gatehouse::functions::events {

// The Lambda proxy response (payload 1.0), validated as API Gateway validates it (§6.2): a JSON
// object with only statusCode, headers, multiValueHeaders, body, isBase64Encoded; statusCode a
// number or numeric string in 200..599 (missing: 200; a 1xx is informational, never a final
// answer); headers values strings, numbers or booleans (null headers allowed); multiValueHeaders
// values arrays of those; body a string or null/absent; isBase64Encoded a boolean. A key whose
// value is null counts as absent.
enum class ProxyResponseError {
  kTooLarge,              // over functions::kMaxResponseBytes; not parsed at all
  kNotJson,               // not JSON, invalid UTF-8, or nested deeper than 64 levels
  kNotObject,             // null, a string, an array, ...
  kUnknownKey,            // any key besides the five
  kBadStatusCode,         // not an integer or a string of digits, or outside 200..599
  kBadHeaders,            // not an object/null, or a value of another type, or an unsafe name/value
  kBadMultiValueHeaders,  // the same for multiValueHeaders, or a value that is not an array
  kBadBody,               // not a string/null
  kBadBase64Flag,         // isBase64Encoded not a boolean
  kBadBase64Body,         // isBase64Encoded true but body is not valid base64
  kHeadersTooLarge,       // the header block over kMaxResponseHeaderBytes
};

// The most header bytes (names, values as sent, ": " and CRLF each) a function may return: a
// proxy's bound on what it holds for a response head (nginx refuses an upstream's oversized head
// with 502 too). Far under what the HTTP writer can hold for one field (64 KiB).
inline constexpr size_t kMaxResponseHeaderBytes = 32 * 1024;
// Short snake_case name for the access log, e.g. "unknown_key".
std::string_view to_string(ProxyResponseError error);

struct ProxyResponse {
  unsigned status = 200;
  // In order: multiValueHeaders first (casing from there), then headers; a name present in both
  // (compared case-insensitively) becomes one header with the multi values first, then the single
  // value, joined by ", " (what API Gateway sends, §6.2). Set-Cookie is never joined: each value
  // is its own header, because a cookie's Expires attribute contains ", " and clients cannot split
  // joined cookies again. Connection, Content-Length, Date and Server come back renamed
  // x-amzn-Remapped-<Name> (the function's casing of <Name>); Transfer-Encoding is dropped.
  // Header values: strings as they are, integers in decimal, other numbers as stringify_claim
  // writes them, booleans "true"/"false".
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // decoded when isBase64Encoded was true
};

// Validates and converts a function's response bytes. Header names must be HTTP tokens (RFC 9110
// §5.6.2) and values free of control characters other than tab: a function must not be able to
// split the response or smuggle a header with CR/LF (kBadHeaders / kBadMultiValueHeaders).
// With isBase64Encoded true the body must be standard base64 (RFC 4648 §4), padded or not, with
// zero padding bits. Whether the client should get the decoded bytes (binaryMediaTypes and
// Accept) is the gateway's decision; this always decodes.
core::Result<ProxyResponse, ProxyResponseError> parse_proxy_response(std::string_view payload);

}  // namespace gatehouse::functions::events
