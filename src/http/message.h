// The request and response types every area above http/ sees. They are Beast messages plus the
// connection facts the gateway needs (peer, request id, receive time).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/ids.h"
#include "core/tls_facts.h"
#include "http/body_stream.h"
#include "http/wire_fields.h"

namespace gatehouse::http {

namespace bhttp = boost::beast::http;
using Response = bhttp::response<bhttp::string_body>;

struct Request {
  bhttp::request<bhttp::string_body> msg;
  std::string_view path;   // the target's path, percent-encoded as received (views msg)
  std::string_view query;  // after '?', without it; empty if none (views msg)
  std::string peer_ip;     // the client's address
  uint16_t peer_port = 0;
  core::RequestId id;          // x-amzn-RequestId
  core::MonoTime received_at;  // when the head was complete
  // A body streamed to the handler (Exchange::read_body): its length as the listener's parser
  // reads it, or none when it comes chunked. Not the Content-Length field: what frames the body
  // here is what must frame it wherever it is passed on.
  std::optional<uint64_t> streamed_body_length;
  // The connection's TLS facts; null on a plain HTTP connection.
  std::shared_ptr<const core::TlsFacts> tls;
};

// Why the server answered on its own, before any handler ran.
enum class ProtocolError {
  kBadRequest,                 // 400: unparsable request or target
  kRequestLineTooLong,         // 414
  kHeadersTooLarge,            // 431
  kBodyTooLarge,               // 413, API Gateway's REQUEST_TOO_LARGE
  kUnsupportedTransferCoding,  // 501: a transfer coding besides chunked (gzip, ...)
};

// One request/response on a connection. The handler answers through respond(), exactly once, from
// any thread; a second answer is ignored, and a late answer after the connection closed is
// dropped. An exchange dropped without an answer (its last reference gone) answers 500
// {"message": "Internal server error"} itself, so the connection's pipeline never stalls.
//
// A request whose handler asked for its body as it arrives (Handler::streams_body) is handed over
// with its head only: body_pending() is true until read_body() has returned the body's end. A
// client that sent `Expect: 100-continue` is told to go on at the first read_body(), so a
// request refused before its body is read never has it sent. Answered before its body was read
// to the end, the connection closes after the answer.
class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual Request& request() = 0;
  virtual void respond(Response res) = 0;
  // Answers with a body streamed from `rest`: `head`'s own body holds the first bytes (possibly
  // none), `rest` yields the others (BodySource). `length`, when known, is the whole body's
  // length (first bytes included), sent as Content-Length; without it the body is sent chunked
  // (or, to an HTTP/1.0 client, until the connection closes). `passed` follows `head`'s fields.
  virtual void respond_streaming(Response head, WireFields passed, std::shared_ptr<BodySource> rest,
                                 std::optional<uint64_t> length) = 0;
  virtual bool body_pending() const = 0;
  // One read at a time; `done` runs on executor()'s thread.
  virtual void read_body(BodyReadDone done) = 0;
  // The connection's executor (one I/O thread), where a streaming handler's work belongs.
  virtual boost::asio::any_io_executor executor() = 0;
  // Whether the client can send nothing more on this connection: it closed it (or half-closed
  // it), or the connection failed. An answer may never reach such a client; a long poll whose
  // client is gone is abandoned. Any thread.
  virtual bool client_gone() const = 0;
};
using ExchangePtr = std::shared_ptr<Exchange>;

// What a listener calls. Implementations must not block: respond later for slow work.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void handle(ExchangePtr exchange) = 0;
  // Asked once a request's head is in and a body follows: whether handle() wants the body as it
  // arrives (Exchange::read_body) rather than whole. Quick, non-throwing; default: whole.
  virtual bool streams_body(std::string_view method, std::string_view path) {
    (void)method;
    (void)path;
    return false;
  }
  // The response for a request the server rejected itself (never reaches handle()).
  virtual Response protocol_error(ProtocolError error, const Request& partial) = 0;
};

}  // namespace gatehouse::http
