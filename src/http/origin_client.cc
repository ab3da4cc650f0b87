#include "http/origin_client.h"

#include "http/detail/head_rule_parser.h"
#include "http/detail/resolve.h"
#include "http/detail/timed_socket.h"
#include "http/detail/tls_client.h"
#include "http/detail/wire.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <deque>
#include <limits>
#include <optional>

namespace gatehouse::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Bound to the client's io_context by type, with one deadline timer per connection.
using TcpStream = detail::TimedSocket;

struct Conn {
  std::unique_ptr<TcpStream> tcp;
  std::unique_ptr<beast::ssl_stream<TcpStream>> tls;
  beast::flat_buffer buffer;
  Clock::time_point idle_since;
  bool reused = false;

  TcpStream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *tcp; }
  void close() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }
};

// A request waiting for a connection: woken by a release that hands it one, or a freed slot.
struct Waiter {
  explicit Waiter(asio::any_io_executor ex) : timer(ex) {}
  asio::steady_timer timer;
  std::unique_ptr<Conn> conn;
  bool may_open = false;
};

OriginError failure(core::Code code, std::string message, bool maybe_received) {
  return OriginError{core::Status(code, std::move(message)), maybe_received};
}

OriginError connect_failure(core::Code code, std::string message) {
  OriginError e = failure(code, std::move(message), false);
  e.connect_failed = true;
  return e;
}

}  // namespace

struct OriginClient::Impl {
  Impl(asio::io_context& c, OriginOptions o)
      : ioc(c), tls(detail::client_tls_context()), options(o) {}

  asio::io_context& ioc;
  asio::ssl::context tls;
  OriginOptions options;
  bool https = false;
  std::string host, port, host_header, origin;
  std::string server_name;  // SNI and the name the certificate must carry
  // State of the io_context's thread only.
  std::vector<std::unique_ptr<Conn>> idle;
  // Connections counted against max_connections: idle, busy and opening. Atomic only so that
  // connections_open() may read it from another thread.
  std::atomic<size_t> open{0};
  std::deque<std::shared_ptr<Waiter>> waiting;
};

core::Result<std::shared_ptr<OriginClient>> OriginClient::create(asio::io_context& ioc,
                                                                 std::string_view origin,
                                                                 OriginOptions options) {
  auto parsed = boost::urls::parse_uri(origin);
  const std::string text(origin);
  if (!parsed) return core::invalid_argument("'" + text + "' is not a URL");
  auto impl = std::make_unique<Impl>(ioc, options);
  const std::string scheme(parsed->scheme());
  if (scheme != "http" && scheme != "https")
    return core::invalid_argument("'" + text + "': only http and https origins are supported");
  impl->https = scheme == "https";
  impl->host = std::string(parsed->encoded_host_address());
  if (impl->host.empty()) return core::invalid_argument("'" + text + "' has no host");
  if (!parsed->encoded_path().empty() && parsed->encoded_path() != "/")
    return core::invalid_argument("'" + text + "': an origin has no path");
  if (parsed->has_query()) return core::invalid_argument("'" + text + "': an origin has no query");
  const std::string default_port = impl->https ? "443" : "80";
  impl->port = parsed->has_port() ? std::string(parsed->port()) : default_port;
  impl->host_header = std::string(parsed->encoded_host_and_port());
  if (impl->port == default_port) impl->host_header = std::string(parsed->encoded_host());
  if (impl->host.size() > 2 && impl->host.front() == '[')
    impl->host = impl->host.substr(1, impl->host.size() - 2);
  impl->origin = scheme + "://" + impl->host_header;
  impl->server_name = options.server_name.empty() ? impl->host : options.server_name;
  // TLS files are read now, so a missing or mismatched one stops the start, not a request.
  boost::system::error_code ec;
  if (!options.ca_file.empty()) {
    impl->tls.load_verify_file(options.ca_file, ec);
    if (ec) return core::invalid_argument("ca_file " + options.ca_file + ": " + ec.message());
  }
  if (options.client_certificate_file.empty() != options.client_key_file.empty())
    return core::invalid_argument("a client certificate needs both its certificate and key file");
  if (!options.client_certificate_file.empty()) {
    impl->tls.use_certificate_chain_file(options.client_certificate_file, ec);
    if (ec) {
      return core::invalid_argument("client certificate " + options.client_certificate_file + ": " +
                                    ec.message());
    }
    impl->tls.use_private_key_file(options.client_key_file, asio::ssl::context::pem, ec);
    if (ec) {
      return core::invalid_argument("client key " + options.client_key_file +
                                    " cannot be used with the certificate " +
                                    options.client_certificate_file + ": " + ec.message());
    }
    if (SSL_CTX_check_private_key(impl->tls.native_handle()) != 1) {
      return core::invalid_argument("client key " + options.client_key_file +
                                    " does not belong to the certificate " +
                                    options.client_certificate_file);
    }
  }
  return std::shared_ptr<OriginClient>(new OriginClient(std::move(impl)));
}

