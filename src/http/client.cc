#include "http/client.h"

#include "core/clock.h"
#include "http/detail/resolve.h"
#include "http/detail/tls_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <variant>

namespace gatehouse::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct Client::Impl {
  explicit Impl(asio::io_context& c) : ioc(c), tls(detail::client_tls_context()) {}
  asio::io_context& ioc;
  asio::ssl::context tls;
};

namespace {

struct Target {
  bool https = false;
  std::string host;
  std::string port;
  std::string path_and_query;
};

core::Result<Target> parse_target(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return core::invalid_argument("'" + url + "' is not a valid URL");
  Target t;
  std::string scheme(parsed->scheme());
  if (scheme == "https") {
    t.https = true;
  } else if (scheme != "http") {
    return core::invalid_argument("'" + url + "': only http and https URLs can be fetched");
  }
  t.host = std::string(parsed->encoded_host_address());
  if (t.host.empty()) return core::invalid_argument("'" + url + "' has no host");
  if (t.host.size() > 2 && t.host.front() == '[') t.host = t.host.substr(1, t.host.size() - 2);
  t.port = parsed->has_port() ? std::string(parsed->port()) : (t.https ? "443" : "80");
  t.path_and_query = std::string(parsed->encoded_path());
  if (t.path_and_query.empty()) t.path_and_query = "/";
  if (parsed->has_query()) t.path_and_query += "?" + std::string(parsed->encoded_query());
  return t;
}

template <class Stream>
asio::awaitable<core::Result<FetchResponse>> exchange(Stream& stream, const Target& t,
                                                      const FetchOptions& opt) {
  bhttp::request<bhttp::empty_body> req(bhttp::verb::get, t.path_and_query, 11);
  bool default_port = t.port == (t.https ? "443" : "80");
  req.set(bhttp::field::host, default_port ? t.host : t.host + ":" + t.port);
  req.set(bhttp::field::user_agent, "gatehouse");
  req.set(bhttp::field::accept, "application/json");
  req.keep_alive(false);
  auto [wec, wn] = co_await bhttp::async_write(stream, req, use_tuple);
  (void)wn;
  if (wec) co_return core::unavailable("sending the request failed: " + wec.message());
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(opt.max_body_bytes);
  auto [rec, rn] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
  (void)rn;
  if (rec == bhttp::error::body_limit) {
    co_return core::resource_exhausted("the response is larger than " +
                                       std::to_string(opt.max_body_bytes) + " bytes");
  }
  if (rec) co_return core::unavailable("reading the response failed: " + rec.message());
  auto res = parser.release();
  unsigned status = res.result_int();
  if (status < 200 || status > 299) {
    co_return core::unavailable("the server answered HTTP " + std::to_string(status));
  }
  FetchResponse out;
  out.status = status;
  out.content_type = std::string(res[bhttp::field::content_type]);
  out.body = std::move(res.body());
  co_return out;
}

asio::awaitable<core::Result<FetchResponse>> fetch(std::shared_ptr<Client::Impl> impl,
                                                   std::string url, FetchOptions opt) {
  auto target = parse_target(url);
  if (!target) co_return target.error();
  const Target& t = *target;
  auto executor = co_await asio::this_coro::executor;
  // One deadline for the whole exchange, on the clock of the Asio timers that enforce it.
  auto deadline = core::os_monotonic() + std::chrono::milliseconds(opt.timeout_ms);

  auto resolved = co_await detail::resolve(t.host, t.port, deadline);
  if (!resolved) co_return resolved.error();
  const auto& endpoints = *resolved;

  auto remaining = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - core::os_monotonic());
  };
  auto timed_out = [&](const beast::error_code& ec) { return ec == beast::error::timeout; };

  beast::tcp_stream tcp_stream(executor);
  tcp_stream.expires_after(remaining());
  auto [cec, ep] = co_await tcp_stream.async_connect(endpoints, use_tuple);
  (void)ep;
  if (cec) {
    if (timed_out(cec)) {
      co_return core::Status(core::Code::kDeadlineExceeded,
                             "connecting to " + t.host + " timed out");
    }
    co_return core::unavailable("cannot connect to " + t.host + ":" + t.port + ": " +
                                cec.message());
  }

  core::Result<FetchResponse> result = core::internal_error("unreachable");
  if (!t.https) {
    tcp_stream.expires_after(remaining());
    result = co_await exchange(tcp_stream, t, opt);
  } else {
    beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp_stream), impl->tls);
    if (!SSL_set_tlsext_host_name(tls.native_handle(), t.host.c_str())) {
      co_return core::unavailable("cannot set TLS server name for " + t.host);
    }
    tls.set_verify_callback(asio::ssl::host_name_verification(t.host));
    beast::get_lowest_layer(tls).expires_after(remaining());
    auto [hec] = co_await tls.async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (hec) {
      if (timed_out(hec)) {
        co_return core::Status(core::Code::kDeadlineExceeded,
                               "TLS handshake with " + t.host + " timed out");
      }
      co_return core::unavailable("TLS handshake with " + t.host + " failed: " + hec.message());
    }
    beast::get_lowest_layer(tls).expires_after(remaining());
    result = co_await exchange(tls, t, opt);
  }
  if (!result && result.error().message().find("timeout") != std::string::npos) {
    co_return core::Status(
        core::Code::kDeadlineExceeded,
        "fetching " + url + " timed out after " + std::to_string(opt.timeout_ms) + " ms");
  }
  if (!result) co_return core::Status(result.error().code(), url + ": " + result.error().message());
  co_return result;
}

}  // namespace

Client::Client(asio::io_context& ioc) : impl_(std::make_shared<Impl>(ioc)) {}
Client::~Client() = default;

void Client::get(const std::string& url, FetchOptions options,
                 std::function<void(core::Result<FetchResponse>)> done) {
  auto shared_done =
      std::make_shared<std::function<void(core::Result<FetchResponse>)>>(std::move(done));
  auto run = [impl = impl_, url, options, shared_done]() -> asio::awaitable<void> {
    auto result = co_await fetch(impl, url, options);
    (*shared_done)(std::move(result));
    *shared_done = nullptr;
  };
  asio::co_spawn(impl_->ioc, run, [shared_done, url](std::exception_ptr e) {
    // Asio and OpenSSL report errors as codes; an exception here is std::bad_alloc or similar,
    // still surfaced as a value.
    if (e && *shared_done) (*shared_done)(core::internal_error("fetching " + url + " failed"));
  });
}

}  // namespace gatehouse::http
