// Name resolution for outgoing connections, bounded by the exchange's deadline (Asio's resolver
// has no timeout of its own). Used inside the clients' coroutines.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <string>

#include "core/status.h"

namespace gatehouse::http::detail {

// The host's addresses; kDeadlineExceeded ("resolving 'h' timed out") or kUnavailable ("cannot
// resolve 'h': ...").
inline boost::asio::awaitable<core::Result<boost::asio::ip::tcp::resolver::results_type>> resolve(
    const std::string& host, const std::string& port,
    std::chrono::steady_clock::time_point deadline) {
  namespace asio = boost::asio;
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  asio::steady_timer timer(executor, deadline);
  timer.async_wait([&resolver](boost::system::error_code ec) {
    if (!ec) resolver.cancel();
  });
  auto [ec, endpoints] =
      co_await resolver.async_resolve(host, port, asio::as_tuple(asio::use_awaitable));
  timer.cancel();
  if (ec == asio::error::operation_aborted)
    co_return core::Status(core::Code::kDeadlineExceeded, "resolving '" + host + "' timed out");
  if (ec) co_return core::unavailable("cannot resolve '" + host + "': " + ec.message());
  co_return endpoints;
}

}  // namespace gatehouse::http::detail