OriginClient::OriginClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

OriginClient::~OriginClient() {
  for (auto& c : impl_->idle)
    c->close();
}

uint64_t OriginClient::connections_open() const {
  return impl_->open.load(std::memory_order_relaxed);
}

const std::string& OriginClient::host_header() const {
  return impl_->host_header;
}

namespace {

// Connects (and for HTTPS shakes hands) before the deadline.
asio::awaitable<core::Result<std::unique_ptr<Conn>, OriginError>> connect(
    OriginClient::Impl& s, Clock::time_point deadline) {
  auto endpoints = co_await detail::resolve(s.host, s.port, deadline);
  if (!endpoints) {
    OriginError e{std::move(endpoints.error()), false};
    e.connect_failed = true;
    co_return e;
  }
  auto conn = std::make_unique<Conn>();
  conn->tcp = std::make_unique<TcpStream>(s.ioc.get_executor());
  conn->tcp->expires_at(deadline);
  auto [cec, ep] = co_await conn->tcp->async_connect(*endpoints, use_tuple);
  (void)ep;
  if (cec == beast::error::timeout)
    co_return connect_failure(core::Code::kDeadlineExceeded,
                              "connecting to " + s.origin + " timed out");
  if (cec)
    co_return connect_failure(core::Code::kUnavailable,
                              "cannot connect to " + s.origin + ": " + cec.message());
  conn->tcp->socket().set_option(tcp::no_delay(true));
  if (!s.https) co_return conn;
  conn->tls = std::make_unique<beast::ssl_stream<TcpStream>>(std::move(*conn->tcp), s.tls);
  conn->tcp.reset();
  if (!SSL_set_tlsext_host_name(conn->tls->native_handle(), s.server_name.c_str()))
    co_return connect_failure(core::Code::kUnavailable,
                              "cannot set the TLS server name " + s.server_name);
  conn->tls->set_verify_callback(asio::ssl::host_name_verification(s.server_name));
  conn->lowest().expires_at(deadline);
  auto [hec] = co_await conn->tls->async_handshake(asio::ssl::stream_base::client, use_tuple);
  if (hec == beast::error::timeout)
    co_return connect_failure(core::Code::kDeadlineExceeded,
                              "the TLS handshake with " + s.origin + " timed out");
  if (hec)
    co_return connect_failure(core::Code::kUnavailable,
                              "the TLS handshake with " + s.origin + " failed: " + hec.message());
  co_return conn;
}

// Whether an idle connection can carry a request: the server has not closed it (or sent anything
// unasked, which would be read as the answer) while it sat in the pool. A peek, no wait.
bool still_open(Conn& conn) {
  char byte;
  ssize_t n = ::recv(conn.lowest().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

// Hands a connection (or, when it is not reusable, its slot) to the first waiter, else keeps it.
// A kept connection has no deadline until its next exchange sets one.
void release(OriginClient::Impl& s, std::unique_ptr<Conn> conn, bool reusable) {
  if (!reusable && conn) {
    conn->close();
    conn.reset();
  }
  if (conn) conn->lowest().expires_never();
  while (!s.waiting.empty()) {
    auto waiter = std::move(s.waiting.front());
    s.waiting.pop_front();
    if (conn) {
      conn->reused = true;
      waiter->conn = std::move(conn);
    } else {
      waiter->may_open = true;  // the slot passes on: `open` stays counted
    }
    waiter->timer.cancel();
    return;
  }
  if (conn) {
    conn->idle_since = Clock::now();
    s.idle.push_back(std::move(conn));
  } else {
    --s.open;
  }
}

// An idle connection the server most likely still holds open, or null. Stale ones are closed.
std::unique_ptr<Conn> take_idle(OriginClient::Impl& s) {
  const auto now = Clock::now();
  const auto stale = now - std::chrono::milliseconds(s.options.idle_timeout_ms);
  while (!s.idle.empty() && s.idle.front()->idle_since < stale) {
    s.idle.front()->close();
    s.idle.erase(s.idle.begin());
    --s.open;
  }
  while (!s.idle.empty()) {
    auto conn = std::move(s.idle.back());  // the most recently used: the likeliest still open
    s.idle.pop_back();
    // Servers close idle connections after seconds (their keep-alive timeout): one idle for
    // less than a second is taken as it is (a race lost here is retried or answered 502, as
    // one lost between the peek and the write would be), and the peek's syscall saved.
    if (conn->idle_since < now - std::chrono::seconds(1) && !still_open(*conn)) {
      conn->close();
      --s.open;
      continue;
    }
    conn->reused = true;
    return conn;
  }
  return nullptr;
}

// A connection for one exchange: an idle one, a new one within max_connections, or one handed
// over by a release while this request waits.
asio::awaitable<core::Result<std::unique_ptr<Conn>, OriginError>> acquire(
    OriginClient::Impl& s, Clock::time_point deadline, std::atomic<uint64_t>& opened) {
  if (auto conn = take_idle(s)) co_return conn;
  bool may_open = s.open < s.options.max_connections;
  if (may_open) {
    ++s.open;
  } else {
    if (s.waiting.size() >= s.options.max_waiting)
      co_return failure(core::Code::kResourceExhausted,
                        std::to_string(s.waiting.size()) +
                            " requests already wait for a connection to " + s.origin,
                        false);
    auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
    waiter->timer.expires_at(deadline);
    s.waiting.push_back(waiter);
    co_await waiter->timer.async_wait(use_tuple);
    if (waiter->conn) co_return std::move(waiter->conn);
    if (!waiter->may_open) {
      std::erase(s.waiting, waiter);
      co_return failure(core::Code::kDeadlineExceeded,
                        "no connection to " + s.origin + " became free in time", false);
    }
  }
  auto conn = co_await connect(s, deadline);
  if (!conn) {
    release(s, nullptr, false);
    co_return conn;
  }
  opened.fetch_add(1, std::memory_order_relaxed);
  co_return conn;
}

// Whether a failed attempt's request may go out again on another connection: a reused one the
// server had closed, seen before any byte of an answer came back, and either the request was not
// written whole or its sender recognises a repeat; at most once per connection that could be
// stale, plus one.
bool may_send_again(const OriginClient::Impl& s, const Conn& c, bool nothing_back,
                    bool write_failed, bool resend_if_unanswered, size_t tries) {
  return nothing_back && c.reused && (write_failed || resend_if_unanswered) &&
         tries <= s.options.max_connections;
}

struct Attempt {
  core::Result<OriginResponse, OriginError> result;
  bool reusable = false;      // the connection may serve another request
  bool nothing_back = false;  // failed before any byte of an answer
  bool write_failed = false;  // the request was not written whole
};

template <class Stream>
asio::awaitable<Attempt> exchange(OriginClient::Impl& s, Conn& conn, Stream& stream,
                                  const OriginRequest& request) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(request.method);
  req.target(request.target);
  req.version(11);
  req.set(bhttp::field::host, s.host_header);
  for (const auto& [name, value] : request.headers)
    req.insert(name, value);
  req.body() = request.body;
  req.prepare_payload();
  auto [wec, wn] = co_await bhttp::async_write(stream, req, use_tuple);
  (void)wn;
  auto timed_out = [](const beast::error_code& ec) { return ec == beast::error::timeout; };
  if (wec) {
    const bool deadline = timed_out(wec);
    co_return Attempt{
        failure(deadline ? core::Code::kDeadlineExceeded : core::Code::kUnavailable,
                (deadline ? "sending the request to " + s.origin + " timed out"
                          : "sending the request to " + s.origin + " failed: " + wec.message()),
                false),
        false, !deadline, true};
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(s.options.max_response_bytes);
  parser.header_limit(64 * 1024);
  auto [rec, rn] = co_await bhttp::async_read(stream, conn.buffer, parser, use_tuple);
  (void)rn;
  if (rec == bhttp::error::body_limit)
    co_return Attempt{failure(core::Code::kResourceExhausted,
                              "the answer of " + s.origin + " is larger than " +
                                  std::to_string(s.options.max_response_bytes) + " bytes",
                              true),
                      false, false};
  if (rec) {
    const bool deadline = timed_out(rec);
    const bool nothing = !parser.got_some() && conn.buffer.size() == 0;
    co_return Attempt{
        failure(deadline ? core::Code::kDeadlineExceeded : core::Code::kUnavailable,
                deadline ? s.origin + " did not answer in time"
                         : "reading the answer of " + s.origin + " failed: " + rec.message(),
                true),
        false, nothing && !deadline};
  }
  auto res = parser.release();
  OriginResponse out;
  out.status = res.result_int();
  for (const auto& field : res)
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  out.body = std::move(res.body());
  co_return Attempt{std::move(out), res.keep_alive(), false};
}

}  // namespace

void OriginClient::send(OriginRequest request, std::chrono::milliseconds timeout, Done done) {
  auto self = shared_from_this();
  auto shared_done = std::make_shared<Done>(std::move(done));
  auto run = [self, request = std::move(request), timeout, shared_done]() -> asio::awaitable<void> {
    Impl& s = *self->impl_;
    auto finish = [&](core::Result<OriginResponse, OriginError> result) {
      Done answer = std::move(*shared_done);
      *shared_done = nullptr;
      answer(std::move(result));
    };
    const auto deadline = Clock::now() + timeout;
    // A reused connection the server closed while idle fails before any answer: the request is
    // sent again on another, at most once per connection that could be stale, plus one.
    for (size_t tries = 0;; ++tries) {
      auto conn = co_await acquire(s, deadline, self->opened_);
      if (!conn) {
        finish(std::move(conn.error()));
        co_return;
      }
      Conn& c = **conn;
      c.lowest().expires_at(deadline);
      // (No co_await inside a conditional expression: GCC 12 miscompiles it.)
      std::optional<Attempt> attempt;
      if (c.tls)
        attempt = co_await exchange(s, c, *c.tls, request);
      else
        attempt = co_await exchange(s, c, *c.tcp, request);
      const bool retry =
          !attempt->result && may_send_again(s, c, attempt->nothing_back, attempt->write_failed,
                                             request.resend_if_unanswered, tries);
      release(s, std::move(*conn), attempt->reusable);
      if (retry) continue;
      finish(std::move(attempt->result));
      co_return;
    }
  };
  asio::co_spawn(impl_->ioc, std::move(run), [shared_done](std::exception_ptr e) {
    // Asio reports errors as codes; an exception here is an allocation failure or similar,
    // still answered, never thrown out of the io_context.
    if (e && *shared_done)
      (*shared_done)(failure(core::Code::kInternal, "the exchange failed unexpectedly", true));
  });
}

}  // namespace gatehouse::http

// ---------------------------------------------------------------------------------------------
// open(): bodies as they arrive

namespace gatehouse::http {
namespace {

// What a streamed piece is read into, and what a body that ends within it is held whole in.
constexpr size_t kPieceBytes = 64 * 1024;

using ResponseParser = detail::HeadRuleParser;

// The request's head as it goes on the wire. The client's header names were parsed as tokens and
// its values hold no line break; mapped values were checked (gateway/http_proxy.h).
std::string request_head(const OriginClient::Impl& s, const OriginRequest& request, bool chunked) {
  size_t bytes = request.method.size() + request.target.size() + s.host_header.size() +
                 request.wire_headers.text().size() + 96;
  for (const auto& [name, value] : request.headers)
    bytes += name.size() + value.size() + 4;
  std::string head;
  head.reserve(bytes);
  head += request.method;
  head += ' ';
  head += request.target;
  head += " HTTP/1.1\r\nHost: ";
  head += s.host_header;
  head += "\r\n";
  for (const auto& [name, value] : request.headers) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  head += request.wire_headers.text();
  if (chunked) {
    head += "Transfer-Encoding: chunked\r\n";
  } else {
    uint64_t length = request.body_reader ? *request.body_length : request.body.size();
    // As Beast's prepare_payload: no length for an empty body of a method that has none.
    const std::string& m = request.method;
    bool bodiless = m == "GET" || m == "HEAD" || m == "DELETE" || m == "OPTIONS" || m == "TRACE";
    if (length > 0 || !bodiless) head += "Content-Length: " + std::to_string(length) + "\r\n";
  }
  head += "\r\n";
  return head;
}

// One piece of a body as it is written: raw, or as a chunk.
struct Framed {
  std::string size_line;
  std::array<asio::const_buffer, 3> buffers;
  Framed(std::string_view data, bool chunked) {
    if (!chunked) {
      buffers = {asio::buffer(data.data(), data.size()), asio::const_buffer(),
                 asio::const_buffer()};
      return;
    }
    size_line = detail::chunk_size_line(data.size());
    buffers = {asio::buffer(size_line), asio::buffer(data.data(), data.size()),
               asio::buffer(detail::kChunkEnd.data(), detail::kChunkEnd.size())};
  }
};

// The answer's body past its first bytes, read from its connection as the reader asks; the
// connection goes back to the pool at the body's end, closed if the reader stops before.
class OriginBody final : public BodySource, public std::enable_shared_from_this<OriginBody> {
 public:
  OriginBody(std::shared_ptr<OriginClient> client, OriginClient::Impl& s,
             std::unique_ptr<Conn> conn, std::unique_ptr<ResponseParser> parser,
             std::chrono::milliseconds timeout)
      : client_(std::move(client)),
        s_(s),
        conn_(std::move(conn)),
        parser_(std::move(parser)),
        timeout_(timeout),
        piece_(std::make_unique_for_overwrite<char[]>(kPieceBytes)) {}
  ~OriginBody() override {
    if (conn_) give_back(false);
  }

