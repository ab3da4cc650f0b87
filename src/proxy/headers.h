// What an http_proxy integration passes between the client and the upstream, header by header,
// as API Gateway's HTTP_PROXY does (its "important notes" table of headers), with HTTP's own rule
// on top: hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded.
//
// Request: the client's headers pass, except the hop-by-hop ones (Connection and what it names,
// Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade, Proxy-Authorization),
// Host and Content-Length (the upstream's and the body's, written by the sender), Expect (answered
// here), and those API Gateway drops (Content-MD5, Max-Forwards, Proxy-Authenticate, Server, Via,
// WWW-Authenticate, an Authorization carrying a SigV4 signature). X-Forwarded-For gets the client's
// address appended; X-Forwarded-Proto and X-Forwarded-Port are set to what the client connected
// to, whatever it sent.
//
// Response: the upstream's status and body pass as they are. Its headers pass, except the
// hop-by-hop ones and Host, Expect, Proxy-Authenticate, Via (dropped), and Authorization,
// Connection, Content-Length, Content-MD5, Date, Max-Forwards, Server, User-Agent,
// WWW-Authenticate and x-amzn-RequestId, which API Gateway renames x-amzn-Remapped-<name> (the
// gateway writes its own Date, Content-Length and request id).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/fields.hpp>

#include "http/origin_client.h"

namespace gatehouse::proxy {

// What the client connected to, for X-Forwarded-*.
struct ClientConnection {
  std::string_view ip;     // the client's address
  std::string_view proto;  // "http" or "https"
  uint16_t port = 0;       // the listener's port
};

// Appends the headers of the upstream request to `out`: the client's, in the client's order, less
// those named in `replaced` (a request parameter mapping sets them: replaced, never merged), then
// the X-Forwarded-* headers.
void upstream_request_headers(const boost::beast::http::fields& client,
                              const ClientConnection& connection,
                              std::span<const std::string_view> replaced, http::WireFields& out);

// What becomes of an upstream response header: kept, renamed x-amzn-Remapped-<name>, or dropped.
// `code` is Beast's code for `name` (field::unknown when it has none). The fields the answer's
// Connection header names are dropped by the origin client (http::HeadRule).
http::HeadRule::Fate response_header_fate(boost::beast::http::field code, std::string_view name);
// The rule an http_proxy integration's requests carry (http::OriginRequest::head_rule).
extern const http::HeadRule kResponseHeadRule;

// The lower-case header names a Connection header value lists ("close, X-Foo" -> {"close",
// "x-foo"}).
std::vector<std::string> connection_tokens(std::string_view connection_value);

}  // namespace gatehouse::proxy
