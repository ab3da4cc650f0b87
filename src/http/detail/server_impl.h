// The listener's shared state (http::Server::Impl): its acceptor and its registry of sessions
// (server_accept.cc); the sessions themselves are in server.cc. Internal to http/.
//
// Thread safety: the acceptor lives on context 0; the registry is guarded by mu_.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "http/server.h"

namespace gatehouse::http {

namespace detail {
class Session;
// A connection's socket, bound to its I/O thread's context by type: no type-erased executor is
// copied per operation.
using Socket =
    boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;
// Opens a session on an accepted, admitted socket from `peer` and registers it with `server`; with
// `tls`, the session's first exchange is its TLS handshake.
void start_session(Socket socket, const boost::asio::ip::tcp::endpoint& peer,
                   std::shared_ptr<Server::Impl> server,
                   std::shared_ptr<const TlsServerContext> tls);
// From any thread: the session stops reading and closes once idle (drain), or closes now.
void begin_close(Session& s);
void force_close(Session& s);
}  // namespace detail

class Server::Impl : public std::enable_shared_from_this<Server::Impl> {
 public:
  Impl(IoPool& pool, Handler& handler, Limits limits, std::string name, ServerStats* stats)
      : pool_(pool),
        handler_(handler),
        limits_(limits),
        name_(std::move(name)),
        stats_(stats ? stats : &own_stats_),
        acceptor_(pool.at(0)),
        retry_timer_(pool.at(0)) {}

  core::Status listen(const std::string& host, uint16_t port, uint16_t* bound);
  void start() { do_accept(); }
  void drain(std::function<void()> done);
  void close_all();

  void session_opened(const std::shared_ptr<detail::Session>& s);
  void session_closed(detail::Session* s);

  IoPool& pool_;
  Handler& handler_;
  const Limits limits_;
  const std::string name_;  // in log lines
  Admission admission_;     // set before start()
  TlsSource tls_;           // set before start()
  ServerStats own_stats_;
  ServerStats* stats_;

 private:
  void do_accept();
  void on_accept(boost::beast::error_code ec, detail::Socket socket);
  bool admitted(detail::Socket& socket);
  void accept_later(const boost::beast::error_code& ec);

  boost::asio::ip::tcp::acceptor acceptor_;  // on context 0
  // The peer of the connection being accepted, as accept() tells it (no getpeername per
  // connection). Context 0 only: one accept at a time.
  boost::asio::ip::tcp::endpoint peer_;
  bool accept_paused_ = false;  // context 0 only
  // Context 0 only. accept() failing for want of descriptors or memory is retried after a pause
  // that doubles up to a second (retrying at once would spin a core while nothing can be
  // accepted); the first failure of a run is logged.
  boost::asio::steady_timer retry_timer_;
  std::chrono::milliseconds retry_delay_{0};

  std::mutex mu_;
  // Guarded by mu_. The one registry of sessions: each from its opening until its destructor runs
  // (so its weak pointer may already have expired). drain() and close_all() reach the live ones
  // through it, drain() waits for it to empty, and connections_open shows its size.
  std::unordered_map<detail::Session*, std::weak_ptr<detail::Session>> sessions_;
  bool draining_ = false;
  std::function<void()> drained_;
};

}  // namespace gatehouse::http