  void read(BodyReadDone done) override {
    if (!conn_) {
      core::Result<std::string_view> r =
          finished_ ? core::Result<std::string_view>(std::string_view())
                    : core::Result<std::string_view>(
                          core::unavailable("the answer's body was already cut off"));
      asio::post(s_.ioc, [done = std::move(done), r = std::move(r)]() mutable { done(r); });
      return;
    }
    auto& body = parser_->get().body();
    body.data = piece_.get();
    body.size = kPieceBytes;
    body.more = true;
    // Beast reads as much as the buffer has room for: a piece at a time, not its first 512 bytes.
    if (conn_->buffer.capacity() < kPieceBytes) conn_->buffer.reserve(kPieceBytes);
    conn_->lowest().expires_after(timeout_);
    auto on_read = [self = shared_from_this(), done = std::move(done)](beast::error_code ec,
                                                                       size_t) mutable {
      self->on_read(ec, std::move(done));
    };
    if (conn_->tls) {
      bhttp::async_read_some(*conn_->tls, conn_->buffer, *parser_, std::move(on_read));
    } else {
      bhttp::async_read_some(*conn_->tcp, conn_->buffer, *parser_, std::move(on_read));
    }
  }

 private:
  void on_read(beast::error_code ec, BodyReadDone done) {
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) {
      give_back(false);
      if (ec == beast::error::timeout) {
        return done(core::Status(core::Code::kDeadlineExceeded,
                                 s_.origin + " sent nothing more of its answer within " +
                                     std::to_string(timeout_.count()) + " ms"));
      }
      return done(core::unavailable(s_.origin + " cut its answer off: " + ec.message()));
    }
    size_t got = kPieceBytes - parser_->get().body().size;
    if (parser_->is_done()) {
      finished_ = true;
      give_back(parser_->keep_alive());
    } else if (got == 0) {
      return read(std::move(done));  // a chunk's header: nothing for the reader yet
    }
    done(std::string_view(piece_.get(), got));
  }

