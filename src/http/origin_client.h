// A keep-alive HTTP/1.1 client for one origin (http:// or https://host[:port]) whose exchanges
// hold their bodies whole, as DynamoDB's JSON API does: up to max_connections connections, idle
// ones reused (and dropped after idle_timeout_ms), requests beyond them waiting their turn up to
// max_waiting. HTTPS is verified against the system CA store (SSL_CERT_FILE / SSL_CERT_DIR
// override it) and the host name, with SNI. A request on a reused connection that the server had
// closed meanwhile is sent again once on a new one, only when no byte of an answer came back.
//
// Usage:
//   auto client = http::OriginClient::create(ioc, "https://dynamodb.eu-west-1.amazonaws.com", {});
//   (*client)->send({"POST", "/", {{"content-type", "application/x-amz-json-1.0"}}, body},
//                   std::chrono::milliseconds(3000), [](auto result) { ... });
//
// Thread safety: send() may be called from any thread; the client's state lives on its
// io_context, which one thread runs, and completions run there. Requests in flight keep the
// client alive (it is shared).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "http/body_stream.h"
#include "http/wire_fields.h"

namespace gatehouse::http {

struct OriginOptions {
  uint32_t max_connections = 64;
  // Requests waiting for a connection; past this many, a request fails at once
  // (kResourceExhausted) rather than queueing without bound.
  uint32_t max_waiting = 1024;
  uint32_t idle_timeout_ms = 30'000;
  size_t max_response_bytes = 16 * 1024 * 1024;
  // HTTPS only. A PEM file of the CAs to trust instead of the system's store (a private CA).
  std::string ca_file{};
  // A client certificate (PEM, its chain after it) and its private key, for services that ask
  // for one (mutual TLS): both or neither.
  std::string client_certificate_file{};
  std::string client_key_file{};
  // The name sent in SNI and checked against the service's certificate; empty: the origin's host.
  std::string server_name{};
  bool operator==(const OriginOptions&) const = default;
};

// How an answer's header fields are passed on (OriginRequest::head_rule): each is judged as the
// head is parsed and written out in wire form (OriginStream::passed), so none is stored only to be
// renamed, erased or written after. Content-Length, Transfer-Encoding, Connection and Date are
// never passed as they are, whatever the rule says (WireFields): renamed, or dropped.
struct HeadRule {
  enum class Fate { kKeep, kRename, kDrop };
  // `code`: Beast's code for `name` (field::unknown when it has none).
  Fate (*fate)(boost::beast::http::field code, std::string_view name) = nullptr;
  // A renamed field is passed, where it was, as rename_prefix + its name.
  std::string_view rename_prefix;
};

struct OriginRequest {
  std::string method = "POST";
  std::string target = "/";
  // Besides Host and Content-Length, which the client writes.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Whether a request sent on a reused connection that closed before any byte of an answer came
  // back may be sent again on another (the server most likely closed it while idle, but may have
  // read the request first): true for callers that recognise a repeat (DynamoDB's), false for a
  // proxy that cannot know the request is idempotent. A request that could not be written is
  // always sent again.
  bool resend_if_unanswered = true;
  // open() only: when set, the body goes on past `body` (its first bytes) with what this reads,
  // piece by piece, to the empty piece at its end (a client's body passed through as it
  // arrives); `body_length` is its whole length when known, else it is sent chunked.
  std::function<void(BodyReadDone)> body_reader{};
  std::optional<uint64_t> body_length{};
  // open() only: what becomes of each field of the answer's head; null keeps them all in
  // OriginStream::head. With a rule, a kept field that the answer's Connection header names is
  // dropped as well (hop-by-hop for that answer, RFC 9110 §7.6.1). The rule outlives the call (a
  // constant).
  const HeadRule* head_rule = nullptr;
  // open() only: more fields, written as they are after `headers` (a proxy's, built in wire form
  // as it judged the client's, not copied into a list first).
  WireFields wire_headers{};
};

struct OriginResponse {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// An answer whose body comes as it arrives (open()).
struct OriginStream {
  // The status line, and without a head rule the header fields as received (moved out of the
  // parser: no copy).
  boost::beast::http::response_header<> head;
  // With a head rule (OriginRequest::head_rule): the fields it passed, in the answer's order.
  WireFields passed;
  std::string first;                 // the body's bytes that came with the head
  std::shared_ptr<BodySource> rest;  // the others; null when `first` is the whole body
  std::optional<uint64_t> length;    // the whole body's length, when the server sent it
};

// Why an exchange failed, and whether the server may have received the request: a request that
// is not idempotent may be sent again only when it cannot have been.
struct OriginError {
  core::Status status;  // kUnavailable, kDeadlineExceeded, kResourceExhausted
  bool maybe_received = false;
  // The request's body reader failed (OriginRequest::body_reader): `status` is its error.
  bool body_reader_failed = false;
  // open() only: no connection could be had (none opened, none free), so nothing was sent; the
  // request comes back, to be sent elsewhere.
  std::shared_ptr<OriginRequest> unsent{};
  bool connect_failed = false;  // ... because a connection could not be opened
};

class OriginClient : public std::enable_shared_from_this<OriginClient> {
 public:
  // kInvalidArgument for anything but an http(s) origin without a path, and for TLS files
  // (OriginOptions) that cannot be read or do not belong together, naming the file.
  static core::Result<std::shared_ptr<OriginClient>> create(boost::asio::io_context& ioc,
                                                            std::string_view origin,
                                                            OriginOptions options = {});
  ~OriginClient();
  OriginClient(const OriginClient&) = delete;
  OriginClient& operator=(const OriginClient&) = delete;

  // The Host header value the client sends: "host" or "host:port" (a port that is not the
  // scheme's default). What a signer signs.
  const std::string& host_header() const;

  // Sends the request; `done` gets the response (any status) or why there is none, within
  // `timeout` (waiting for a connection, connecting, TLS, writing and reading included).
  using Done = std::function<void(core::Result<OriginResponse, OriginError>)>;
  void send(OriginRequest request, std::chrono::milliseconds timeout, Done done);

  // Sends the request and hands over the answer at its head, its body to be read as it arrives
  // (OriginStream::rest); the connection returns to the pool once the body has been read to its
  // end, and is closed if the reader is dropped before. `timeout` bounds the wait for a
  // connection and the writing of the request's head, then each write of a piece of a streamed
  // request body, the wait for the answer's head once the request is written, and each read of a
  // piece of the answer's body: a bound on silence, so a gigabyte passes while a stalled server
  // is given up on. A streamed request body is never sent twice; a body that ends within its
  // first 64 KiB is held whole first, and such a request may be (as send()'s).
  using OpenDone = std::function<void(core::Result<OriginStream, OriginError>)>;
  void open(OriginRequest request, std::chrono::milliseconds timeout, OpenDone done);

  // Connections opened so far (new TCP connections, not reuses).
  uint64_t connections_opened() const { return opened_.load(std::memory_order_relaxed); }
  // Connections open now (idle, busy or being opened). Thread-safe.
  uint64_t connections_open() const;

  struct Impl;

 private:
  explicit OriginClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::atomic<uint64_t> opened_{0};
};

}  // namespace gatehouse::http
