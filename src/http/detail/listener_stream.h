// A listener connection's stream: plain TCP, or TLS over it once use_tls() is called. Reads and
// writes go to whichever it is, decided per operation by one branch, so a session is written once
// for both and a plain connection pays nothing for TLS. Deadlines are TimedSocket's, for TLS
// records as for plain bytes.
//
// Thread safety: one thread at a time (the connection's context's). As for asio::ssl::stream,
// one read and one write may be in flight at once.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <optional>
#include <utility>

#include "http/detail/timed_socket.h"

namespace gatehouse::http::detail {

class ListenerStream {
 public:
  using executor_type = TimedSocket::executor_type;
  using TlsStream = boost::asio::ssl::stream<TimedSocket&>;

  explicit ListenerStream(TimedSocket::socket_type socket) : plain_(std::move(socket)) {}

  // Speaks TLS with `context`'s settings from now on; the handshake is the caller's to start.
  void use_tls(boost::asio::ssl::context& context) { tls_.emplace(plain_, context); }
  bool is_tls() const { return tls_.has_value(); }
  TlsStream& tls() { return *tls_; }
  // The TCP connection under TLS: for bytes that must not go through it (an answer to a client
  // that spoke plain HTTP to this port).
  TimedSocket& plain() { return plain_; }

  executor_type get_executor() noexcept { return plain_.get_executor(); }
  TimedSocket::socket_type& socket() noexcept { return plain_.socket(); }
  void expires_after(TimedSocket::clock::duration d) { plain_.expires_after(d); }
  void expires_at(TimedSocket::clock::time_point t) { plain_.expires_at(t); }
  void read_expires_at(TimedSocket::clock::time_point t) { plain_.read_expires_at(t); }

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
        [this](auto handler, const Buffers& b) {
          if (tls_) return tls_->async_read_some(b, std::move(handler));
          plain_.async_read_some(b, std::move(handler));
        },
        token, buffers);
  }

  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
        [this](auto handler, const Buffers& b) {
          if (tls_) return tls_->async_write_some(b, std::move(handler));
          plain_.async_write_some(b, std::move(handler));
        },
        token, buffers);
  }

 private:
  TimedSocket plain_;
  std::optional<TlsStream> tls_;  // declared after plain_: gone before the socket it writes to
};

}  // namespace gatehouse::http::detail