  void give_back(bool reusable) {
    if (reusable) conn_->buffer.shrink_to_fit();  // an idle pooled one holds no piece-sized buffer
    release(s_, std::move(conn_), reusable);
  }

  std::shared_ptr<OriginClient> client_;  // keeps s_ alive
  OriginClient::Impl& s_;
  std::unique_ptr<Conn> conn_;
  std::unique_ptr<ResponseParser> parser_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<char[]> piece_;  // not zeroed: every byte handed over is written first
  bool finished_ = false;
};

// One open(): the request held whole when it is small, a connection (an idle one at once, else
// acquire()), the head and body written, the answer's head read, and a resend on another
// connection when may_send_again() allows. Callbacks rather than a coroutine: the common case (an
// idle connection, a body held whole) allocates no coroutine frames and copies no type-erased
// executor. Each step runs on the client's thread and catches what it throws (an allocation
// failure): the caller is answered once, whatever happens.
class OpenCall final : public std::enable_shared_from_this<OpenCall> {
 public:
  OpenCall(std::shared_ptr<OriginClient> client, OriginClient::Impl& s,
           std::atomic<uint64_t>& opened, OriginRequest request, std::chrono::milliseconds timeout,
           OriginClient::OpenDone done)
      : client_(std::move(client)),
        s_(s),
        opened_(opened),
        request_(std::move(request)),
        timeout_(timeout),
        done_(std::move(done)) {}

