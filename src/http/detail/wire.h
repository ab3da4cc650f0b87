// What the listener and the upstream client put on the wire themselves: a response's head (one
// buffer for the status line and fields, cheaper than Beast's serializer on the hot path) and a
// body's framing. Parsing stays Beast's.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>
#include <optional>

#include "core/status.h"
#include "http/limits.h"
#include "http/message.h"

namespace gatehouse::http::detail {

// How a body is delimited: by Content-Length, by chunks, or by the connection's end (for an
// HTTP/1.0 client, a streamed body of unknown length).
enum class Framing { kLength, kChunked, kUntilClose };

// A chunk's size line ("1f40\r\n"); its data follows, then kChunkEnd.
std::string chunk_size_line(size_t size);
inline constexpr std::string_view kChunkEnd = "\r\n";
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

// Writes `res`'s status line and fields, then `passed`, into `out`. Content-Length (`length`,
// with kLength), Transfer-Encoding (with kChunked), Connection (`close` unless `keep_alive`) and
// Date (unless `res` has one) are written here; a handler's own values for the first three are
// ignored. Returns whether a body follows (not for HEAD, 1xx, 204 and 304).
bool response_head(const Response& res, std::string_view passed, bool keep_alive, bool head_request,
                   Framing framing, uint64_t length, std::string& out);

// RFC 9112 §6.1 and §6.3: chunked is the only transfer coding read, and it must be the last.
// Beast would read an unknown coding ("xchunked", "identity") as no body at all, and whatever
// followed as the next request: a smuggling primitive behind a proxy that reads it otherwise.
// kBadRequest without chunked last (the body's length cannot be known) or for several
// Transfer-Encoding fields; kUnsupportedTransferCoding for another coding before chunked.
std::optional<ProtocolError> transfer_coding_problem(const boost::beast::http::fields& head);

// What a client's streamed body read failing with `ec` means for the handler (http/body_stream.h):
// kResourceExhausted past max_body_bytes, kDeadlineExceeded past body_timeout_ms, kUnavailable
// when the connection closed, kInvalidArgument for a malformed body.
core::Status body_read_error(const boost::system::error_code& ec, const Limits& limits);

// A TLS handshake that failed because the client spoke plain HTTP (OpenSSL recognises a request
// line), and the answer such a client is given, in plain HTTP, before the connection closes.
bool is_plain_http_on_tls(const boost::system::error_code& ec);
inline constexpr std::string_view kPlainHttpOnTls =
    "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 83\r\n"
    "Connection: close\r\n\r\n"
    R"json({"message":"This port speaks HTTPS: the request came as plain HTTP (use https://)"})json";

}  // namespace gatehouse::http::detail
