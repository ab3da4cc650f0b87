#include "http/origin_client.h"

#include "http/detail/resolve.h"
#include "http/detail/tls_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <deque>
#include <optional>

namespace gatehouse::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct Conn {
  std::unique_ptr<beast::tcp_stream> tcp;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  Clock::time_point idle_since;
  bool reused = false;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *tcp; }
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
  size_t open = 0;  // connections counted against max_connections: idle, busy and opening
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

const std::string& OriginClient::host_header() const {
  return impl_->host_header;
}

namespace {

// Connects (and for HTTPS shakes hands) before the deadline.
asio::awaitable<core::Result<std::unique_ptr<Conn>, OriginError>> connect(
    OriginClient::Impl& s, Clock::time_point deadline) {
  auto ex = co_await asio::this_coro::executor;
  auto endpoints = co_await detail::resolve(s.host, s.port, deadline);
  if (!endpoints) co_return OriginError{std::move(endpoints.error()), false};
  auto conn = std::make_unique<Conn>();
  conn->tcp = std::make_unique<beast::tcp_stream>(ex);
  conn->tcp->expires_at(deadline);
  auto [cec, ep] = co_await conn->tcp->async_connect(*endpoints, use_tuple);
  (void)ep;
  if (cec == beast::error::timeout)
    co_return failure(core::Code::kDeadlineExceeded, "connecting to " + s.origin + " timed out",
                      false);
  if (cec)
    co_return failure(core::Code::kUnavailable,
                      "cannot connect to " + s.origin + ": " + cec.message(), false);
  conn->tcp->socket().set_option(tcp::no_delay(true));
  if (!s.https) co_return conn;
  conn->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*conn->tcp), s.tls);
  conn->tcp.reset();
  if (!SSL_set_tlsext_host_name(conn->tls->native_handle(), s.server_name.c_str()))
    co_return failure(core::Code::kUnavailable, "cannot set the TLS server name " + s.server_name,
                      false);
  conn->tls->set_verify_callback(asio::ssl::host_name_verification(s.server_name));
  conn->lowest().expires_at(deadline);
  auto [hec] = co_await conn->tls->async_handshake(asio::ssl::stream_base::client, use_tuple);
  if (hec == beast::error::timeout)
    co_return failure(core::Code::kDeadlineExceeded,
                      "the TLS handshake with " + s.origin + " timed out", false);
  if (hec)
    co_return failure(core::Code::kUnavailable,
                      "the TLS handshake with " + s.origin + " failed: " + hec.message(), false);
  co_return conn;
}

// Hands a connection (or, when it is not reusable, its slot) to the first waiter, else keeps it.
void release(OriginClient::Impl& s, std::unique_ptr<Conn> conn, bool reusable) {
  if (!reusable && conn) {
    conn->close();
    conn.reset();
  }
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

// A connection for one exchange: an idle one, a new one within max_connections, or one handed
// over by a release while this request waits.
asio::awaitable<core::Result<std::unique_ptr<Conn>, OriginError>> acquire(
    OriginClient::Impl& s, Clock::time_point deadline, std::atomic<uint64_t>& opened) {
  const auto stale = Clock::now() - std::chrono::milliseconds(s.options.idle_timeout_ms);
  while (!s.idle.empty() && s.idle.front()->idle_since < stale) {
    s.idle.front()->close();
    s.idle.erase(s.idle.begin());
    --s.open;
  }
  if (!s.idle.empty()) {
    auto conn = std::move(s.idle.back());  // the most recently used: the likeliest still open
    s.idle.pop_back();
    conn->reused = true;
    co_return conn;
  }
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
      const bool retry = !attempt->result && attempt->nothing_back && c.reused &&
                         (attempt->write_failed || request.resend_if_unanswered) &&
                         tries <= s.options.max_connections;
      if (attempt->reusable) c.lowest().expires_never();
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