  // A body that ends within its first piece is held whole: no connection waits on the client,
  // and the request may be sent again as a whole one.
  void start() {
    guarded([&] {
      if (!request_.body_reader || request_.body.size() >= kPieceBytes) return begin();
      request_.body_reader([self = shared_from_this()](core::Result<std::string_view> piece) {
        self->guarded([&] { self->on_held_piece(std::move(piece)); });
      });
    });
  }

 private:
  void on_held_piece(core::Result<std::string_view> piece) {
    if (!piece) return finish(OriginError{std::move(piece).error(), false, true});
    if (piece->empty()) {
      request_.body_reader = nullptr;
      request_.body_length.reset();
      return begin();
    }
    request_.body.append(*piece);
    start();
  }

  void begin() {
    streamed_ = static_cast<bool>(request_.body_reader);
    chunked_ = streamed_ && !request_.body_length;
    deadline_ = Clock::now() + timeout_;
    try_once();
  }

  void try_once() {
    if (auto idle = take_idle(s_)) return on_connection(std::move(idle));
    auto acquiring = [self = shared_from_this()]() -> asio::awaitable<void> {
      auto conn = co_await acquire(self->s_, self->deadline_, self->opened_);
      self->guarded([&] {
        if (conn) return self->on_connection(std::move(*conn));
        OriginError e = std::move(conn).error();
        e.unsent = std::make_shared<OriginRequest>(std::move(self->request_));
        self->finish(std::move(e));
      });
    };
    asio::co_spawn(s_.ioc, std::move(acquiring), [self = shared_from_this()](std::exception_ptr e) {
      if (e) self->unexpected();
    });
  }

