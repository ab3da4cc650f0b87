// The request and response types every area above http/ sees. They are Beast messages plus the
// connection facts the gateway needs (peer, request id, receive time).
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/ids.h"

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
class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual Request& request() = 0;
  virtual void respond(Response res) = 0;
};
using ExchangePtr = std::shared_ptr<Exchange>;

// What a listener calls. Implementations must not block: respond later for slow work.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void handle(ExchangePtr exchange) = 0;
  // The response for a request the server rejected itself (never reaches handle()).
  virtual Response protocol_error(ProtocolError error, const Request& partial) = 0;
};

}  // namespace gatehouse::http