  void on_connection(std::unique_ptr<Conn> conn) {
    conn_ = std::move(conn);
    conn_->lowest().expires_at(deadline_);
    head_ = request_head(s_, request_, chunked_);
    // The head and the body's first bytes (or all of a whole one) in one write.
    framed_.emplace(request_.body, chunked_ && !request_.body.empty());
    std::array<asio::const_buffer, 4> buffers = {asio::buffer(head_)};
    if (!request_.body.empty()) {
      std::copy(framed_->buffers.begin(), framed_->buffers.end(), &buffers[1]);
    }
    with_stream([&](auto& stream) {
      asio::async_write(stream, buffers, [self = shared_from_this()](beast::error_code ec, size_t) {
        self->guarded([&] {
          if (ec) return self->failed(self->write_failure(ec, false), !timed_out(ec), true);
          if (self->streamed_) return self->pull_piece();
          self->read_head();
        });
      });
    });
  }

  void pull_piece() {
    request_.body_reader([self = shared_from_this()](core::Result<std::string_view> piece) {
      self->guarded([&] { self->on_piece(std::move(piece)); });
    });
  }

  void on_piece(core::Result<std::string_view> piece) {
    if (!piece) return failed(OriginError{std::move(piece).error(), true, true}, false, false);
    conn_->lowest().expires_after(timeout_);
    if (piece->empty()) {
      if (!chunked_) return read_head();  // the service's time to answer starts now
      return with_stream([&](auto& stream) {
        asio::async_write(stream,
                          asio::buffer(detail::kLastChunk.data(), detail::kLastChunk.size()),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            self->guarded([&] {
                              if (ec)
                                return self->failed(self->write_failure(ec, true), false, false);
                              self->conn_->lowest().expires_after(self->timeout_);
                              self->read_head();
                            });
                          });
      });
    }
    framed_.emplace(*piece, chunked_);
    with_stream([&](auto& stream) {
      asio::async_write(stream, framed_->buffers,
                        [self = shared_from_this()](beast::error_code ec, size_t) {
                          self->guarded([&] {
                            if (ec)
                              return self->failed(self->write_failure(ec, true), false, false);
                            self->pull_piece();
                          });
                        });
    });
  }

  void read_head() {
    parser_ = std::make_unique<ResponseParser>(request_.head_rule);
    parser_->header_limit(64 * 1024);
    parser_->body_limit(boost::none);  // passed on as it arrives, never held
    if (request_.method == "HEAD") parser_->skip(true);
    with_stream([&](auto& stream) {
      bhttp::async_read_header(stream, conn_->buffer, *parser_,
                               [self = shared_from_this()](beast::error_code ec, size_t) {
                                 self->guarded([&] { self->on_head(ec); });
                               });
    });
  }

  void on_head(beast::error_code ec) {
    if (ec) {
      const bool deadline = timed_out(ec);
      const bool nothing = !parser_->got_some() && conn_->buffer.size() == 0;
      return failed(
          failure(deadline ? core::Code::kDeadlineExceeded : core::Code::kUnavailable,
                  deadline ? s_.origin + " did not answer in time"
                           : "reading the answer of " + s_.origin + " failed: " + ec.message(),
                  true),
          nothing && !deadline, false);
    }
    // An interim answer (100 Continue, 103 Early Hints) is not the answer: read on.
    const unsigned status = parser_->get().result_int();
    if (status >= 100 && status < 200 && status != 101) return read_head();
    OriginStream out;
    if (auto length = parser_->content_length()) out.length = *length;
    // The parser keeps what it needs of the head (length, chunking, keep-alive) in its own state.
    out.head = std::move(parser_->get().base());
    out.passed = parser_->take_passed();
    // What came with the head is parsed now, without waiting for more: at most what is buffered
    // (a chunked body's framing only makes it less), sized to it rather than to a whole piece.
    out.first.resize(std::min(conn_->buffer.size(), kPieceBytes));
    auto& body = parser_->get().body();
    body.data = out.first.data();
    body.size = out.first.size();
    body.more = true;
    while (!parser_->is_done() && conn_->buffer.size() > 0 && body.size > 0) {
      beast::error_code pec;
      size_t used = parser_->put(conn_->buffer.data(), pec);
      conn_->buffer.consume(used);
      if (pec == bhttp::error::need_more || pec == bhttp::error::need_buffer) break;
      if (pec) {
        return failed(
            failure(core::Code::kUnavailable,
                    "reading the answer of " + s_.origin + " failed: " + pec.message(), true),
            false, false);
      }
      if (used == 0) break;
    }
    out.first.resize(out.first.size() - body.size);
    if (!parser_->is_done()) {
      out.rest =
          std::make_shared<OriginBody>(client_, s_, std::move(conn_), std::move(parser_), timeout_);
      return finish(std::move(out));
    }
    release(s_, std::move(conn_), parser_->keep_alive());
    finish(std::move(out));
  }

  // The attempt failed: the connection is let go, and the request goes out again on another
  // when nothing can have come of it.
  void failed(OriginError e, bool nothing_back, bool write_failed) {
    const bool again =
        !request_.body_reader && may_send_again(s_, *conn_, nothing_back, write_failed,
                                                request_.resend_if_unanswered, tries_);
    release(s_, std::move(conn_), false);
    if (!again) return finish(std::move(e));
    ++tries_;
    try_once();
  }

  OriginError write_failure(const beast::error_code& ec, bool maybe_received) const {
    const bool deadline = timed_out(ec);
    return failure(deadline ? core::Code::kDeadlineExceeded : core::Code::kUnavailable,
                   deadline ? "sending the request to " + s_.origin + " timed out"
                            : "sending the request to " + s_.origin + " failed: " + ec.message(),
                   maybe_received);
  }

  static bool timed_out(const beast::error_code& ec) { return ec == beast::error::timeout; }

  template <class F>
  void with_stream(F&& f) {
    if (conn_->tls) {
      f(*conn_->tls);
    } else {
      f(*conn_->tcp);
    }
  }

  void finish(core::Result<OriginStream, OriginError> result) {
    if (!done_) return;
    OriginClient::OpenDone answer = std::move(done_);
    done_ = nullptr;
    answer(std::move(result));
  }

  // Runs one step; what it throws ends the call (its connection closed) with an internal error.
  template <class F>
  void guarded(F&& step) noexcept {
    try {
      step();
    } catch (...) {
      unexpected();
    }
  }

  void unexpected() noexcept {
    try {
      if (conn_) release(s_, std::move(conn_), false);
      finish(failure(core::Code::kInternal, "the exchange failed unexpectedly", true));
    } catch (...) {
      done_ = nullptr;  // nothing more can be done; the caller's exchange answers for itself
    }
  }

  std::shared_ptr<OriginClient> client_;  // keeps s_ alive
  OriginClient::Impl& s_;
  std::atomic<uint64_t>& opened_;
  OriginRequest request_;
  const std::chrono::milliseconds timeout_;
  OriginClient::OpenDone done_;
  bool streamed_ = false;
  bool chunked_ = false;
  Clock::time_point deadline_;
  size_t tries_ = 0;
  std::unique_ptr<Conn> conn_;
  std::string head_;
  std::optional<Framed> framed_;  // the body piece being written, with its chunk framing
  std::unique_ptr<ResponseParser> parser_;
};

}  // namespace

void OriginClient::open(OriginRequest request, std::chrono::milliseconds timeout, OpenDone done) {
  auto call = std::make_shared<OpenCall>(shared_from_this(), *impl_, opened_, std::move(request),
                                         timeout, std::move(done));
  asio::dispatch(impl_->ioc, [call = std::move(call)] { call->start(); });
}

}  // namespace gatehouse::http
